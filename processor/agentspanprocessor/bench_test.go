package agentspanprocessor

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/metadata"
)

// Each benchmark handles a recorded reference run (61 spans).
// BenchmarkBaselineCopySplit only copies it and splits it by trace, the least
// any trace-grouping processor does; bench/run.sh prints the others as ratios
// to it, measured in the same run.

func benchReference(b *testing.B) ptrace.Traces {
	td, err := recordings.Load(recordings.Reference)
	if err != nil {
		b.Fatal(err)
	}
	return td
}

func BenchmarkBaselineCopySplit(b *testing.B) {
	src := benchReference(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		td := ptrace.NewTraces()
		src.CopyTo(td)
		_ = splitByTrace(td)
	}
}

// BenchmarkProcessorBufferAndEmit runs the whole processor: buffer, assemble,
// rewrite, emit (flushed by Shutdown so no timer is measured).
func BenchmarkProcessorBufferAndEmit(b *testing.B) {
	src := benchReference(b)
	cfg := createDefaultConfig().(*Config)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		td := ptrace.NewTraces()
		src.CopyTo(td)
		sink := new(consumertest.TracesSink)
		p, err := newAgentSpanProcessor(processortest.NewNopSettings(metadata.Type), cfg, sink, dialects)
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
		if err := p.Shutdown(context.Background()); err != nil {
			b.Fatal(err)
		}
		if sink.SpanCount() == 0 {
			b.Fatal("nothing emitted")
		}
	}
}
