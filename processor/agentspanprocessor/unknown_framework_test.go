package agentspanprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// unknownFrameworkTrace is a GenAI trace from a framework no dialect knows
// (CrewAI-like scope, semconv operations, an attribute-less plumbing span).
func unknownFrameworkTrace() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "crew-app")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("crewai.telemetry")
	ss.Scope().SetVersion("0.1.0")
	spans := []struct {
		id, parent uint64
		name, op   string
	}{
		{1, 0, "Crew Execution", ""},
		{2, 1, "invoke_agent Researcher", "invoke_agent"},
		{3, 2, "chat gpt-4o", "chat"},
		{4, 2, "execute_tool search", "execute_tool"},
		{5, 1, "Task Handoff", ""},
	}
	for i, s := range spans {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(traceIDOf(7))
		sp.SetSpanID(spanIDOf(s.id))
		if s.parent != 0 {
			sp.SetParentSpanID(spanIDOf(s.parent))
		}
		sp.SetName(s.name)
		sp.SetStartTimestamp(pcommon.Timestamp(1_000_000 * (i + 1)))
		sp.SetEndTimestamp(pcommon.Timestamp(1_000_000 * (i + 10)))
		if s.op != "" {
			sp.Attributes().PutStr("gen_ai.operation.name", s.op)
			sp.Attributes().PutStr("gen_ai.system", "crewai")
		}
	}
	return td
}

// TestUnknownFrameworkPassesThroughUnchanged runs the real registry: no
// dialect matches, so the trace leaves exactly as it came in.
func TestUnknownFrameworkPassesThroughUnchanged(t *testing.T) {
	for _, d := range dialects {
		assert.False(t, d.Matches(unknownFrameworkTrace()), "%s must not claim the trace", d.Name())
	}
	sink := &recordingSink{}
	p := startProcessor(t, testConfig(), sink, dialects, nil)
	require.NoError(t, p.ConsumeTraces(context.Background(), unknownFrameworkTrace()))
	require.NoError(t, p.Shutdown(context.Background()))
	batches, _ := sink.snapshot()
	require.Len(t, batches, 1)

	var m ptrace.JSONMarshaler
	want, err := m.MarshalTraces(unknownFrameworkTrace())
	require.NoError(t, err)
	got, err := m.MarshalTraces(batches[0])
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))
}
