package dialecttest

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// SplitByTrace cuts a recording into one ptrace.Traces per trace id, in order
// of first appearance, as the processor's buffer hands traces to dialects.
func SplitByTrace(td ptrace.Traces) []ptrace.Traces {
	var order []pcommon.TraceID
	out := map[pcommon.TraceID]ptrace.Traces{}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			for k := 0; k < ss.Spans().Len(); k++ {
				s := ss.Spans().At(k)
				one, ok := out[s.TraceID()]
				if !ok {
					one = ptrace.NewTraces()
					out[s.TraceID()] = one
					order = append(order, s.TraceID())
				}
				nrs := one.ResourceSpans().AppendEmpty()
				rs.Resource().CopyTo(nrs.Resource())
				nss := nrs.ScopeSpans().AppendEmpty()
				ss.Scope().CopyTo(nss.Scope())
				s.CopyTo(nss.Spans().AppendEmpty())
			}
		}
	}
	res := make([]ptrace.Traces, 0, len(order))
	for _, id := range order {
		res = append(res, out[id])
	}
	return res
}
