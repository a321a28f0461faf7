package integration

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/langsmithtest"
)

// Under load a span never costs a request of its own: many small traces sent
// one request each are batched by the exporter's queue into few requests.
func TestSmallTracesShareRequests(t *testing.T) {
	p := startPipeline(t, langsmithtest.Options{}, "", "", "", "")
	const traces = 60
	start := time.Now().Add(-time.Minute)
	for i := 0; i < traces; i++ {
		td := ptrace.NewTraces()
		s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		s.SetTraceID(pcommon.TraceID{byte(i + 1), 7})
		s.SetSpanID(pcommon.SpanID{byte(i + 1)})
		s.SetName("tool call")
		s.Attributes().PutStr("gen_ai.operation.name", "execute_tool")
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Millisecond)))
		send(t, p.otlpURL, td)
	}
	runs := waitForStableRuns(t, p.server, traces, 20*time.Second)
	require.Len(t, runs, traces)
	ingest := len(ingestRequests(p.server))
	assert.LessOrEqual(t, ingest, 3, "%d one-span traces took %d requests", traces, ingest)
	assert.Empty(t, p.server.Violations())
}
