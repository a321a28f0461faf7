package dialect

import (
	"cmp"
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Node is one span of a Tree with the location it lives in, so that
// dialects can walk, re-parent, add and remove spans without caring how the
// trace is split over resources and scopes.
type Node struct {
	Span  ptrace.Span
	Scope ptrace.ScopeSpans
	Res   ptrace.ResourceSpans
	// Parent and Children are changed through Tree.SetParent only.
	Parent *Node
	// Children are ordered by start time, then by original position.
	Children []*Node
	// Dangling is set when the span names a parent that is not in the trace
	// (kept as is: the exporter places such spans once their parent arrives).
	Dangling bool
	Removed  bool
	// Added marks spans a dialect created (Tree.AddSpan).
	Added bool
	order int
}

// Order numbers the spans of a tree from 0 in input order (added spans
// last), so that a dialect can keep per-span state in a slice; it is
// meaningless after Compact.
func (n *Node) Order() int { return n.order }

// Name is the span's name.
func (n *Node) Name() string { return n.Span.Name() }

// Attr returns an attribute as a string, or "" when absent.
func (n *Node) Attr(key string) string {
	v, ok := n.Span.Attributes().Get(key)
	if !ok {
		return ""
	}
	return v.AsString()
}

// HasAttr reports whether the span has the attribute.
func (n *Node) HasAttr(key string) bool {
	_, ok := n.Span.Attributes().Get(key)
	return ok
}

// Tree indexes the spans of one ptrace.Traces as a tree.
type Tree struct {
	td ptrace.Traces
	// Nodes holds every span in input order (added spans last).
	Nodes []*Node
	// ByID finds a span by id; with duplicate ids the first span wins.
	ByID map[pcommon.SpanID]*Node
	// live is Live's last result, for len(Nodes) == liveOf nodes; Live
	// checks it before returning it again (see there).
	live   []*Node
	liveOf int
}

// NewTree indexes td. Parent ids that form a cycle are cut (the span that
// closes the cycle becomes a root) so every walk up the tree terminates.
// The nodes, their children and the index are allocated up front in a few
// blocks: a tree is built for every emitted trace.
func NewTree(td ptrace.Traces) *Tree {
	count := td.SpanCount()
	t := &Tree{td: td, Nodes: make([]*Node, 0, count), ByID: make(map[pcommon.SpanID]*Node, count)}
	block := make([]Node, count)
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			for k := 0; k < ss.Spans().Len(); k++ {
				n := &block[len(t.Nodes)]
				*n = Node{Span: ss.Spans().At(k), Scope: ss, Res: rs, order: len(t.Nodes)}
				t.Nodes = append(t.Nodes, n)
				id := n.Span.SpanID()
				if id.IsEmpty() {
					continue
				}
				// Duplicate ids: the first span wins as the parent target.
				if _, dup := t.ByID[id]; !dup {
					t.ByID[id] = n
				}
			}
		}
	}
	for _, n := range t.Nodes {
		pid := n.Span.ParentSpanID()
		if pid.IsEmpty() {
			continue
		}
		p, ok := t.ByID[pid]
		if !ok {
			n.Dangling = true
			continue
		}
		if p == n {
			n.Span.SetParentSpanID(pcommon.NewSpanIDEmpty())
			continue
		}
		n.Parent = p
	}
	t.breakCycles()
	t.linkChildren()
	return t
}

// linkChildren fills every node's Children, ordered by start time, from one
// shared block cut to each node's exact count (full slice expressions: a
// later append reallocates instead of overwriting a sibling's children).
func (t *Tree) linkChildren() {
	counts := make([]int32, len(t.Nodes))
	linked := 0
	for _, n := range t.Nodes {
		if n.Parent != nil {
			counts[n.Parent.order]++
			linked++
		}
	}
	block := make([]*Node, linked)
	at := 0
	for _, n := range t.Nodes {
		if c := int(counts[n.order]); c > 0 {
			n.Children = block[at : at : at+c]
			at += c
		}
	}
	for _, n := range t.Nodes {
		if n.Parent != nil {
			n.Parent.Children = append(n.Parent.Children, n)
		}
	}
	for _, n := range t.Nodes {
		SortByStart(n.Children)
	}
}

// breakCycles cuts the parent link of one span of every parent-id cycle.
func (t *Tree) breakCycles() {
	const (
		unvisited = 0
		active    = 1
		done      = 2
	)
	// Indexed by Node.order, which NewTree numbers from 0.
	state := make([]uint8, len(t.Nodes))
	var path []*Node
	for _, start := range t.Nodes {
		path = path[:0]
		n := start
		for n != nil && state[n.order] == unvisited {
			state[n.order] = active
			path = append(path, n)
			if n.Parent != nil && state[n.Parent.order] == active {
				// n closes a cycle: make it a root.
				n.Parent = nil
				n.Span.SetParentSpanID(pcommon.NewSpanIDEmpty())
				break
			}
			n = n.Parent
		}
		for _, p := range path {
			state[p.order] = done
		}
	}
}

// SortByStart orders spans by start time, then by input order.
func SortByStart(ns []*Node) {
	// slices, not sort.SliceStable: no reflection and no allocation.
	slices.SortStableFunc(ns, compareByStart)
}

func compareByStart(a, b *Node) int {
	if c := cmp.Compare(a.Span.StartTimestamp(), b.Span.StartTimestamp()); c != 0 {
		return c
	}
	return cmp.Compare(a.order, b.order)
}

// Roots returns the spans without a parent in the tree, by start time.
func (t *Tree) Roots() []*Node {
	var out []*Node
	for _, n := range t.Nodes {
		if n.Parent == nil && !n.Removed {
			out = append(out, n)
		}
	}
	SortByStart(out)
	return out
}

// Live returns the spans not marked removed, in start-time order. The
// result must not be modified: a rewrite asks for it a dozen times, so the
// last one is returned again while it is still right, i.e. no span was added
// (AddSpan and Compact drop it), none of its spans was removed since (spans
// are never restored) and its order still holds (a start time may change).
func (t *Tree) Live() []*Node {
	if t.live != nil && t.liveOf == len(t.Nodes) && t.stillLive() {
		return t.live
	}
	out := make([]*Node, 0, len(t.Nodes))
	for _, n := range t.Nodes {
		if !n.Removed {
			out = append(out, n)
		}
	}
	SortByStart(out)
	t.live, t.liveOf = out, len(t.Nodes)
	return out
}

// stillLive reports whether t.live holds no removed span and is in order.
func (t *Tree) stillLive() bool {
	for i, n := range t.live {
		if n.Removed || (i > 0 && compareByStart(t.live[i-1], n) > 0) {
			return false
		}
	}
	return true
}

// SetParent moves n under p (nil: n becomes a root, or keeps a parent id
// that is outside the trace when keepID is not empty).
func (t *Tree) SetParent(n, p *Node, keepID pcommon.SpanID) {
	if n.Parent == p && p != nil {
		return
	}
	if n.Parent != nil {
		kids := n.Parent.Children
		for i, c := range kids {
			if c == n {
				n.Parent.Children = append(kids[:i:i], kids[i+1:]...)
				break
			}
		}
	}
	n.Parent = p
	n.Dangling = false
	if p == nil {
		n.Span.SetParentSpanID(keepID)
		n.Dangling = !keepID.IsEmpty()
		return
	}
	n.Span.SetParentSpanID(p.Span.SpanID())
	p.Children = append(p.Children, n)
	SortByStart(p.Children)
}

// IsAncestor reports whether a is a strict ancestor of n.
func (t *Tree) IsAncestor(a, n *Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p == a {
			return true
		}
	}
	return false
}

// AddSpan appends a new span to scope ss of resource rs; set its id, then
// call Index.
func (t *Tree) AddSpan(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans) *Node {
	n := &Node{Span: ss.Spans().AppendEmpty(), Scope: ss, Res: rs, Added: true, order: len(t.Nodes)}
	t.Nodes = append(t.Nodes, n)
	t.live = nil
	return n
}

// Index registers a span id set after AddSpan.
func (t *Tree) Index(n *Node) {
	if id := n.Span.SpanID(); !id.IsEmpty() {
		t.ByID[id] = n
	}
}

// Remove marks n for removal; its children must have been moved first.
func (t *Tree) Remove(n *Node) {
	n.Removed = true
	if n.Parent != nil {
		kids := n.Parent.Children
		for i, c := range kids {
			if c == n {
				n.Parent.Children = append(kids[:i:i], kids[i+1:]...)
				break
			}
		}
	}
}

// Compact deletes the removed spans from td, and the scopes and resources
// that became empty because of it. Span handles compare by identity (they
// wrap stable pointers), so a set of handles finds the spans to delete.
func (t *Tree) Compact() {
	drop := map[ptrace.Span]bool{}
	for _, n := range t.Nodes {
		if n.Removed {
			drop[n.Span] = true
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
	t.live = nil
	kept := t.Nodes[:0]
	for _, n := range t.Nodes {
		if !n.Removed {
			kept = append(kept, n)
		}
	}
	t.Nodes = kept
}
