package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
)

// placeLate prepares spans that arrived after their trace was emitted: they
// take the emitted trace's id, and a parent that was folded by the dialect is
// replaced by its nearest emitted ancestor, so the exporter (which remembers
// the runs it sent) puts them under the right run. A stitched secondary root
// hangs under (the survivor of) its link target. Late plumbing spans are
// folded as the dialect folded their siblings. The late spans are then
// remembered, so their own late children are placed too. A span the trace
// already held (a record read again after a Kafka rebalance, a sender's
// retry) left with it and is dropped: sent again on its own, a span the
// dialect folded would come back as a run. It returns the spans to emit, how
// many were folded and how many were repeats.
func placeLate(e emission) (_ ptrace.Traces, folded, repeated int) {
	t := e.target
	var repeats map[pcommon.SpanID]bool // rare: allocated at the first
	forEachSpan(e.data, func(span ptrace.Span) {
		// A parent the trace only referenced maps to no survivor: it may
		// still arrive. So does a span folded with every ancestor, which is
		// then placed again like any late span.
		if s, known := t.survivor.get(span.SpanID()); known && !s.IsEmpty() {
			if repeats == nil {
				repeats = map[pcommon.SpanID]bool{}
			}
			repeats[span.SpanID()] = true
		}
	})
	if len(repeats) > 0 {
		removeSpans(e.data, repeats)
	}
	fold := map[pcommon.SpanID]bool{}
	spanwalk.Each(e.data, func(_ pcommon.Resource, scope pcommon.InstrumentationScope, span ptrace.Span) {
		if t.folder != nil && t.folder.FoldsLate(scope, span) {
			fold[span.SpanID()] = true
			// Until resolved below, a folded span stands for its parent.
			t.survivor.set(span.SpanID(), span.ParentSpanID())
			return
		}
		// Spans of this batch are emitted as they are: later lookups find them.
		t.survivor.set(span.SpanID(), span.SpanID())
	})
	forEachSpan(e.data, func(span ptrace.Span) {
		if fold[span.SpanID()] {
			return
		}
		span.SetTraceID(t.mergedID)
		parent := span.ParentSpanID()
		if parent.IsEmpty() {
			target, ok := e.rootParents[span.SpanID()]
			if !ok {
				return
			}
			if placed, known := t.resolve(target); known {
				span.SetParentSpanID(placed)
			}
			return
		}
		if placed, known := t.resolve(parent); known && placed != span.SpanID() {
			span.SetParentSpanID(placed)
		}
	})
	for id := range fold {
		if s, ok := t.resolve(id); ok {
			t.survivor.set(id, s)
		}
	}
	if len(fold) > 0 {
		removeSpans(e.data, fold)
	}
	return e.data, len(fold), len(repeats)
}

// resolve follows the survivor map from id to an emitted span (one that maps
// to itself) or, past a folded root, to no parent. An id the trace never held
// is unknown, unless a folded span led to it: then it is where that folded
// span hung. Bounded, so a malformed chain cannot loop.
func (e *emittedTrace) resolve(id pcommon.SpanID) (pcommon.SpanID, bool) {
	moved := false
	for range 64 {
		s, ok := e.survivor.get(id)
		if !ok {
			return id, moved
		}
		if s == id || s.IsEmpty() {
			return s, true
		}
		id, moved = s, true
	}
	return id, false
}

// removeSpans drops the given spans from td.
func removeSpans(td ptrace.Traces, ids map[pcommon.SpanID]bool) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			sss.At(j).Spans().RemoveIf(func(s ptrace.Span) bool { return ids[s.SpanID()] })
		}
	}
}
