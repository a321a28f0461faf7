package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// assemble moves the spans of a group's members into one ptrace.Traces under
// traceID. Spans that arrived in different requests but share the same
// resource and scope end up under one ResourceSpans/ScopeSpans again. It
// returns the spans by id as well.
func assemble(members []*bufferedTrace, traceID pcommon.TraceID) (ptrace.Traces, map[pcommon.SpanID]ptrace.Span) {
	out := ptrace.NewTraces()
	resources := map[string]ptrace.ResourceSpans{}
	scopes := map[string]ptrace.SpanSlice{}
	for _, m := range members {
		rss := m.data.ResourceSpans()
		for i := 0; i < rss.Len(); i++ {
			rs := rss.At(i)
			rkey := resourceKey(rs)
			dst, ok := resources[rkey]
			if !ok {
				dst = out.ResourceSpans().AppendEmpty()
				rs.Resource().MoveTo(dst.Resource())
				dst.SetSchemaUrl(rs.SchemaUrl())
				resources[rkey] = dst
			}
			sss := rs.ScopeSpans()
			for j := 0; j < sss.Len(); j++ {
				ss := sss.At(j)
				skey := rkey + "\x00" + scopeKey(ss)
				spans, ok := scopes[skey]
				if !ok {
					nss := dst.ScopeSpans().AppendEmpty()
					ss.Scope().MoveTo(nss.Scope())
					nss.SetSchemaUrl(ss.SchemaUrl())
					spans = nss.Spans()
					scopes[skey] = spans
				}
				ss.Spans().MoveAndAppendTo(spans)
			}
		}
	}
	byID := map[pcommon.SpanID]ptrace.Span{}
	forEachSpan(out, func(span ptrace.Span) {
		span.SetTraceID(traceID)
		byID[span.SpanID()] = span
	})
	return out, byID
}

func resourceKey(rs ptrace.ResourceSpans) string {
	// fmt prints maps with sorted keys, so equal attribute sets give equal keys.
	return fmt.Sprintf("%q|%v|%d", rs.SchemaUrl(), rs.Resource().Attributes().AsRaw(),
		rs.Resource().DroppedAttributesCount())
}

func scopeKey(ss ptrace.ScopeSpans) string {
	s := ss.Scope()
	return fmt.Sprintf("%q|%q|%q|%v|%d", ss.SchemaUrl(), s.Name(), s.Version(), s.Attributes().AsRaw(),
		s.DroppedAttributesCount())
}

// parentsOf records every span's parent span id.
func parentsOf(td ptrace.Traces) map[pcommon.SpanID]pcommon.SpanID {
	parents := map[pcommon.SpanID]pcommon.SpanID{}
	forEachSpan(td, func(span ptrace.Span) { parents[span.SpanID()] = span.ParentSpanID() })
	return parents
}

// survivors maps every span id of the trace before the dialect's rewrite to
// its nearest ancestor (itself included) still present after the rewrite; an
// empty id means none survived and a late child becomes a root.
func survivors(before map[pcommon.SpanID]pcommon.SpanID, after ptrace.Traces) survivorIndex {
	present := map[pcommon.SpanID]bool{}
	forEachSpan(after, func(span ptrace.Span) { present[span.SpanID()] = true })
	out := make(map[pcommon.SpanID]pcommon.SpanID, len(before))
	var path []pcommon.SpanID
	for id := range before {
		path = path[:0]
		cur := id
		var found pcommon.SpanID
		for steps := 0; !cur.IsEmpty() && steps <= len(before); steps++ {
			if s, ok := out[cur]; ok {
				found = s
				break
			}
			if present[cur] {
				found = cur
				break
			}
			path = append(path, cur)
			p, ok := before[cur]
			if !ok {
				break // parent outside the trace: nothing survives above
			}
			cur = p
		}
		for _, p := range path {
			out[p] = found
		}
		if present[id] {
			out[id] = id
		}
	}
	return newSurvivorIndex(out)
}
