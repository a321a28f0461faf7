package integration

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/collectortest"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/langsmithtest"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
)

// Without the processor, the exporter alone must still deliver every span of a
// real AutoGen trace as a valid run: one run per span, zero rule violations,
// LLM runs complete, in at most two requests.
func TestExporterDeliversRecordedAutoGenTraceAsIs(t *testing.T) {
	p := startPipeline(t, langsmithtest.Options{}, "", "", "", "")
	td := recordings.MustLoad(t, "autogen-0.7.5-reference")
	spans := td.SpanCount()
	send(t, p.otlpURL, td)

	runs := waitForStableRuns(t, p.server, spans, 30*time.Second)
	require.Len(t, runs, spans, "one run per span")
	assert.Empty(t, p.server.Violations())
	assert.Empty(t, p.server.Check())

	tr := newTree(runs)
	require.Len(t, tr.roots, 1, "one trace")
	assert.Equal(t, "run_team", tr.roots[0].Name)
	llm := 0
	for _, r := range runs {
		if r.RunType == "llm" {
			llm++
			assertLLMRunComplete(t, r, true)
		}
		assert.Equal(t, "integration", r.SessionName)
		assert.Equal(t, tr.roots[0].ID, r.TraceID)
	}
	assert.Equal(t, 6, llm, "six openai.chat spans")

	ingest := ingestRequests(p.server)
	for _, req := range ingest {
		assert.Equal(t, "zstd", req.ContentEncoding)
	}
	assert.LessOrEqual(t, len(ingest), 2, "a 61-span trace costs at most two requests")
}

// A collector that restarts and resends what LangSmith already stored meets
// 409 on every run, which counts as delivered: nothing is duplicated and
// nothing is retried forever.
func TestExporterResendIsIdempotent(t *testing.T) {
	p := startPipeline(t, langsmithtest.Options{}, "", "", "", "")
	td := recordings.MustLoad(t, "autogen-0.7.5-reference")
	send(t, p.otlpURL, td)
	first := waitForStableRuns(t, p.server, td.SpanCount(), 30*time.Second)
	p.col.Shutdown()

	port := collectortest.FreePort(t)
	collectortest.Start(t, pipelineConfig(port, p.server.URL(), "", "", "", ""))
	send(t, fmt.Sprintf("http://127.0.0.1:%d/v1/traces", port), recordings.MustLoad(t, "autogen-0.7.5-reference"))
	require.Eventually(t, func() bool {
		for _, req := range p.server.Requests() {
			if req.Status == 409 {
				return true
			}
		}
		return false
	}, 10*time.Second, 50*time.Millisecond, "the resend met LangSmith's 409")
	time.Sleep(500 * time.Millisecond)
	assert.Len(t, p.server.Runs(), len(first), "no duplicate runs")
	assert.Empty(t, p.server.Violations())
}
