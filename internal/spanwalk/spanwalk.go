// Package spanwalk visits the spans of pdata traces, so that the components,
// tests and tools do not each repeat the resource -> scope -> span loops.
package spanwalk

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Each calls fn for every span of td, with its resource and scope, in order.
func Each(td ptrace.Traces, fn func(res pcommon.Resource, scope pcommon.InstrumentationScope, span ptrace.Span)) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				fn(rs.Resource(), ss.Scope(), spans.At(k))
			}
		}
	}
}

// SetTraceID moves every span of td to trace id.
func SetTraceID(td ptrace.Traces, id pcommon.TraceID) {
	Each(td, func(_ pcommon.Resource, _ pcommon.InstrumentationScope, s ptrace.Span) { s.SetTraceID(id) })
}
