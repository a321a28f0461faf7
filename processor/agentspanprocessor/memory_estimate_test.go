package agentspanprocessor

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
)

// The estimate behind max_buffered_bytes stays close to the heap that
// buffered spans really take: each recording of one trace is decoded from
// OTLP protobuf (as the receiver does) and split into its buffered chunk many
// times, and the live heap is compared with the estimate.
func TestMemoryEstimateMatchesHeap(t *testing.T) {
	for _, name := range []string{recordings.Reference, recordings.Streaming, recordings.OpenInference, recordings.RuntimeTracingOff} {
		t.Run(name, func(t *testing.T) {
			td, err := recordings.Load(name)
			require.NoError(t, err)
			body, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
			require.NoError(t, err)
			const copies = 100
			kept := make([]ptrace.Traces, 0, copies)
			var estimate int64
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for range copies {
				in, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(body)
				require.NoError(t, err)
				chunks := splitByTrace(in)
				require.Len(t, chunks, 1)
				kept = append(kept, chunks[0].data)
				estimate += chunks[0].bytes
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
			runtime.KeepAlive(kept)
			ratio := heap / float64(estimate)
			t.Logf("heap %.0f KiB, estimate %d KiB: %.2f", heap/1024, estimate/1024, ratio)
			assert.InDelta(t, 1.0, ratio, 0.3, "heap per estimated byte")
		})
	}
}
