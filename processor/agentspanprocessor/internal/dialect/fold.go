package dialect

import "go.opentelemetry.io/collector/pdata/pcommon"

// Fold removes n and moves its children to n's parent; when n is a root its
// children become roots that keep n's own parent id (a dangling one stays,
// so the exporter can still place them under a late parent).
func (t *Tree) Fold(n *Node) {
	keep := pcommon.NewSpanIDEmpty()
	if n.Parent == nil {
		keep = n.Span.ParentSpanID()
	}
	for _, c := range append([]*Node(nil), n.Children...) {
		t.SetParent(c, n.Parent, keep)
	}
	t.Remove(n)
}

// Nearest returns the closest strict ancestor of n that satisfies is, or nil.
func Nearest(n *Node, is func(*Node) bool) *Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if is(p) {
			return p
		}
	}
	return nil
}

// CopyAttr copies key from one span to another when the source has it and
// the destination does not.
func CopyAttr(from, to *Node, key string) {
	v, ok := from.Span.Attributes().Get(key)
	if !ok {
		return
	}
	if _, has := to.Span.Attributes().Get(key); has {
		return
	}
	v.CopyTo(to.Span.Attributes().PutEmpty(key))
}
