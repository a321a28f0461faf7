package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// placeLate prepares spans that arrived after their trace was emitted: they
// take the emitted trace's id, and a parent that was folded by the dialect is
// replaced by its nearest emitted ancestor, so the exporter (which remembers
// the runs it sent) puts them under the right run. A stitched secondary root
// hangs under (the survivor of) its link target. The late spans are then
// remembered, so their own late children are placed too.
func placeLate(e emission) ptrace.Traces {
	t := e.target
	if t.survivor == nil {
		t.survivor = map[pcommon.SpanID]pcommon.SpanID{}
	}
	// Spans of this batch are emitted as they are: later lookups find them.
	forEachSpan(e.data, func(span ptrace.Span) { t.survivor[span.SpanID()] = span.SpanID() })
	forEachSpan(e.data, func(span ptrace.Span) {
		span.SetTraceID(t.mergedID)
		parent := span.ParentSpanID()
		if parent.IsEmpty() {
			target, ok := e.rootParents[span.SpanID()]
			if !ok {
				return
			}
			if placed, known := t.placeParent(target); known {
				span.SetParentSpanID(placed)
			}
			return
		}
		if placed, known := t.placeParent(parent); known && placed != span.SpanID() {
			span.SetParentSpanID(placed)
		}
	})
	return e.data
}
