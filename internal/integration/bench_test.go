package integration

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
)

// These benchmarks push the recorded reference AutoGen run (61 spans) through
// real components to a loopback server that reads and discards the body.
// BenchmarkBaselineOTLPHTTP is the upstream otlp_http exporter (zstd) doing
// the same; bench/run.sh prints the others as ratios to it.

func discardServer(b *testing.B) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		switch r.URL.Path {
		case "/runs/multipart":
			w.WriteHeader(http.StatusAccepted)
		case "/v1/traces":
			w.Header().Set("Content-Type", "application/x-protobuf")
			w.WriteHeader(http.StatusOK)
		default:
			http.NotFound(w, r) // /info: the exporter falls back to LangSmith's defaults
		}
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// freshTrace returns a copy of the reference run under a new trace id, so
// that every iteration is new work (the exporter skips runs it already sent).
func freshTrace(src ptrace.Traces, i int) ptrace.Traces {
	td := ptrace.NewTraces()
	src.CopyTo(td)
	spanwalk.Each(td, func(_ pcommon.Resource, _ pcommon.InstrumentationScope, s ptrace.Span) {
		id := s.TraceID()
		id[0], id[1], id[2], id[3] = byte(i), byte(i>>8), byte(i>>16), byte(i>>24)
		s.SetTraceID(id)
	})
	return td
}

func runExportBenchmark(b *testing.B, c consumer.Traces) {
	src := recordings.MustLoad(b, recordings.Reference)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		td := freshTrace(src, i)
		b.StartTimer()
		if err := c.ConsumeTraces(context.Background(), td); err != nil {
			b.Fatal(err)
		}
	}
}

func startComponent(b *testing.B, c component.Component) {
	if err := c.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Shutdown(context.Background()) })
}

func BenchmarkBaselineOTLPHTTP(b *testing.B) {
	f := otlphttpexporter.NewFactory()
	cfg := f.CreateDefaultConfig().(*otlphttpexporter.Config)
	cfg.ClientConfig.Endpoint = discardServer(b)
	cfg.ClientConfig.Compression = configcompression.TypeZstd
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	exp, err := f.CreateTraces(context.Background(), exportertest.NewNopSettings(f.Type()), cfg)
	if err != nil {
		b.Fatal(err)
	}
	startComponent(b, exp)
	runExportBenchmark(b, exp)
}

func newLangSmithBenchExporter(b *testing.B) consumer.Traces {
	f := langsmithexporter.NewFactory()
	cfg := f.CreateDefaultConfig().(*langsmithexporter.Config)
	cfg.Endpoint = discardServer(b)
	cfg.APIKey = "bench"
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	exp, err := f.CreateTraces(context.Background(), exportertest.NewNopSettings(f.Type()), cfg)
	if err != nil {
		b.Fatal(err)
	}
	startComponent(b, exp)
	return exp
}

func BenchmarkLangSmithExport(b *testing.B) {
	runExportBenchmark(b, newLangSmithBenchExporter(b))
}

// BenchmarkAgentSpanThenLangSmith adds the processor in front; each trace is
// flushed out of its buffer by a Shutdown-free path: a tiny idle timeout would
// measure the timer, so the processor is fed and drained per iteration.
func BenchmarkAgentSpanThenLangSmith(b *testing.B) {
	exp := newLangSmithBenchExporter(b)
	f := agentspanprocessor.NewFactory()
	cfg := f.CreateDefaultConfig()
	src := recordings.MustLoad(b, recordings.Reference)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		td := freshTrace(src, i)
		p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), cfg, exp)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Start(context.Background(), componenttest.NewNopHost()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := p.ConsumeTraces(context.Background(), td); err != nil {
			b.Fatal(err)
		}
		// Shutdown flushes the buffered trace through the exporter.
		if err := p.Shutdown(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
