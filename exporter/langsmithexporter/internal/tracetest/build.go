// Package tracetest makes the traces the exporter's tests feed in: small
// traces built span by span, and recordings as the agent_span processor
// hands them to the exporter.
package tracetest

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
)

// T0 is the start of every trace Build makes; spans start at offsets from it.
var T0 = time.Date(2025, 1, 1, 12, 0, 0, 123456789, time.UTC)

// Span is one span of a built trace: ids are the last byte of the span id (0
// for no parent), times are offsets from T0.
type Span struct {
	ID, Parent byte
	Start, End time.Duration
	Attrs      map[string]string
}

// TraceID is the trace id Build gives trace b.
func TraceID(b byte) pcommon.TraceID {
	return pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, b}
}

// SpanID is the span id of Span.ID b.
func SpanID(b byte) pcommon.SpanID {
	if b == 0 {
		return pcommon.SpanID{}
	}
	return pcommon.SpanID{0, 0, 0, 0, 0, 0, 0, b}
}

// Build makes one trace of spans, in the order given.
func Build(trace byte, spans ...Span) ptrace.Traces {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for _, s := range spans {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(TraceID(trace))
		sp.SetSpanID(SpanID(s.ID))
		sp.SetParentSpanID(SpanID(s.Parent))
		sp.SetName("span")
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(T0.Add(s.Start)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(T0.Add(s.End)))
		for k, v := range s.Attrs {
			sp.Attributes().PutStr(k, v)
		}
	}
	return td
}

// SpansByID indexes the spans of td by the last byte of their span id.
func SpansByID(td ptrace.Traces) map[byte]ptrace.Span {
	out := map[byte]ptrace.Span{}
	spanwalk.Each(td, func(_ pcommon.Resource, _ pcommon.InstrumentationScope, s ptrace.Span) {
		id := s.SpanID()
		out[id[7]] = s
	})
	return out
}

// Attr is a span attribute as text, "" when absent.
func Attr(s ptrace.Span, k string) string {
	v, ok := s.Attributes().Get(k)
	if !ok {
		return ""
	}
	return v.AsString()
}
