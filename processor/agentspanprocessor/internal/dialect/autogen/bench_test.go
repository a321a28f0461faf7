package autogen

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// The benchmarks handle the recorded reference run (61 spans); bench/run.sh
// prints BenchmarkAutoGenRewrite as a ratio to copying the run alone.

func benchReference(b *testing.B) ptrace.Traces {
	src, err := recordings.Load(recordings.Reference)
	if err != nil {
		b.Fatal(err)
	}
	return src
}

func BenchmarkBaselineCopy(b *testing.B) {
	src := benchReference(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src.CopyTo(ptrace.NewTraces())
	}
}

func BenchmarkAutoGenRewrite(b *testing.B) {
	src := benchReference(b)
	d := Dialect{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		td := ptrace.NewTraces()
		src.CopyTo(td)
		if !d.Matches(td) {
			b.Fatal("reference trace not recognised")
		}
		d.Rewrite(td, dialect.Options{})
	}
}
