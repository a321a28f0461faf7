package langsmithexporter

import (
	"sort"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
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

// treeStats reports what placing a batch did.
type treeStats struct {
	orphans int
	splits  int
}

// runTree computes, for a batch of spans, everything that needs ancestors:
// run id, trace id, parent run id, dotted_order, clamped start and the trace's
// thread id, and writes it onto the spans (see run_annotations.go). Parents
// are looked up in the batch first, then among runs placed by earlier
// batches, so late spans land under the right run.
type runTree struct {
	cache        *placedRunCache
	threadIDAttr string
	// maxRunsPerTrace is LangSmith's limit; a span that would exceed it
	// starts a continuation trace instead of being refused.
	maxRunsPerTrace int
}

func newRunTree(cache *placedRunCache, threadIDAttr string) *runTree {
	return &runTree{cache: cache, threadIDAttr: threadIDAttr, maxRunsPerTrace: maxRunsPerTrace}
}

// annotate places every span of td and records the placements.
func (t *runTree) annotate(td ptrace.Traces) treeStats {
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

	var stats treeStats
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
			n.span.Attributes().PutStr(annotationThreadID, tid)
		}
	}
	return stats
}

// place computes a node's placement, placing its ancestors first.
func (t *runTree) place(n *treeNode, nodes map[spanKey]*treeNode, stats *treeStats) *placedRun {
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
	start := toMicros(n.span.StartTimestamp().AsTime())
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
	attrs.PutStr(annotationRunID, id.String())
	attrs.PutStr(annotationTraceID, p.traceRunID.String())
	attrs.PutStr(annotationDottedOrder, p.dottedOrder)
	attrs.PutStr(annotationStartTime, formatRunTime(p.start))
	if parent != nil {
		attrs.PutStr(annotationParentRunID, parent.runID.String())
	} else {
		attrs.Remove(annotationParentRunID)
	}
	if orphan {
		attrs.PutBool(annotationOrphan, true)
		stats.orphans++
	} else {
		attrs.Remove(annotationOrphan)
	}
	if split {
		attrs.PutBool(annotationTraceSplit, true)
		stats.splits++
	} else {
		attrs.Remove(annotationTraceSplit)
	}
	t.cache.put(n.key, *p)
	return p
}

// writePlacement copies a placement onto a duplicate of an already placed span.
func writePlacement(dst, src ptrace.Span) {
	for _, k := range []string{annotationRunID, annotationTraceID, annotationParentRunID, annotationDottedOrder, annotationStartTime, annotationOrphan, annotationTraceSplit} {
		if v, ok := src.Attributes().Get(k); ok {
			v.CopyTo(dst.Attributes().PutEmpty(k))
		} else {
			dst.Attributes().Remove(k)
		}
	}
}
