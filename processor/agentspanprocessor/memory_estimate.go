package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import "go.opentelemetry.io/collector/pdata/ptrace"

// max_buffered_bytes is a memory budget, but what is cheap to know about
// spans is their OTLP protobuf size. Held in pdata, spans take about twice
// that on the heap: every string, attribute and span is an object of its own
// (measured on every recording, 1.6x to 2.1x: memory_estimate_test.go).
// Sizes are therefore counted as heapPerProtoByte times the protobuf size.
const heapPerProtoByte = 2

var sizer ptrace.ProtoMarshaler

// estimateBytes is the heap td is expected to take while it is held.
func estimateBytes(td ptrace.Traces) int64 {
	return heapPerProtoByte * int64(sizer.TracesSize(td))
}
