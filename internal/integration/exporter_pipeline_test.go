package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

	ingest := 0
	for _, req := range p.server.Requests() {
		if strings.HasPrefix(req.Path, "/runs") {
			ingest++
			assert.Equal(t, "zstd", req.ContentEncoding)
		}
	}
	assert.LessOrEqual(t, ingest, 2, "a 61-span trace costs at most two requests")
}

// A resend of the same trace meets 409 on every run and still counts as
// delivered: nothing is duplicated, nothing retried forever.
func TestExporterResendIsIdempotent(t *testing.T) {
	p := startPipeline(t, langsmithtest.Options{}, "", "", "", "")
	td := recordings.MustLoad(t, "autogen-0.7.5-reference")
	send(t, p.otlpURL, td)
	first := waitForStableRuns(t, p.server, td.SpanCount(), 30*time.Second)
	send(t, p.otlpURL, recordings.MustLoad(t, "autogen-0.7.5-reference"))
	time.Sleep(time.Second)
	assert.Len(t, p.server.Runs(), len(first), "no duplicate runs")
	conflicts := 0
	for _, req := range p.server.Requests() {
		if req.Status == 409 {
			conflicts++
		}
	}
	assert.Positive(t, conflicts, "the resend met LangSmith's 409")
	assert.Empty(t, p.server.Violations())
}
