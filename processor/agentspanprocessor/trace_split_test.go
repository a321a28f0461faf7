package agentspanprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func TestSplitByTraceKeepsResourceAndScope(t *testing.T) {
	td := buildTraces(
		testSpan{trace: 1, id: 1, service: "a"},
		testSpan{trace: 2, id: 2, service: "a"},
		testSpan{trace: 1, id: 3, parent: 1, service: "b"},
		testSpan{trace: 1, id: 4, parent: 1, service: "a"},
	)
	td.ResourceSpans().At(0).SetSchemaUrl("https://schema/a")
	td.ResourceSpans().At(0).ScopeSpans().At(0).Scope().SetVersion("1.2")
	chunks := splitByTrace(td)
	require.Len(t, chunks, 2)
	assert.Equal(t, traceIDOf(1), chunks[0].traceID, "chunks in order of first appearance")
	assert.Equal(t, 3, chunks[0].spans)
	assert.Equal(t, 1, chunks[1].spans)

	first := chunks[0].data
	require.Equal(t, 2, first.ResourceSpans().Len(), "one resource per original resource")
	a := first.ResourceSpans().At(0)
	assert.Equal(t, "a", mustStr(t, a.Resource().Attributes(), "service.name"))
	assert.Equal(t, "https://schema/a", a.SchemaUrl())
	assert.Equal(t, "1.2", a.ScopeSpans().At(0).Scope().Version())
	assert.Equal(t, 2, a.ScopeSpans().At(0).Spans().Len())
	assert.Equal(t, "b", mustStr(t, first.ResourceSpans().At(1).Resource().Attributes(), "service.name"))
	forEachSpan(first, func(s ptrace.Span) { assert.Equal(t, traceIDOf(1), s.TraceID()) })
}

func TestSplitByTraceEmpty(t *testing.T) {
	assert.Empty(t, splitByTrace(ptrace.NewTraces()))
}
