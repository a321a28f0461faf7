package agentspanprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
)

// Real recorded runs (internal/recordings): the rules must rebuild the
// target tree from what AutoGen and openllmetry actually emit.

const roundRobinTree = `run_team
  RoundRobinGroupChat
    PlanningAgent
      openai.chat
    DataAnalystAgent
      openai.chat
      percentage_change
    PlanningAgent
      openai.chat
`

// stitchLikeBuffer does what the trace buffer does with a run split over
// several traces: one trace id, and each secondary root re-parented to the
// span its first link points at.
func stitchLikeBuffer(td ptrace.Traces) {
	tree := newSpanTree(td)
	var main pcommon.TraceID
	for _, r := range tree.roots() {
		if r.span.Links().Len() == 0 && r.name() == "run_team" {
			main = r.span.TraceID()
		}
	}
	for _, n := range tree.nodes {
		if n.parent == nil && n.span.Links().Len() > 0 {
			if target, ok := tree.byID[n.span.Links().At(0).SpanID()]; ok && !tree.isAncestor(n, target) && target != n {
				tree.setParent(n, target, pcommon.NewSpanIDEmpty())
			}
		}
	}
	for _, n := range tree.nodes {
		n.span.SetTraceID(main)
	}
}

// recordedTeamID reads the team id the recording carries.
func recordedTeamID(t *testing.T, td ptrace.Traces) string {
	t.Helper()
	for _, s := range allSpans(td) {
		n := &spanNode{span: s}
		if id := ownTeamID(n); id != "" {
			return id
		}
	}
	t.Fatal("no team id in recording")
	return ""
}

func TestAutogenRecordings(t *testing.T) {
	const errResult = "statistics backend unavailable (start=214.0, end=398.0)"
	for _, tc := range []struct {
		name   string
		tree   string
		result string
		stitch bool
	}{
		{recordings.Reference, selectorTree, fxResult, false},
		{recordings.ContentOff, selectorTree, fxResult, false},
		{recordings.Streaming, selectorTree, fxResult, false},
		{recordings.ToolError, selectorTree, errResult, false},
		{recordings.RuntimeTracingOff, selectorTree, "", false},
		{recordings.RuntimeOutsideRoot, selectorTree, fxResult, true},
		{recordings.RoundRobin, roundRobinTree, fxResult, false},
		{"autogen-0.6.4-openllmetry-0.47.5", selectorTree, "", false},
		{"autogen-0.5.7-openllmetry-0.54.0", selectorTree, "", false},
		{"autogen-0.4.9.3-openllmetry-0.40.14", selectorTree, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			td := recordings.MustLoad(t, tc.name)
			require.True(t, autogenDialect{}.matches(td))
			if tc.stitch {
				stitchLikeBuffer(td)
			}
			teamID := recordedTeamID(t, td)
			before := td.SpanCount()
			stats := rewriteWith(td, false)
			assert.Equal(t, tc.tree, renderTree(td))
			assert.Equal(t, 1, stats.SpansAdded)
			assert.Equal(t, before-stats.SpansFolded+stats.SpansAdded, td.SpanCount())
			assertParentsValid(t, td)
			assertNoPlumbing(t, td)
			manager := "SelectorGroupChatManager"
			if tc.tree == roundRobinTree {
				manager = "RoundRobinGroupChatManager"
			}
			assertAgentContextFor(t, td, manager, teamID)
			tool := assertToolSpan(t, td, tc.result)
			if tc.name == recordings.ToolError {
				assert.Equal(t, ptrace.StatusCodeError, tool.Status().Code())
			}
			want := []string{"PlanningAgent", "DataAnalystAgent", "PlanningAgent"}
			for i, s := range spansInStartOrder(td, "select speaker") {
				assert.Equal(t, want[i], attrStr(s, attrSelectedSpeaker))
				assert.Equal(t, "chat", attrStr(s, attrGenAIOperation))
				assert.Equal(t, "openai", attrStr(s, attrGenAIProvider))
			}
			for _, s := range spansNamed(td, "openai.chat") {
				assert.Equal(t, "chat", attrStr(s, attrGenAIOperation))
				assert.Equal(t, "openai", attrStr(s, attrGenAIProvider))
			}
			team := allSpans(td)[0]
			for _, s := range allSpans(td) {
				if attrStr(s, attrGenAIOperation) == "invoke_workflow" {
					team = s
				}
			}
			assert.Equal(t, teamID, attrStr(team, attrTeamID))
			ps, ok := team.Attributes().Get("autogen.team.participants")
			require.True(t, ok)
			assert.Equal(t, []any{"PlanningAgent", "DataAnalystAgent"}, ps.Slice().AsRaw())
		})
	}
}

func spansInStartOrder(td ptrace.Traces, name string) []ptrace.Span {
	var out []ptrace.Span
	for _, n := range newSpanTree(td).live() {
		if n.name() == name {
			out = append(out, n.span)
		}
	}
	return out
}

func TestAutogenRecordingsKeepPlumbing(t *testing.T) {
	for _, name := range recordings.Names() {
		t.Run(name, func(t *testing.T) {
			td := recordings.MustLoad(t, name)
			ids := map[pcommon.SpanID]bool{}
			for _, s := range allSpans(td) {
				ids[s.SpanID()] = true
			}
			stats := rewriteWith(td, true)
			assert.Zero(t, stats.SpansFolded)
			assert.Equal(t, len(ids)+stats.SpansAdded, td.SpanCount())
			for _, s := range allSpans(td) {
				delete(ids, s.SpanID())
			}
			assert.Empty(t, ids)
			assertParentsValid(t, td)
		})
	}
}

func TestAutogenRecordingAgentAlone(t *testing.T) {
	td := recordings.MustLoad(t, recordings.AgentAlone)
	stats := rewriteWith(td, false)
	assert.Zero(t, stats.SpansAdded)
	assert.Equal(t, `run_agent
  DataAnalystAgent
    openai.chat
    percentage_change
    openai.chat
`, renderTree(td))
	assertParentsValid(t, td)
	assertToolSpan(t, td, fxResult)
	for _, s := range spansNamed(td, "openai.chat") {
		assert.Equal(t, "DataAnalystAgent", attrStr(s, attrGenAIAgentName))
	}
}

func TestAutogenRecordingTwoRuns(t *testing.T) {
	td := recordings.MustLoad(t, recordings.TwoRuns)
	teamID := recordedTeamID(t, td)
	rewriteWith(td, false)
	assertParentsValid(t, td)
	assertNoPlumbing(t, td)
	tree := newSpanTree(td)
	var teams []*spanNode
	for _, r := range tree.roots() {
		require.Equal(t, "run_team", r.name())
		require.Len(t, r.children, 1)
		teams = append(teams, r.children[0])
	}
	require.Len(t, teams, 2)
	assert.NotEqual(t, teams[0].span.SpanID(), teams[1].span.SpanID())
	for _, tm := range teams {
		assert.Equal(t, "SelectorGroupChat", tm.name())
		assert.Equal(t, teamID, tm.attr(attrGenAIConversationID))
		assert.Equal(t, tm.parent.span.TraceID(), tm.span.TraceID())
	}
	assert.Len(t, teams[0].children, 6)
	assert.Len(t, spansNamed(td, "select speaker"), 5)
}
