package runmap

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/jsonenc"
)

// The values the runs of a resource share (its attributes, the last trace id
// and scope name as text) must never leak from one span to another: spans of
// two traces and two scopes interleaved in one resource each get their own.
func TestResourceValuesFollowEachSpan(t *testing.T) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "svc")
	rs.Resource().Attributes().PutStr("bad", "a\xffb")
	type want struct{ trace, span, parent, scope string }
	var wants []want
	for i, scopeName := range []string{"s1", "s2", "s2", "", "s1\xff"} {
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName(scopeName)
		for j := 0; j < 3; j++ {
			s := ss.Spans().AppendEmpty()
			s.SetName("op")
			tid := pcommon.TraceID{byte(1 + j%2)}
			s.SetTraceID(tid)
			sid := pcommon.SpanID{byte(i), byte(j + 1)}
			s.SetSpanID(sid)
			w := want{trace: tid.String(), span: sid.String(), scope: validUTF8(scopeName)}
			if j > 0 {
				pid := pcommon.SpanID{byte(i), byte(j)}
				s.SetParentSpanID(pid)
				w.parent = pid.String()
			}
			s.Attributes().PutStr("service.name", "span-wins")
			wants = append(wants, w)
		}
	}
	m := &Mapper{Project: "p", TenantFor: func(string) Tenant { return Tenant{} }}
	runs := m.Runs(td)
	require.Len(t, runs, len(wants))
	for i, r := range runs {
		md := r.Extra["metadata"].(jsonenc.Object).Map()
		w := wants[i]
		assert.Equal(t, w.trace, md["otel.trace_id"], i)
		assert.Equal(t, w.span, md["otel.span_id"], i)
		if w.parent == "" {
			assert.NotContains(t, md, "otel.parent_span_id", i)
		} else {
			assert.Equal(t, w.parent, md["otel.parent_span_id"], i)
		}
		if w.scope == "" {
			assert.NotContains(t, md, "otel.scope.name", i)
		} else {
			assert.Equal(t, w.scope, md["otel.scope.name"], i)
		}
		assert.Equal(t, "span-wins", md["service.name"], "span attributes override the resource's")
		assert.Equal(t, "a\uFFFDb", md["bad"])
		assert.Equal(t, r.Extra["runtime"], runs[0].Extra["runtime"])
	}
}
