package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Stitching: an agent runtime started outside the root span (or a gRPC worker
// runtime) can turn every message delivery into the root of a new trace,
// joined to the sender only by a span link. A trace whose root span
// links to a span of another trace is a secondary: it is merged, with
// everything already merged into it, into the group of the trace holding the
// link target. The merged trace goes out under the primary's trace id and each
// secondary root is re-parented to its link target, so the tree is connected.

// rootLink is a root span's link to a span in another trace.
type rootLink struct {
	root       pcommon.SpanID
	target     pcommon.TraceID
	targetSpan pcommon.SpanID
}

// crossTraceLinks returns the links of span that point into other traces.
func crossTraceLinks(span ptrace.Span, own pcommon.TraceID) []rootLink {
	var out []rootLink
	links := span.Links()
	for i := 0; i < links.Len(); i++ {
		l := links.At(i)
		if l.TraceID().IsEmpty() || l.TraceID() == own || l.SpanID().IsEmpty() {
			continue
		}
		out = append(out, rootLink{root: span.SpanID(), target: l.TraceID(), targetSpan: l.SpanID()})
	}
	return out
}

// stitch joins t to the traces its new root links point at. A target still
// buffered is merged; a target already emitted turns t's whole group into
// late spans of it; an unknown target is waited for. It also merges the
// traces that were waiting for t.
func (b *traceBuffer) stitch(t *bufferedTrace, newLinks []rootLink) []emission {
	for _, waiter := range b.waiting[t.id] {
		if w := b.traces[waiter]; w != nil && w.group != t.group {
			b.union(t.group, w.group)
			b.stitched++
		}
	}
	delete(b.waiting, t.id)

	for _, l := range newLinks {
		if t.group.elem == nil {
			break // already emitted as late spans below
		}
		if target := b.traces[l.target]; target != nil {
			if target.group != t.group {
				b.union(target.group, t.group)
				b.stitched++
			}
			continue
		}
		if emitted, ok := b.cache.get(l.target); ok {
			b.stitched++
			return b.emitGroupAsLate(t.group, emitted)
		}
		if b.forward {
			// The target is held by another replica, or will come here
			// through its own partition: either way, its partition's owner.
			if route, ok := b.forwardTo(t, l.target); ok {
				return b.forwardGroup(t.group, route)
			}
		}
		if !containsTraceID(t.waitsOn, l.target) {
			t.waitsOn = append(t.waitsOn, l.target)
			b.waiting[l.target] = append(b.waiting[l.target], t.id)
		}
	}
	return nil
}

// union merges the younger of two groups into the older one, which keeps its
// place in the age order.
func (b *traceBuffer) union(x, y *traceGroup) {
	if x == y {
		return
	}
	older, younger := x, y
	if y.first.Before(x.first) {
		older, younger = y, x
	}
	for _, m := range younger.members {
		m.group = older
	}
	older.members = append(older.members, younger.members...)
	older.spans += younger.spans
	if younger.last.After(older.last) {
		older.last = younger.last
	}
	b.order.Remove(younger.elem)
	younger.elem = nil
}

// emitGroupAsLate sends a group whose link target was already emitted as late
// spans of that trace, and remembers its trace ids as part of it.
func (b *traceBuffer) emitGroupAsLate(g *traceGroup, target *emittedTrace) []emission {
	b.order.Remove(g.elem)
	g.elem = nil
	for _, m := range g.members {
		b.forget(m)
		b.cache.add(m.id, target)
	}
	// One emission for the whole group, after aliasing every member, so that
	// links and parents between members resolve whatever their order.
	merged := emission{kind: emitLate, data: ptrace.NewTraces(), target: target, waits: collectWaits(g.members)}
	for _, m := range g.members {
		e := b.lateEmission(m.id, m.data, m.spans, target)
		for root, parent := range e.rootParents {
			if merged.rootParents == nil {
				merged.rootParents = map[pcommon.SpanID]pcommon.SpanID{}
			}
			merged.rootParents[root] = parent
		}
		m.data.ResourceSpans().MoveAndAppendTo(merged.data.ResourceSpans())
		merged.spans += m.spans
	}
	return []emission{merged}
}

func containsTraceID(ids []pcommon.TraceID, id pcommon.TraceID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// reparentSecondaryRoots gives each stitched secondary root its link target
// as parent, unless the target is missing or that would close a cycle.
func reparentSecondaryRoots(members []*bufferedTrace, spans map[pcommon.SpanID]ptrace.Span) {
	for _, m := range members {
		for _, l := range m.links {
			root, ok := spans[l.root]
			if !ok || !root.ParentSpanID().IsEmpty() {
				continue // missing, or already re-parented by an earlier link
			}
			if _, ok := spans[l.targetSpan]; !ok || reaches(spans, l.targetSpan, l.root) {
				continue
			}
			root.SetParentSpanID(l.targetSpan)
		}
	}
}

// reaches reports whether walking up the parents from start meets goal.
func reaches(spans map[pcommon.SpanID]ptrace.Span, start, goal pcommon.SpanID) bool {
	for id, steps := start, 0; !id.IsEmpty() && steps <= len(spans); steps++ {
		if id == goal {
			return true
		}
		s, ok := spans[id]
		if !ok {
			return false
		}
		id = s.ParentSpanID()
	}
	return false
}
