package spanwalk

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func TestEachVisitsEverySpanWithItsResourceAndScope(t *testing.T) {
	td := ptrace.NewTraces()
	for r := 0; r < 2; r++ {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutInt("r", int64(r))
		for s := 0; s < 2; s++ {
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName(string(rune('a' + s)))
			ss.Spans().AppendEmpty().SetName("x")
			ss.Spans().AppendEmpty().SetName("y")
		}
	}
	var seen []string
	Each(td, func(res pcommon.Resource, scope pcommon.InstrumentationScope, span ptrace.Span) {
		r, _ := res.Attributes().Get("r")
		seen = append(seen, r.AsString()+scope.Name()+span.Name())
	})
	assert.Equal(t, []string{"0ax", "0ay", "0bx", "0by", "1ax", "1ay", "1bx", "1by"}, seen)

	SetTraceID(td, pcommon.TraceID{7})
	Each(td, func(_ pcommon.Resource, _ pcommon.InstrumentationScope, span ptrace.Span) {
		assert.Equal(t, pcommon.TraceID{7}, span.TraceID())
	})
}
