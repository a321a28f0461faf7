package autogen

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/dialecttest"
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
	tree := dialect.NewTree(td)
	var main pcommon.TraceID
	for _, r := range tree.Roots() {
		if r.Span.Links().Len() == 0 && r.Name() == "run_team" {
			main = r.Span.TraceID()
		}
	}
	for _, n := range tree.Nodes {
		if n.Parent == nil && n.Span.Links().Len() > 0 {
			if target, ok := tree.ByID[n.Span.Links().At(0).SpanID()]; ok && !tree.IsAncestor(n, target) && target != n {
				tree.SetParent(n, target, pcommon.NewSpanIDEmpty())
			}
		}
	}
	for _, n := range tree.Nodes {
		n.Span.SetTraceID(main)
	}
}

// recordedTeamID reads the team id the recording carries.
func recordedTeamID(t *testing.T, td ptrace.Traces) string {
	t.Helper()
	for _, s := range dialecttest.AllSpans(td) {
		n := &dialect.Node{Span: s}
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
			require.True(t, Dialect{}.Matches(td))
			if tc.stitch {
				stitchLikeBuffer(td)
			}
			teamID := recordedTeamID(t, td)
			before := td.SpanCount()
			stats := rewriteWith(td, false)
			assert.Equal(t, tc.tree, dialecttest.RenderTree(td))
			assert.Equal(t, 1, stats.SpansAdded)
			assert.Equal(t, before-stats.SpansFolded+stats.SpansAdded, td.SpanCount())
			dialecttest.AssertParentsValid(t, td)
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
				assert.Equal(t, want[i], dialecttest.AttrStr(s, attrSelectedSpeaker))
				assert.Equal(t, "chat", dialecttest.AttrStr(s, attrGenAIOperation))
				assert.Equal(t, "openai", dialecttest.AttrStr(s, attrGenAIProvider))
			}
			for _, s := range dialecttest.SpansNamed(td, "openai.chat") {
				assert.Equal(t, "chat", dialecttest.AttrStr(s, attrGenAIOperation))
				assert.Equal(t, "openai", dialecttest.AttrStr(s, attrGenAIProvider))
			}
			team := dialecttest.AllSpans(td)[0]
			for _, s := range dialecttest.AllSpans(td) {
				if dialecttest.AttrStr(s, attrGenAIOperation) == "invoke_workflow" {
					team = s
				}
			}
			assert.Equal(t, teamID, dialecttest.AttrStr(team, attrTeamID))
			ps, ok := team.Attributes().Get("autogen.team.participants")
			require.True(t, ok)
			assert.Equal(t, []any{"PlanningAgent", "DataAnalystAgent"}, ps.Slice().AsRaw())
		})
	}
}

func spansInStartOrder(td ptrace.Traces, name string) []ptrace.Span {
	var out []ptrace.Span
	for _, n := range dialect.NewTree(td).Live() {
		if n.Name() == name {
			out = append(out, n.Span)
		}
	}
	return out
}

func TestAutogenRecordingsKeepPlumbing(t *testing.T) {
	for _, name := range recordings.Names() {
		if !strings.HasPrefix(name, "autogen-") {
			continue // other frameworks' recordings
		}
		t.Run(name, func(t *testing.T) {
			td := recordings.MustLoad(t, name)
			ids := map[pcommon.SpanID]bool{}
			for _, s := range dialecttest.AllSpans(td) {
				ids[s.SpanID()] = true
			}
			stats := rewriteWith(td, true)
			assert.Zero(t, stats.SpansFolded)
			assert.Equal(t, len(ids)+stats.SpansAdded, td.SpanCount())
			for _, s := range dialecttest.AllSpans(td) {
				delete(ids, s.SpanID())
			}
			assert.Empty(t, ids)
			dialecttest.AssertParentsValid(t, td)
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
`, dialecttest.RenderTree(td))
	dialecttest.AssertParentsValid(t, td)
	assertToolSpan(t, td, fxResult)
	for _, s := range dialecttest.SpansNamed(td, "openai.chat") {
		assert.Equal(t, "DataAnalystAgent", dialecttest.AttrStr(s, attrGenAIAgentName))
	}
}

func TestAutogenRecordingTwoRuns(t *testing.T) {
	td := recordings.MustLoad(t, recordings.TwoRuns)
	teamID := recordedTeamID(t, td)
	rewriteWith(td, false)
	dialecttest.AssertParentsValid(t, td)
	assertNoPlumbing(t, td)
	tree := dialect.NewTree(td)
	var teams []*dialect.Node
	for _, r := range tree.Roots() {
		require.Equal(t, "run_team", r.Name())
		require.Len(t, r.Children, 1)
		teams = append(teams, r.Children[0])
	}
	require.Len(t, teams, 2)
	assert.NotEqual(t, teams[0].Span.SpanID(), teams[1].Span.SpanID())
	for _, tm := range teams {
		assert.Equal(t, "SelectorGroupChat", tm.Name())
		assert.Equal(t, teamID, tm.Attr(attrGenAIConversationID))
		assert.Equal(t, tm.Parent.Span.TraceID(), tm.Span.TraceID())
	}
	assert.Len(t, teams[0].Children, 6)
	assert.Len(t, dialecttest.SpansNamed(td, "select speaker"), 5)
}
