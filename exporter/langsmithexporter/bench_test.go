package langsmithexporter

import (
	"bytes"
	"testing"

	"github.com/klauspost/compress/zstd"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/metadata"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
)

// The benchmarks below turn the same recorded AutoGen trace into a request
// body. BenchmarkBaselineOTLPZstd is what an otlp_http exporter does with it
// (protobuf + zstd); bench/run.sh prints the others as ratios to it, so the
// figures mean the same on a noisy shared machine. The steps are measured
// apart too: placement and mapping (BenchmarkPlaceMap), and encoding the runs
// (BenchmarkEncodeRuns) next to encoding them with encoding/json by
// reflection (BenchmarkEncodeRunsEncodingJSON, how it was done before).

func benchTrace(b *testing.B) ptrace.Traces {
	td, err := recordings.Load("autogen-0.7.5-reference")
	if err != nil {
		b.Fatal(err)
	}
	return td
}

func BenchmarkBaselineOTLPZstd(b *testing.B) {
	td := benchTrace(b)
	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest))
	var m ptrace.ProtoMarshaler
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body, err := m.MarshalTraces(td)
		if err != nil {
			b.Fatal(err)
		}
		_ = enc.EncodeAll(body, nil)
	}
}

func BenchmarkPlaceMapEncodeZstd(b *testing.B) {
	src := benchTrace(b)
	cfg := createDefaultConfig().(*Config)
	cfg.APIKey = "k"
	e, err := newLangsmithExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	if err != nil {
		b.Fatal(err)
	}
	comp := newCompressor()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		td := ptrace.NewTraces()
		src.CopyTo(td)
		b.StartTimer()
		e.tree.annotate(td)
		runs := e.runsFromTraces(td)
		encoded := make([]*encodedRun, 0, len(runs))
		for _, r := range runs {
			er, _, err := encodeRun(r)
			if err != nil {
				b.Fatal(err)
			}
			encoded = append(encoded, er)
		}
		var buf bytes.Buffer
		writeMultipart(&buf, "benchboundary", encoded)
		if _, err := comp.compress(encodingZstd, buf.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
}

// benchRuns maps the reference trace to runs once.
func benchRuns(b *testing.B) []*run {
	cfg := createDefaultConfig().(*Config)
	cfg.APIKey = "k"
	e, err := newLangsmithExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	if err != nil {
		b.Fatal(err)
	}
	td := benchTrace(b)
	e.tree.annotate(td)
	return e.runsFromTraces(td)
}

func BenchmarkPlaceMap(b *testing.B) {
	src := benchTrace(b)
	cfg := createDefaultConfig().(*Config)
	cfg.APIKey = "k"
	e, err := newLangsmithExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		td := ptrace.NewTraces()
		src.CopyTo(td)
		b.StartTimer()
		e.tree.annotate(td)
		if len(e.runsFromTraces(td)) == 0 {
			b.Fatal("no runs")
		}
	}
}

// BenchmarkPlaceMapRewritten is BenchmarkPlaceMap on the reference run as the
// distribution's exporter receives it: rewritten by agent_span (12 runs).
func BenchmarkPlaceMapRewritten(b *testing.B) {
	src := rewrittenRecording(b, recordings.Reference)
	cfg := createDefaultConfig().(*Config)
	cfg.APIKey = "k"
	e, err := newLangsmithExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		td := ptrace.NewTraces()
		src.CopyTo(td)
		b.StartTimer()
		e.tree.annotate(td)
		if len(e.runsFromTraces(td)) == 0 {
			b.Fatal("no runs")
		}
	}
}

func BenchmarkEncodeRuns(b *testing.B) {
	runs := benchRuns(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range runs {
			if _, _, err := encodeRun(r); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkEncodeRunsEncodingJSON(b *testing.B) {
	runs := benchRuns(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range runs {
			_ = legacyEncodeRun(b, r)
		}
	}
}
