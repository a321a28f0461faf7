package autogen

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/dialecttest"
)

func assertNoPlumbing(t *testing.T, td ptrace.Traces) {
	t.Helper()
	for _, s := range dialecttest.AllSpans(td) {
		assert.False(t, strings.HasPrefix(s.Name(), "autogen "), "plumbing span left: %s", s.Name())
		assert.False(t, strings.HasPrefix(s.Name(), "create_agent "), "create_agent span left: %s", s.Name())
	}
}

const selectorTree = `run_team
  SelectorGroupChat
    select speaker
    PlanningAgent
      openai.chat
    select speaker
    DataAnalystAgent
      openai.chat
      percentage_change
    select speaker
    PlanningAgent
      openai.chat
`

func rewriteWith(td ptrace.Traces, keep bool) dialect.Stats {
	d := Dialect{}
	return d.Rewrite(td, dialect.Options{KeepPlumbing: keep})
}

// assertAgentContext checks agent name and conversation id on every LLM and
// tool span, and the manager on selector calls.
func assertAgentContext(t *testing.T, td ptrace.Traces, manager string) {
	t.Helper()
	assertAgentContextFor(t, td, manager, fxTeamID)
}

func assertAgentContextFor(t *testing.T, td ptrace.Traces, manager, teamID string) {
	t.Helper()
	tree := dialect.NewTree(td)
	for _, n := range tree.Nodes {
		if n.Name() != "openai.chat" && n.Name() != "percentage_change" && n.Name() != "select speaker" {
			continue
		}
		assert.Equal(t, teamID, n.Attr(attrGenAIConversationID), "conversation id on %s", n.Name())
		if n.Name() == "select speaker" {
			assert.Equal(t, manager, n.Attr(attrGenAIAgentName))
			continue
		}
		require.NotNil(t, n.Parent, n.Name())
		assert.Equal(t, n.Parent.Name(), n.Attr(attrGenAIAgentName), "agent name on %s", n.Name())
	}
}

func assertToolSpan(t *testing.T, td ptrace.Traces, wantResult string) ptrace.Span {
	t.Helper()
	tools := dialecttest.SpansNamed(td, "percentage_change")
	require.Len(t, tools, 1)
	tool := tools[0]
	assert.Equal(t, "execute_tool", dialecttest.AttrStr(tool, attrGenAIOperation))
	assert.Equal(t, "percentage_change", dialecttest.AttrStr(tool, attrGenAIToolName))
	assert.Equal(t, "tool", dialecttest.AttrStr(tool, attrLangsmithSpanKind))
	assert.Equal(t, fxCallID, dialecttest.AttrStr(tool, attrGenAIToolCallID))
	assert.JSONEq(t, fxArgs, dialecttest.AttrStr(tool, attrGenAIToolCallArgs))
	if wantResult == "" {
		_, ok := tool.Attributes().Get(attrGenAIToolCallResult)
		assert.False(t, ok, "no result expected")
	} else {
		assert.Equal(t, wantResult, dialecttest.AttrStr(tool, attrGenAIToolCallResult))
	}
	return tool
}

func teamSpan(t *testing.T, td ptrace.Traces, name string) ptrace.Span {
	t.Helper()
	ts := dialecttest.SpansNamed(td, name)
	require.Len(t, ts, 1)
	return ts[0]
}

func TestAutogenReferenceRun(t *testing.T) {
	td := referenceRun(fxOptions{})
	require.Len(t, dialecttest.AllSpans(td), 61)
	require.True(t, Dialect{}.Matches(td))

	stats := rewriteWith(td, false)
	assert.Equal(t, selectorTree, dialecttest.RenderTree(td))
	assert.Equal(t, dialect.Stats{SpansFolded: 50, SpansAdded: 1}, stats) // 48 runtime + 2 create_agent
	assert.Len(t, dialecttest.AllSpans(td), 12)
	dialecttest.AssertParentsValid(t, td)
	assertNoPlumbing(t, td)
	assertAgentContext(t, td, "SelectorGroupChatManager")
	assertToolSpan(t, td, fxResult)

	team := teamSpan(t, td, "SelectorGroupChat")
	assert.Equal(t, "invoke_workflow", dialecttest.AttrStr(team, attrGenAIOperation))
	assert.Equal(t, "SelectorGroupChat", dialecttest.AttrStr(team, attrGenAIWorkflowName))
	assert.Equal(t, fxTeamID, dialecttest.AttrStr(team, attrTeamID))
	assert.Equal(t, fxTeamID, dialecttest.AttrStr(team, attrGenAIConversationID))
	assert.Equal(t, "chain", dialecttest.AttrStr(team, attrLangsmithSpanKind))
	assert.Equal(t, ptrace.SpanKindInternal, team.Kind())
	ps, ok := team.Attributes().Get("autogen.team.participants")
	require.True(t, ok)
	assert.Equal(t, []any{"PlanningAgent", "DataAnalystAgent"}, ps.Slice().AsRaw())
	assert.Contains(t, dialecttest.AttrStr(team, "autogen.team.participant_descriptions"), "An agent for performing calculations.")
	assert.Contains(t, dialecttest.AttrStr(team, attrGenAIInputMessages), "Compute the percentage change")
	v, _ := team.Attributes().Get("autogen.terminated")
	assert.True(t, v.Bool())

	// Team spans first..last span of the team: GroupChatStart create (+2ms)
	// to the end of the last group-topic delivery (+9690.7ms).
	root := dialecttest.SpansNamed(td, "run_team")[0]
	assert.Equal(t, int64(2e6), int64(team.StartTimestamp()-root.StartTimestamp()))
	assert.Equal(t, int64(9690.7e6), int64(team.EndTimestamp()-root.StartTimestamp()))
	assert.Equal(t, root.SpanID(), team.ParentSpanID())
	assert.Equal(t, root.TraceID(), team.TraceID())

	// Selectors: renamed, who they chose, and each ends before its turn.
	sel := dialecttest.SpansNamed(td, "select speaker")
	require.Len(t, sel, 3)
	tree := dialect.NewTree(td)
	teamNode := tree.ByID[team.SpanID()]
	kids := teamNode.Children
	require.Len(t, kids, 6)
	want := []string{"PlanningAgent", "DataAnalystAgent", "PlanningAgent"}
	for i := 0; i < 3; i++ {
		s, turn := kids[2*i], kids[2*i+1]
		assert.Equal(t, "select speaker", s.Name())
		assert.Equal(t, want[i], s.Attr(attrSelectedSpeaker))
		assert.Equal(t, "llm", s.Attr(attrLangsmithSpanKind))
		assert.LessOrEqual(t, s.Span.EndTimestamp(), turn.Span.StartTimestamp())
		assert.Equal(t, want[i], turn.Name())
		assert.Equal(t, "invoke_agent", turn.Attr(attrGenAIOperation))
		assert.Equal(t, want[i], turn.Attr(attrGenAIAgentName))
		assert.Equal(t, "chain", turn.Attr(attrLangsmithSpanKind))
		assert.Equal(t, fxTeamID, turn.Attr(attrGenAIConversationID))
	}
	// Final answers of turns from GroupChatAgentResponse payloads.
	assert.Contains(t, kids[3].Attr(attrGenAIOutputMessages), fxResult)
	assert.Contains(t, kids[5].Attr(attrGenAIOutputMessages), "TERMINATE")
}

func TestAutogenTeamSpanIDDeterministic(t *testing.T) {
	a, b := referenceRun(fxOptions{}), referenceRun(fxOptions{})
	rewriteWith(a, false)
	rewriteWith(b, false)
	ta, tb := teamSpan(t, a, "SelectorGroupChat"), teamSpan(t, b, "SelectorGroupChat")
	assert.Equal(t, ta.SpanID(), tb.SpanID())
	assert.False(t, ta.SpanID().IsEmpty())

	// A second run of the same team object (another trace) gets its own span.
	c := referenceRun(fxOptions{traceSeed: 7})
	rewriteWith(c, false)
	tc := teamSpan(t, c, "SelectorGroupChat")
	assert.NotEqual(t, ta.SpanID(), tc.SpanID())
	assert.Equal(t, dialecttest.AttrStr(ta, attrGenAIConversationID), dialecttest.AttrStr(tc, attrGenAIConversationID))
}

func TestAutogenKeepPlumbing(t *testing.T) {
	td := referenceRun(fxOptions{})
	before := map[pcommon.SpanID]bool{}
	for _, s := range dialecttest.AllSpans(td) {
		before[s.SpanID()] = true
	}
	stats := rewriteWith(td, true)
	assert.Equal(t, dialect.Stats{SpansFolded: 0, SpansAdded: 1}, stats)
	after := dialecttest.AllSpans(td)
	assert.Len(t, after, 62)
	for _, s := range after {
		delete(before, s.SpanID())
	}
	assert.Empty(t, before, "original spans lost")
	dialecttest.AssertParentsValid(t, td)
	// Annotation still happens; the team's top-level plumbing and the run's
	// turns sit under the team span.
	team := teamSpan(t, td, "SelectorGroupChat")
	tree := dialect.NewTree(td)
	root := dialecttest.SpansNamed(td, "run_team")[0]
	for _, c := range tree.ByID[root.SpanID()].Children {
		assert.Contains(t, []string{"SelectorGroupChat", "create_agent PlanningAgent", "create_agent DataAnalystAgent"}, c.Name())
	}
	assert.Len(t, dialecttest.SpansNamed(td, "select speaker"), 3)
	assert.Len(t, dialecttest.SpansNamed(td, "PlanningAgent"), 2)
	turn := tree.ByID[dialecttest.SpansNamed(td, "DataAnalystAgent")[0].SpanID()]
	assert.True(t, tree.IsAncestor(tree.ByID[team.SpanID()], turn))
}

func TestAutogenRuntimeTracingOff(t *testing.T) {
	td := runtimeOffRun(fxOptions{})
	require.True(t, Dialect{}.Matches(td))
	stats := rewriteWith(td, false)
	assert.Equal(t, selectorTree, dialecttest.RenderTree(td))
	assert.Equal(t, dialect.Stats{SpansFolded: 2, SpansAdded: 1}, stats)
	dialecttest.AssertParentsValid(t, td)
	assertAgentContext(t, td, "SelectorGroupChatManager")
	// No next LLM call and no runtime payload: the result is unknown.
	assertToolSpan(t, td, "")
	team := teamSpan(t, td, "SelectorGroupChat")
	assert.Equal(t, fxTeamID, dialecttest.AttrStr(team, attrGenAIConversationID))
	sel := dialecttest.SpansNamed(td, "select speaker")
	require.Len(t, sel, 3)
	assert.Equal(t, "DataAnalystAgent", dialecttest.AttrStr(sel[1], attrSelectedSpeaker))
	// Team spans first..last member.
	assert.Equal(t, sel[0].StartTimestamp(), team.StartTimestamp())
	assert.Equal(t, dialecttest.SpansNamed(td, "PlanningAgent")[1].EndTimestamp(), team.EndTimestamp())
}

func TestAutogenOlderVersionsAndFormats(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   fxOptions
		result string
	}{
		{"0.6.4 content-less payloads", fxOptions{autogen: "0.6.4"}, ""},
		{"0.5.7 process turns", fxOptions{autogen: "0.5.7"}, ""},
		{"0.4.9 base_tool, legacy openllmetry", fxOptions{autogen: "0.4.9", legacyLLM: true}, ""},
		{"0.7.5 legacy openllmetry", fxOptions{legacyLLM: true}, fxResult},
	} {
		t.Run(tc.name, func(t *testing.T) {
			td := referenceRun(tc.opts)
			require.True(t, Dialect{}.Matches(td))
			rewriteWith(td, false)
			assert.Equal(t, selectorTree, dialecttest.RenderTree(td))
			dialecttest.AssertParentsValid(t, td)
			assertNoPlumbing(t, td)
			assertAgentContext(t, td, "SelectorGroupChatManager")
			assertToolSpan(t, td, tc.result)
			for _, s := range append(dialecttest.SpansNamed(td, "openai.chat"), dialecttest.SpansNamed(td, "select speaker")...) {
				assert.Equal(t, "chat", dialecttest.AttrStr(s, attrGenAIOperation))
				assert.Equal(t, "openai", dialecttest.AttrStr(s, attrGenAIProvider))
				assert.Equal(t, "llm", dialecttest.AttrStr(s, attrLangsmithSpanKind))
			}
			if tc.opts.legacyLLM {
				// Legacy keys stay for the exporter.
				assert.NotEmpty(t, dialecttest.AttrStr(dialecttest.SpansNamed(td, "openai.chat")[0], "gen_ai.prompt.0.content"))
			}
			for _, name := range []string{"PlanningAgent", "DataAnalystAgent"} {
				for _, s := range dialecttest.SpansNamed(td, name) {
					assert.Equal(t, "invoke_agent", dialecttest.AttrStr(s, attrGenAIOperation))
					assert.Equal(t, fxTeamID, dialecttest.AttrStr(s, attrGenAIConversationID))
				}
			}
		})
	}
}

func TestAutogenRoundRobin(t *testing.T) {
	td := referenceRun(fxOptions{roundRobin: true})
	rewriteWith(td, false)
	assert.Equal(t, roundRobinTree, dialecttest.RenderTree(td))
	dialecttest.AssertParentsValid(t, td)
	team := teamSpan(t, td, "RoundRobinGroupChat")
	assert.Equal(t, "RoundRobinGroupChatManager", dialecttest.AttrStr(team, "autogen.team.manager"))
}

func TestAutogenToolError(t *testing.T) {
	td := referenceRun(fxOptions{toolError: true})
	rewriteWith(td, false)
	assert.Equal(t, selectorTree, dialecttest.RenderTree(td))
	tool := assertToolSpan(t, td, "ZeroDivisionError: float division by zero")
	assert.Equal(t, ptrace.StatusCodeError, tool.Status().Code())
}

func TestAutogenContentOff(t *testing.T) {
	// 0.7.5: arguments and result still come from the runtime payloads.
	td := referenceRun(fxOptions{contentOff: true})
	rewriteWith(td, false)
	assert.Equal(t, selectorTree, dialecttest.RenderTree(td))
	assertToolSpan(t, td, fxResult)
	// Selected speakers still known from the GroupChatRequestPublish spans.
	for _, s := range dialecttest.SpansNamed(td, "select speaker") {
		assert.NotEmpty(t, dialecttest.AttrStr(s, attrSelectedSpeaker))
	}

	// Runtime tracing off and content off: nothing to join.
	off := runtimeOffRun(fxOptions{contentOff: true})
	rewriteWith(off, false)
	assert.Equal(t, selectorTree, dialecttest.RenderTree(off))
	tool := dialecttest.SpansNamed(off, "percentage_change")[0]
	_, hasArgs := tool.Attributes().Get(attrGenAIToolCallArgs)
	assert.False(t, hasArgs)
}

func TestAutogenAgentAlone(t *testing.T) {
	td := agentAloneRun()
	stats := rewriteWith(td, false)
	assert.Equal(t, `run_agent
  DataAnalystAgent
    openai.chat
    percentage_change
    openai.chat
`, dialecttest.RenderTree(td))
	assert.Equal(t, dialect.Stats{SpansFolded: 1}, stats)
	assertToolSpan(t, td, fxResult) // result from the next LLM call's tool message
	for _, s := range dialecttest.SpansNamed(td, "openai.chat") {
		assert.Equal(t, "DataAnalystAgent", dialecttest.AttrStr(s, attrGenAIAgentName))
		_, ok := s.Attributes().Get(attrGenAIConversationID)
		assert.False(t, ok)
	}
}

func TestAutogenStitchedRuntimeOutsideRoot(t *testing.T) {
	// Runtime started outside the root: every delivery is its own root. The
	// buffer stitches them by pointing secondary roots at their link target;
	// simulate that on the reference run.
	td := referenceRun(fxOptions{})
	for _, s := range dialecttest.AllSpans(td) {
		if strings.HasPrefix(s.Name(), "autogen send") || strings.HasPrefix(s.Name(), "autogen publish") || s.Name() == "autogen ack" {
			s.SetParentSpanID(s.Links().At(0).SpanID())
		}
	}
	rewriteWith(td, false)
	dialecttest.AssertParentsValid(t, td)
	assertNoPlumbing(t, td)
	assert.Len(t, dialecttest.SpansNamed(td, "SelectorGroupChat"), 1)
	assert.Len(t, dialecttest.SpansNamed(td, "select speaker"), 3)
	assert.Len(t, dialecttest.SpansNamed(td, "PlanningAgent"), 2)
	team := teamSpan(t, td, "SelectorGroupChat")
	tree := dialect.NewTree(td)
	tn := tree.ByID[team.SpanID()]
	for _, name := range []string{"select speaker", "PlanningAgent", "DataAnalystAgent"} {
		for _, s := range dialecttest.SpansNamed(td, name) {
			assert.True(t, tree.IsAncestor(tn, tree.ByID[s.SpanID()]), "%s under team", name)
		}
	}
	assertToolSpan(t, td, fxResult)
}

func TestAutogenMatches(t *testing.T) {
	d := Dialect{}
	td := ptrace.NewTraces()
	s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetName("run_team")
	assert.False(t, d.Matches(td))
	s.SetName("autogen ack")
	assert.True(t, d.Matches(td))
	s.SetName("autogen acknowledge")
	assert.False(t, d.Matches(td))
	s.Attributes().PutStr("gen_ai.system", "autogen")
	assert.True(t, d.Matches(td))
	s.Attributes().Clear()
	td.ResourceSpans().At(0).ScopeSpans().At(0).Scope().SetName("base_tool")
	assert.True(t, d.Matches(td))
	assert.False(t, d.Matches(ptrace.NewTraces()))
	assert.Equal(t, "autogen", d.Name())
}

func TestTeamClassFor(t *testing.T) {
	for in, want := range map[string]string{
		"SelectorGroupChatManager":   "SelectorGroupChat",
		"RoundRobinGroupChatManager": "RoundRobinGroupChat",
		"SwarmGroupChatManager":      "SwarmGroupChat",
		"MagenticOneOrchestrator":    "MagenticOneGroupChat",
		"GraphFlowManager":           "GraphFlow",
		"GraphManager":               "GraphFlow",
		"":                           "",
	} {
		assert.Equal(t, want, teamClassFor(in), in)
	}
}
