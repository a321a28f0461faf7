// Package place is the exporter's first stage, run before the queue while a
// trace is still whole: it gives every span its LangSmith run id, trace id,
// parent run id, clamped start time and dotted_order, and writes them onto
// the span (run_annotations.go) so that each span can later be mapped and
// sent on its own.
package place

import (
	"sort"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
)

const (
	// MaxRunsPerTrace is LangSmith's limit: it rejects traces of more runs.
	MaxRunsPerTrace = 25000
	// placedRunCacheSize bounds the memory of where sent runs sit (a few
	// hundred bytes an entry), enough for late spans of the last ~100k spans.
	placedRunCacheSize = 100_000
)

// spanKey identifies a span across traces.
type spanKey struct {
	trace pcommon.TraceID
	span  pcommon.SpanID
}

// placedRun is where a run sits in its LangSmith trace: what a child needs to
// compute its own ids and dotted_order.
type placedRun struct {
	runID       uuid.UUID
	traceRunID  uuid.UUID
	dottedOrder string
	start       time.Time // clamped, microsecond precision
}

// treeNode is one span of the batch being placed.
type treeNode struct {
	span   ptrace.Span
	key    spanKey
	parent spanKey
	placed *placedRun
	// visiting guards against parent cycles in malformed input.
	visiting bool
}

// Stats reports what placing a batch did.
type Stats struct {
	Orphans int
	Splits  int
}

// RunTree computes, for a batch of spans, everything that needs ancestors:
// run id, trace id, parent run id, dotted_order, clamped start and the trace's
// thread id, and writes it onto the spans (see run_annotations.go). Parents
// are looked up in the batch first, then among runs placed by earlier
// batches, so late spans land under the right run.
type RunTree struct {
	cache        *placedRunCache
	threadIDAttr string
	// maxRunsPerTrace is LangSmith's limit; a span that would exceed it
	// starts a continuation trace instead of being refused.
	maxRunsPerTrace int
}

// NewRunTree returns a tree that remembers the last placedRunCacheSize
// placements and spreads the value of threadIDAttr ("" for none) over each
// trace.
func NewRunTree(threadIDAttr string) *RunTree {
	return newRunTree(newPlacedRunCache(placedRunCacheSize), threadIDAttr)
}

func newRunTree(cache *placedRunCache, threadIDAttr string) *RunTree {
	return &RunTree{cache: cache, threadIDAttr: threadIDAttr, maxRunsPerTrace: MaxRunsPerTrace}
}

// Annotate places every span of td and records the placements.
func (t *RunTree) Annotate(td ptrace.Traces) Stats {
	nodes := map[spanKey]*treeNode{}
	var order []*treeNode
	threadIDs := map[pcommon.TraceID]string{}
	spanwalk.Each(td, func(_ pcommon.Resource, _ pcommon.InstrumentationScope, s ptrace.Span) {
		n := &treeNode{span: s, key: spanKey{s.TraceID(), s.SpanID()}, parent: spanKey{s.TraceID(), s.ParentSpanID()}}
		if _, dup := nodes[n.key]; !dup {
			nodes[n.key] = n
		}
		order = append(order, n)
		if t.threadIDAttr != "" {
			if _, seen := threadIDs[s.TraceID()]; !seen {
				if v, ok := s.Attributes().Get(t.threadIDAttr); ok && v.AsString() != "" {
					threadIDs[s.TraceID()] = v.AsString()
				}
			}
		}
	})
	// Parents before children is not required, but placing in start order keeps
	// the work iterative for the common case.
	sort.SliceStable(order, func(a, b int) bool {
		return order[a].span.StartTimestamp() < order[b].span.StartTimestamp()
	})

	var stats Stats
	for _, n := range order {
		t.place(n, nodes, &stats)
	}
	for traceID, tid := range threadIDs {
		t.cache.putThreadID(traceID, tid)
	}
	for _, n := range order {
		tid, ok := threadIDs[n.key.trace]
		if !ok {
			tid, ok = t.cache.threadID(n.key.trace)
		}
		if ok {
			n.span.Attributes().PutStr(AnnotationThreadID, tid)
		}
	}
	return stats
}

// place computes a node's placement, placing its ancestors first.
func (t *RunTree) place(n *treeNode, nodes map[spanKey]*treeNode, stats *Stats) *placedRun {
	if n.placed != nil {
		return n.placed
	}
	// A span id seen twice in the batch is placed once; the copy reuses it.
	if first := nodes[n.key]; first != n {
		p := t.place(first, nodes, stats)
		n.placed = p
		writePlacement(n.span, first.span)
		return p
	}
	start := ToMicros(n.span.StartTimestamp().AsTime())
	id := runIDFor(n.key.trace, n.key.span, n.span.StartTimestamp().AsTime())

	var parent *placedRun
	orphan := false
	if !n.span.ParentSpanID().IsEmpty() {
		if pn, ok := nodes[n.parent]; ok && !pn.visiting && pn != n {
			n.visiting = true
			parent = t.place(pn, nodes, stats)
			n.visiting = false
		} else if pc, ok := t.cache.get(n.parent); ok {
			parent = &pc
		} else {
			orphan = true
		}
	}
	split := false
	if parent != nil && t.cache.runsIn(parent.traceRunID) >= t.maxRunsPerTrace {
		parent, split = nil, true
	}
	p := &placedRun{runID: id}
	if parent == nil {
		p.traceRunID = id
		p.start = start
		p.dottedOrder = dottedSegment(start, id)
	} else {
		p.traceRunID = parent.traceRunID
		p.start = start
		if p.start.Before(parent.start) {
			// LangSmith rejects a child that starts before its parent.
			p.start = parent.start
		}
		p.dottedOrder = parent.dottedOrder + "." + dottedSegment(p.start, id)
	}
	n.placed = p
	attrs := n.span.Attributes()
	attrs.PutStr(AnnotationRunID, id.String())
	attrs.PutStr(AnnotationTraceID, p.traceRunID.String())
	attrs.PutStr(AnnotationDottedOrder, p.dottedOrder)
	attrs.PutStr(AnnotationStartTime, FormatRunTime(p.start))
	if parent != nil {
		attrs.PutStr(AnnotationParentRunID, parent.runID.String())
	} else {
		attrs.Remove(AnnotationParentRunID)
	}
	if orphan {
		attrs.PutBool(AnnotationOrphan, true)
		stats.Orphans++
	} else {
		attrs.Remove(AnnotationOrphan)
	}
	if split {
		attrs.PutBool(AnnotationTraceSplit, true)
		stats.Splits++
	} else {
		attrs.Remove(AnnotationTraceSplit)
	}
	t.cache.put(n.key, *p)
	return p
}

// writePlacement copies a placement onto a duplicate of an already placed span.
func writePlacement(dst, src ptrace.Span) {
	for _, k := range []string{AnnotationRunID, AnnotationTraceID, AnnotationParentRunID, AnnotationDottedOrder, AnnotationStartTime, AnnotationOrphan, AnnotationTraceSplit} {
		if v, ok := src.Attributes().Get(k); ok {
			v.CopyTo(dst.Attributes().PutEmpty(k))
		} else {
			dst.Attributes().Remove(k)
		}
	}
}

// AsRoot places a span that reached the mapping without a placement (it
// cannot be placed after the queue): it becomes the root of its own trace,
// marked as an orphan when it has a parent.
func AsRoot(span ptrace.Span) {
	start := ToMicros(span.StartTimestamp().AsTime())
	id := runIDFor(span.TraceID(), span.SpanID(), span.StartTimestamp().AsTime())
	attrs := span.Attributes()
	attrs.PutStr(AnnotationRunID, id.String())
	attrs.PutStr(AnnotationTraceID, id.String())
	attrs.PutStr(AnnotationDottedOrder, dottedSegment(start, uuid.UUID(id)))
	attrs.PutStr(AnnotationStartTime, FormatRunTime(start))
	if !span.ParentSpanID().IsEmpty() {
		attrs.PutBool(AnnotationOrphan, true)
	}
}
