package agentspanprocessor

import (
	"sort"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// spanNode is one span of a spanTree with the location it lives in, so that
// dialects can walk, re-parent, add and remove spans without caring how the
// trace is split over resources and scopes.
type spanNode struct {
	span   ptrace.Span
	scope  ptrace.ScopeSpans
	res    ptrace.ResourceSpans
	parent *spanNode
	// children are ordered by start time, then by original position.
	children []*spanNode
	// dangling is set when the span names a parent that is not in the trace
	// (kept as is: the exporter places such spans once their parent arrives).
	dangling bool
	removed  bool
	added    bool
	order    int
}

func (n *spanNode) name() string { return n.span.Name() }

func (n *spanNode) attr(key string) string {
	v, ok := n.span.Attributes().Get(key)
	if !ok {
		return ""
	}
	return v.AsString()
}

func (n *spanNode) hasAttr(key string) bool {
	_, ok := n.span.Attributes().Get(key)
	return ok
}

// spanTree indexes the spans of one ptrace.Traces as a tree.
type spanTree struct {
	td    ptrace.Traces
	nodes []*spanNode
	byID  map[pcommon.SpanID]*spanNode
}

// newSpanTree indexes td. Parent ids that form a cycle are cut (the span that
// closes the cycle becomes a root) so every walk up the tree terminates.
func newSpanTree(td ptrace.Traces) *spanTree {
	t := &spanTree{td: td, byID: map[pcommon.SpanID]*spanNode{}}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			for k := 0; k < ss.Spans().Len(); k++ {
				n := &spanNode{span: ss.Spans().At(k), scope: ss, res: rs, order: len(t.nodes)}
				t.nodes = append(t.nodes, n)
				id := n.span.SpanID()
				if id.IsEmpty() {
					continue
				}
				// Duplicate ids: the first span wins as the parent target.
				if _, dup := t.byID[id]; !dup {
					t.byID[id] = n
				}
			}
		}
	}
	for _, n := range t.nodes {
		pid := n.span.ParentSpanID()
		if pid.IsEmpty() {
			continue
		}
		p, ok := t.byID[pid]
		if !ok {
			n.dangling = true
			continue
		}
		if p == n {
			n.span.SetParentSpanID(pcommon.NewSpanIDEmpty())
			continue
		}
		n.parent = p
	}
	t.breakCycles()
	for _, n := range t.nodes {
		if n.parent != nil {
			n.parent.children = append(n.parent.children, n)
		}
	}
	for _, n := range t.nodes {
		sortByStart(n.children)
	}
	return t
}

// breakCycles cuts the parent link of one span of every parent-id cycle.
func (t *spanTree) breakCycles() {
	const (
		unvisited = 0
		active    = 1
		done      = 2
	)
	state := make(map[*spanNode]int, len(t.nodes))
	for _, start := range t.nodes {
		var path []*spanNode
		n := start
		for n != nil && state[n] == unvisited {
			state[n] = active
			path = append(path, n)
			if n.parent != nil && state[n.parent] == active {
				// n closes a cycle: make it a root.
				n.parent = nil
				n.span.SetParentSpanID(pcommon.NewSpanIDEmpty())
				break
			}
			n = n.parent
		}
		for _, p := range path {
			state[p] = done
		}
	}
}

func sortByStart(ns []*spanNode) {
	sort.SliceStable(ns, func(i, j int) bool {
		si, sj := ns[i].span.StartTimestamp(), ns[j].span.StartTimestamp()
		if si != sj {
			return si < sj
		}
		return ns[i].order < ns[j].order
	})
}

// roots returns the spans without a parent in the tree, by start time.
func (t *spanTree) roots() []*spanNode {
	var out []*spanNode
	for _, n := range t.nodes {
		if n.parent == nil && !n.removed {
			out = append(out, n)
		}
	}
	sortByStart(out)
	return out
}

// live returns the spans not marked removed, in start-time order.
func (t *spanTree) live() []*spanNode {
	out := make([]*spanNode, 0, len(t.nodes))
	for _, n := range t.nodes {
		if !n.removed {
			out = append(out, n)
		}
	}
	sortByStart(out)
	return out
}

// setParent moves n under p (nil: n becomes a root, or keeps a parent id
// that is outside the trace when keepID is not empty).
func (t *spanTree) setParent(n, p *spanNode, keepID pcommon.SpanID) {
	if n.parent == p && p != nil {
		return
	}
	if n.parent != nil {
		kids := n.parent.children
		for i, c := range kids {
			if c == n {
				n.parent.children = append(kids[:i:i], kids[i+1:]...)
				break
			}
		}
	}
	n.parent = p
	n.dangling = false
	if p == nil {
		n.span.SetParentSpanID(keepID)
		n.dangling = !keepID.IsEmpty()
		return
	}
	n.span.SetParentSpanID(p.span.SpanID())
	p.children = append(p.children, n)
	sortByStart(p.children)
}

// isAncestor reports whether a is a strict ancestor of n.
func (t *spanTree) isAncestor(a, n *spanNode) bool {
	for p := n.parent; p != nil; p = p.parent {
		if p == a {
			return true
		}
	}
	return false
}

// addSpan appends a new span to scope ss of resource rs and indexes it.
func (t *spanTree) addSpan(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans) *spanNode {
	n := &spanNode{span: ss.Spans().AppendEmpty(), scope: ss, res: rs, added: true, order: len(t.nodes)}
	t.nodes = append(t.nodes, n)
	return n
}

// index registers a span id set after addSpan.
func (t *spanTree) index(n *spanNode) {
	if id := n.span.SpanID(); !id.IsEmpty() {
		t.byID[id] = n
	}
}

// remove marks n for removal; its children must have been moved first.
func (t *spanTree) remove(n *spanNode) {
	n.removed = true
	if n.parent != nil {
		kids := n.parent.children
		for i, c := range kids {
			if c == n {
				n.parent.children = append(kids[:i:i], kids[i+1:]...)
				break
			}
		}
	}
}

// compact deletes the removed spans from td, and the scopes and resources
// that became empty because of it. Span handles compare by identity (they
// wrap stable pointers), so a set of handles finds the spans to delete.
func (t *spanTree) compact() {
	drop := map[ptrace.Span]bool{}
	for _, n := range t.nodes {
		if n.removed {
			drop[n.span] = true
		}
	}
	if len(drop) == 0 {
		return
	}
	t.td.ResourceSpans().RemoveIf(func(rs ptrace.ResourceSpans) bool {
		emptied := false
		rs.ScopeSpans().RemoveIf(func(ss ptrace.ScopeSpans) bool {
			if ss.Spans().Len() == 0 {
				return false
			}
			ss.Spans().RemoveIf(func(s ptrace.Span) bool { return drop[s] })
			if ss.Spans().Len() == 0 {
				emptied = true
				return true
			}
			return false
		})
		return emptied && rs.ScopeSpans().Len() == 0
	})
	kept := t.nodes[:0]
	for _, n := range t.nodes {
		if !n.removed {
			kept = append(kept, n)
		}
	}
	t.nodes = kept
}
