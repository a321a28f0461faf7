package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
)

// traceChunk is the part of one request that belongs to one trace, with each
// span still under a copy of its original resource and scope.
type traceChunk struct {
	traceID pcommon.TraceID
	data    ptrace.Traces
	spans   int
	bytes   int64 // estimated heap (memory_estimate.go)
	// source: the kafka record it came in, if any (kafka_forward.go).
	source kafkaSource
}

// splitByTrace moves the spans of td into one chunk per trace id, in order of
// first appearance, each with its estimated size. td is consumed (the
// processor declares MutatesData).
func splitByTrace(td ptrace.Traces) []traceChunk {
	var chunks []traceChunk
	index := map[pcommon.TraceID]int{}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			// Destination span slice per trace for this resource+scope pair.
			dest := map[pcommon.TraceID]ptrace.SpanSlice{}
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				id := span.TraceID()
				out, ok := dest[id]
				if !ok {
					n, seen := index[id]
					if !seen {
						n = len(chunks)
						index[id] = n
						chunks = append(chunks, traceChunk{traceID: id, data: ptrace.NewTraces()})
					}
					nrs := chunks[n].data.ResourceSpans().AppendEmpty()
					rs.Resource().CopyTo(nrs.Resource())
					nrs.SetSchemaUrl(rs.SchemaUrl())
					nss := nrs.ScopeSpans().AppendEmpty()
					ss.Scope().CopyTo(nss.Scope())
					nss.SetSchemaUrl(ss.SchemaUrl())
					out = nss.Spans()
					dest[id] = out
				}
				span.MoveTo(out.AppendEmpty())
				chunks[index[id]].spans++
			}
		}
	}
	for i := range chunks {
		chunks[i].bytes = estimateBytes(chunks[i].data)
	}
	return chunks
}

// forEachSpan calls fn for every span of td.
func forEachSpan(td ptrace.Traces, fn func(span ptrace.Span)) {
	spanwalk.Each(td, func(_ pcommon.Resource, _ pcommon.InstrumentationScope, s ptrace.Span) { fn(s) })
}
