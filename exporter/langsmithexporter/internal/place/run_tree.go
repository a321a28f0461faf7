// Package place is the exporter's first stage, run before the queue while a
// trace is still whole: it gives every span its LangSmith run id, trace id,
// parent run id, clamped start time and dotted_order, and writes them onto
// the span (run_annotations.go) so that each span can later be mapped and
// sent on its own.
package place

import (
	"cmp"
	"slices"
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
// compute its own ids and dotted_order. It points at its parent's placement
// instead of holding its dotted_order and trace id as text: the cache keeps
// ~100k of them, and siblings share their ancestors (32 bytes a run instead
// of ~300 with the text).
type placedRun struct {
	runID  uuid.UUID
	start  int64      // clamped start, Unix microseconds (LangSmith's precision)
	parent *placedRun // nil for the root of a LangSmith trace
}

// traceRunID is the run id of the root of the run's LangSmith trace.
func (p *placedRun) traceRunID() uuid.UUID {
	for p.parent != nil {
		p = p.parent
	}
	return p.runID
}

// dottedOrder renders the run's dotted_order from its chain of ancestors.
func (p *placedRun) dottedOrder() string {
	var chain [8]*placedRun
	path := chain[:0]
	for q := p; q != nil; q = q.parent {
		path = append(path, q)
	}
	b := make([]byte, 0, len(path)*(dottedSegmentLen+1))
	for i := len(path) - 1; i >= 0; i-- {
		if i < len(path)-1 {
			b = append(b, '.')
		}
		b = appendDottedSegment(b, path[i].start, path[i].runID)
	}
	return string(b)
}

// treeNode is one span of the batch being placed.
type treeNode struct {
	span   ptrace.Span
	key    spanKey
	parent spanKey
	placed *placedRun
	// dotted is placed's dotted_order, kept so that children in the same
	// batch extend it instead of rendering their whole chain.
	dotted string
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
	count := td.SpanCount()
	nodes := make(map[spanKey]*treeNode, count)
	order := make([]*treeNode, 0, count)
	block := make([]treeNode, count) // one allocation for the batch's nodes
	threadIDs := map[pcommon.TraceID]string{}
	spanwalk.Each(td, func(_ pcommon.Resource, _ pcommon.InstrumentationScope, s ptrace.Span) {
		n := &block[len(order)]
		*n = treeNode{span: s, key: spanKey{s.TraceID(), s.SpanID()}, parent: spanKey{s.TraceID(), s.ParentSpanID()}}
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
	slices.SortStableFunc(order, func(a, b *treeNode) int {
		return cmp.Compare(a.span.StartTimestamp(), b.span.StartTimestamp())
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
func (t *RunTree) place(n *treeNode, nodes map[spanKey]*treeNode, stats *Stats) *treeNode {
	if n.placed != nil {
		return n
	}
	// A span id seen twice in the batch is placed once; the copy reuses it.
	if first := nodes[n.key]; first != n {
		p := t.place(first, nodes, stats)
		n.placed, n.dotted = p.placed, p.dotted
		writePlacement(n.span, first.span)
		return n
	}
	start := ToMicros(n.span.StartTimestamp().AsTime()).UnixMicro()
	id := runIDFor(n.key.trace, n.key.span, n.span.StartTimestamp().AsTime())

	var parent *placedRun
	var parentDotted string // "" until known
	orphan := false
	if !n.span.ParentSpanID().IsEmpty() {
		if pn, ok := nodes[n.parent]; ok && !pn.visiting && pn != n {
			n.visiting = true
			pn = t.place(pn, nodes, stats)
			n.visiting = false
			parent, parentDotted = pn.placed, pn.dotted
		} else if pc, ok := t.cache.get(n.parent); ok {
			parent = pc
		} else {
			orphan = true
		}
	}
	var traceRunID uuid.UUID
	if parent != nil {
		traceRunID = parent.traceRunID()
	}
	split := false
	if parent != nil && t.cache.runsIn(traceRunID) >= t.maxRunsPerTrace {
		parent, split = nil, true
	}
	p := &placedRun{runID: id, start: start, parent: parent}
	if parent == nil {
		traceRunID = id
		n.dotted = dottedSegment(start, id)
	} else {
		// LangSmith rejects a child that starts before its parent.
		p.start = max(start, parent.start)
		if parentDotted == "" {
			parentDotted = parent.dottedOrder()
		}
		n.dotted = parentDotted + "." + dottedSegment(p.start, id)
	}
	n.placed = p
	attrs := n.span.Attributes()
	// Room for the annotations (and the thread id Annotate adds) in one
	// exact allocation: appending them one by one doubles the attributes.
	attrs.EnsureCapacity(attrs.Len() + annotationsPerSpan)
	attrs.PutStr(AnnotationRunID, id.String())
	attrs.PutStr(AnnotationTraceID, traceRunID.String())
	attrs.PutStr(AnnotationDottedOrder, n.dotted)
	attrs.PutStr(AnnotationStartTime, FormatRunTime(time.UnixMicro(p.start)))
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
	t.cache.put(n.key, p, traceRunID)
	return n
}

// annotationsPerSpan is how many annotations a span gets at most: run id,
// trace id, dotted_order, start time, parent run id, thread id and one of
// orphan / trace split.
const annotationsPerSpan = 7

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
	attrs.PutStr(AnnotationDottedOrder, dottedSegment(start.UnixMicro(), id))
	attrs.PutStr(AnnotationStartTime, FormatRunTime(start))
	if !span.ParentSpanID().IsEmpty() {
		attrs.PutBool(AnnotationOrphan, true)
	}
}
