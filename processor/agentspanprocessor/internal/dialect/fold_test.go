package dialect

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// chain builds spans 1..n, each the child of the one before; span 1's parent
// is `rootParent` (0: none, else an id outside the trace).
func chain(n int, rootParent byte) ptrace.Traces {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for i := 1; i <= n; i++ {
		s := ss.Spans().AppendEmpty()
		s.SetSpanID(pcommon.SpanID{byte(i)})
		s.SetName(string(rune('a' + i - 1)))
		s.SetStartTimestamp(pcommon.Timestamp(i))
		if i > 1 {
			s.SetParentSpanID(pcommon.SpanID{byte(i - 1)})
		} else if rootParent != 0 {
			s.SetParentSpanID(pcommon.SpanID{rootParent})
		}
	}
	return td
}

func TestFoldMovesChildrenToTheParent(t *testing.T) {
	td := chain(3, 0)
	tree := NewTree(td)
	tree.Fold(tree.ByID[pcommon.SpanID{2}])
	tree.Compact()
	require.Equal(t, 2, td.SpanCount())
	c := NewTree(td).ByID[pcommon.SpanID{3}]
	assert.Equal(t, "a", c.Parent.Name())
}

func TestFoldOfARootKeepsItsDanglingParent(t *testing.T) {
	td := chain(2, 9)
	tree := NewTree(td)
	tree.Fold(tree.ByID[pcommon.SpanID{1}])
	tree.Compact()
	b := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, "b", b.Name())
	assert.Equal(t, pcommon.SpanID{9}, b.ParentSpanID(), "still placed under the late parent")
}

func TestNearestAndCopyAttr(t *testing.T) {
	td := chain(3, 0)
	tree := NewTree(td)
	a, c := tree.ByID[pcommon.SpanID{1}], tree.ByID[pcommon.SpanID{3}]
	a.Span.Attributes().PutStr("k", "v")
	assert.Equal(t, a, Nearest(c, func(n *Node) bool { return n.HasAttr("k") }))
	assert.Nil(t, Nearest(a, func(*Node) bool { return true }))
	CopyAttr(a, c, "k")
	assert.Equal(t, "v", c.Attr("k"))
	c.Span.Attributes().PutStr("k", "mine")
	CopyAttr(a, c, "k")
	assert.Equal(t, "mine", c.Attr("k"), "an attribute already set is kept")
}
