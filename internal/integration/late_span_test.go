package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/langsmithtest"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
)

// A span that arrives after its trace left the processor still lands in the
// same LangSmith trace, under the run that replaced its folded parent; a late
// plumbing span is folded like its siblings were.
func TestLateSpansJoinTheirEmittedTrace(t *testing.T) {
	p := startPipeline(t, langsmithtest.Options{}, "agent_span", agentSpanConfig, "", "")
	td := recordings.MustLoad(t, recordings.Reference)
	// Find a runtime `process` span that turns fold away, and its scope.
	var traceID pcommon.TraceID
	var folded ptrace.Span
	spanwalk.Each(td, func(_ pcommon.Resource, _ pcommon.InstrumentationScope, s ptrace.Span) {
		traceID = s.TraceID()
		if folded == (ptrace.Span{}) && strings.HasPrefix(s.Name(), "autogen process ") {
			folded = s
		}
	})
	require.NotEqual(t, ptrace.Span{}, folded)
	foldedID, at := folded.SpanID(), folded.StartTimestamp()
	send(t, p.otlpURL, td)
	first := waitForStableRuns(t, p.server, 12, 30*time.Second)
	root := newTree(first).roots[0]

	late := ptrace.NewTraces()
	rs := late.ResourceSpans().AppendEmpty()
	plumbing := rs.ScopeSpans().AppendEmpty()
	plumbing.Scope().SetName("autogen SingleThreadedAgentRuntime")
	pl := plumbing.Spans().AppendEmpty()
	pl.SetTraceID(traceID)
	pl.SetSpanID(pcommon.SpanID{0xfe, 1})
	pl.SetParentSpanID(foldedID)
	pl.SetName("autogen publish late_topic.(x)-T")
	pl.SetStartTimestamp(at + 1000)
	pl.SetEndTimestamp(at + 2000)
	user := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	user.SetTraceID(traceID)
	user.SetSpanID(pcommon.SpanID{0xfe, 2})
	user.SetParentSpanID(pcommon.SpanID{0xfe, 1})
	user.SetName("late user step")
	user.SetStartTimestamp(at + 1500)
	user.SetEndTimestamp(at + 1800)
	send(t, p.otlpURL, late)

	runs := waitForStableRuns(t, p.server, len(first)+1, 30*time.Second)
	require.Len(t, runs, len(first)+1, "the late user span arrives; the late plumbing span is folded")
	assert.Empty(t, p.server.Violations())
	assert.Empty(t, p.server.Check())
	tr := newTree(runs)
	var got *langsmithtest.Run
	for _, r := range runs {
		if r.Name == "late user step" {
			r := r
			got = &r
		}
	}
	require.NotNil(t, got)
	assert.Equal(t, root.ID, got.TraceID, "in the same LangSmith trace")
	parent, ok := tr.byID[got.ParentRunID]
	require.True(t, ok, "under a run that was sent")
	assert.NotContains(t, parent.Name, "autogen ", "under a kept run, not plumbing")
}
