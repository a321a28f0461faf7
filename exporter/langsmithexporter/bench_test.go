package langsmithexporter

import (
	"bytes"
	"testing"

	"github.com/klauspost/compress/zstd"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/encode"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/metadata"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runtest"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/tracetest"
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
	comp := encode.NewCompressor()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		td := ptrace.NewTraces()
		src.CopyTo(td)
		b.StartTimer()
		e.tree.Annotate(td)
		runs := e.mapper.Runs(td)
		encoded := make([]*encode.EncodedRun, 0, len(runs))
		for _, r := range runs {
			er, _, err := encode.Run(r)
			if err != nil {
				b.Fatal(err)
			}
			encoded = append(encoded, er)
		}
		var buf bytes.Buffer
		encode.WriteMultipart(&buf, "benchboundary", encoded)
		if _, err := comp.Compress(encode.EncodingZstd, buf.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
}

// benchRuns maps the reference trace to runs once.
func benchRuns(b *testing.B) []*runmap.Run {
	cfg := createDefaultConfig().(*Config)
	cfg.APIKey = "k"
	e, err := newLangsmithExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	if err != nil {
		b.Fatal(err)
	}
	td := benchTrace(b)
	e.tree.Annotate(td)
	return e.mapper.Runs(td)
}

func BenchmarkPlaceMap(b *testing.B) { benchPlaceMap(b, benchTrace(b)) }

// benchPlaceMap places and maps a copy of src per iteration.
func benchPlaceMap(b *testing.B, src ptrace.Traces) {
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
		e.tree.Annotate(td)
		if len(e.mapper.Runs(td)) == 0 {
			b.Fatal("no runs")
		}
	}
}

// BenchmarkPlaceMapRewritten is BenchmarkPlaceMap on the reference run as the
// distribution's exporter receives it: rewritten by agent_span (12 runs).
func BenchmarkPlaceMapRewritten(b *testing.B) {
	benchPlaceMap(b, tracetest.Rewritten(b, recordings.Reference))
}

func BenchmarkEncodeRuns(b *testing.B) {
	runs := benchRuns(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range runs {
			if _, _, err := encode.Run(r); err != nil {
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
			_ = runtest.LegacyEncode(b, r)
		}
	}
}
