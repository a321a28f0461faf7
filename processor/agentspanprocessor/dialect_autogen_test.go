package agentspanprocessor

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// renderTree prints names indented by depth, children in start order.
func renderTree(td ptrace.Traces) string {
	t := newSpanTree(td)
	var b strings.Builder
	var walk func(n *spanNode, depth int)
	walk = func(n *spanNode, depth int) {
		b.WriteString(strings.Repeat("  ", depth) + n.name() + "\n")
		for _, c := range n.children {
			walk(c, depth+1)
		}
	}
	for _, r := range t.roots() {
		walk(r, 0)
	}
	return b.String()
}

func allSpans(td ptrace.Traces) []ptrace.Span {
	var out []ptrace.Span
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			for k := 0; k < ss.Spans().Len(); k++ {
				out = append(out, ss.Spans().At(k))
			}
		}
	}
	return out
}

func spansNamed(td ptrace.Traces, name string) []ptrace.Span {
	var out []ptrace.Span
	for _, s := range allSpans(td) {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func attrStr(s ptrace.Span, k string) string {
	v, ok := s.Attributes().Get(k)
	if !ok {
		return ""
	}
	return v.AsString()
}

// assertParentsValid checks every parent id names a span of td or is empty.
func assertParentsValid(t *testing.T, td ptrace.Traces) {
	t.Helper()
	ids := map[pcommon.SpanID]bool{}
	for _, s := range allSpans(td) {
		ids[s.SpanID()] = true
	}
	for _, s := range allSpans(td) {
		if p := s.ParentSpanID(); !p.IsEmpty() {
			assert.True(t, ids[p], "span %q has parent %s not in the trace", s.Name(), p)
		}
	}
}

func assertNoPlumbing(t *testing.T, td ptrace.Traces) {
	t.Helper()
	for _, s := range allSpans(td) {
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

func rewriteWith(td ptrace.Traces, keep bool) rewriteStats {
	d := autogenDialect{}
	return d.rewrite(td, rewriteOptions{KeepPlumbing: keep})
}

// assertAgentContext checks agent name and conversation id on every LLM and
// tool span, and the manager on selector calls.
func assertAgentContext(t *testing.T, td ptrace.Traces, manager string) {
	t.Helper()
	assertAgentContextFor(t, td, manager, fxTeamID)
}

func assertAgentContextFor(t *testing.T, td ptrace.Traces, manager, teamID string) {
	t.Helper()
	tree := newSpanTree(td)
	for _, n := range tree.nodes {
		if n.name() != "openai.chat" && n.name() != "percentage_change" && n.name() != "select speaker" {
			continue
		}
		assert.Equal(t, teamID, n.attr(attrGenAIConversationID), "conversation id on %s", n.name())
		if n.name() == "select speaker" {
			assert.Equal(t, manager, n.attr(attrGenAIAgentName))
			continue
		}
		require.NotNil(t, n.parent, n.name())
		assert.Equal(t, n.parent.name(), n.attr(attrGenAIAgentName), "agent name on %s", n.name())
	}
}

func assertToolSpan(t *testing.T, td ptrace.Traces, wantResult string) ptrace.Span {
	t.Helper()
	tools := spansNamed(td, "percentage_change")
	require.Len(t, tools, 1)
	tool := tools[0]
	assert.Equal(t, "execute_tool", attrStr(tool, attrGenAIOperation))
	assert.Equal(t, "percentage_change", attrStr(tool, attrGenAIToolName))
	assert.Equal(t, "tool", attrStr(tool, attrLangsmithSpanKind))
	assert.Equal(t, fxCallID, attrStr(tool, attrGenAIToolCallID))
	assert.JSONEq(t, fxArgs, attrStr(tool, attrGenAIToolCallArgs))
	if wantResult == "" {
		_, ok := tool.Attributes().Get(attrGenAIToolCallResult)
		assert.False(t, ok, "no result expected")
	} else {
		assert.Equal(t, wantResult, attrStr(tool, attrGenAIToolCallResult))
	}
	return tool
}

func teamSpan(t *testing.T, td ptrace.Traces, name string) ptrace.Span {
	t.Helper()
	ts := spansNamed(td, name)
	require.Len(t, ts, 1)
	return ts[0]
}

func TestAutogenReferenceRun(t *testing.T) {
	td := referenceRun(fxOptions{})
	require.Len(t, allSpans(td), 61)
	require.True(t, autogenDialect{}.matches(td))

	stats := rewriteWith(td, false)
	assert.Equal(t, selectorTree, renderTree(td))
	assert.Equal(t, rewriteStats{SpansFolded: 50, SpansAdded: 1}, stats) // 48 runtime + 2 create_agent
	assert.Len(t, allSpans(td), 12)
	assertParentsValid(t, td)
	assertNoPlumbing(t, td)
	assertAgentContext(t, td, "SelectorGroupChatManager")
	assertToolSpan(t, td, fxResult)

	team := teamSpan(t, td, "SelectorGroupChat")
	assert.Equal(t, "invoke_workflow", attrStr(team, attrGenAIOperation))
	assert.Equal(t, "SelectorGroupChat", attrStr(team, attrGenAIWorkflowName))
	assert.Equal(t, fxTeamID, attrStr(team, attrTeamID))
	assert.Equal(t, fxTeamID, attrStr(team, attrGenAIConversationID))
	assert.Equal(t, "chain", attrStr(team, attrLangsmithSpanKind))
	assert.Equal(t, ptrace.SpanKindInternal, team.Kind())
	ps, ok := team.Attributes().Get("autogen.team.participants")
	require.True(t, ok)
	assert.Equal(t, []any{"PlanningAgent", "DataAnalystAgent"}, ps.Slice().AsRaw())
	assert.Contains(t, attrStr(team, "autogen.team.participant_descriptions"), "An agent for performing calculations.")
	assert.Contains(t, attrStr(team, attrGenAIInputMessages), "Compute the percentage change")
	v, _ := team.Attributes().Get("autogen.terminated")
	assert.True(t, v.Bool())

	// Team spans first..last span of the team: GroupChatStart create (+2ms)
	// to the end of the last group-topic delivery (+9690.7ms).
	root := spansNamed(td, "run_team")[0]
	assert.Equal(t, int64(2e6), int64(team.StartTimestamp()-root.StartTimestamp()))
	assert.Equal(t, int64(9690.7e6), int64(team.EndTimestamp()-root.StartTimestamp()))
	assert.Equal(t, root.SpanID(), team.ParentSpanID())
	assert.Equal(t, root.TraceID(), team.TraceID())

	// Selectors: renamed, who they chose, and each ends before its turn.
	sel := spansNamed(td, "select speaker")
	require.Len(t, sel, 3)
	tree := newSpanTree(td)
	teamNode := tree.byID[team.SpanID()]
	kids := teamNode.children
	require.Len(t, kids, 6)
	want := []string{"PlanningAgent", "DataAnalystAgent", "PlanningAgent"}
	for i := 0; i < 3; i++ {
		s, turn := kids[2*i], kids[2*i+1]
		assert.Equal(t, "select speaker", s.name())
		assert.Equal(t, want[i], s.attr(attrSelectedSpeaker))
		assert.Equal(t, "llm", s.attr(attrLangsmithSpanKind))
		assert.LessOrEqual(t, s.span.EndTimestamp(), turn.span.StartTimestamp())
		assert.Equal(t, want[i], turn.name())
		assert.Equal(t, "invoke_agent", turn.attr(attrGenAIOperation))
		assert.Equal(t, want[i], turn.attr(attrGenAIAgentName))
		assert.Equal(t, "chain", turn.attr(attrLangsmithSpanKind))
		assert.Equal(t, fxTeamID, turn.attr(attrGenAIConversationID))
	}
	// Final answers of turns from GroupChatAgentResponse payloads.
	assert.Contains(t, kids[3].attr(attrGenAIOutputMessages), fxResult)
	assert.Contains(t, kids[5].attr(attrGenAIOutputMessages), "TERMINATE")
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
	assert.Equal(t, attrStr(ta, attrGenAIConversationID), attrStr(tc, attrGenAIConversationID))
}

func TestAutogenKeepPlumbing(t *testing.T) {
	td := referenceRun(fxOptions{})
	before := map[pcommon.SpanID]bool{}
	for _, s := range allSpans(td) {
		before[s.SpanID()] = true
	}
	stats := rewriteWith(td, true)
	assert.Equal(t, rewriteStats{SpansFolded: 0, SpansAdded: 1}, stats)
	after := allSpans(td)
	assert.Len(t, after, 62)
	for _, s := range after {
		delete(before, s.SpanID())
	}
	assert.Empty(t, before, "original spans lost")
	assertParentsValid(t, td)
	// Annotation still happens; the team's top-level plumbing and the run's
	// turns sit under the team span.
	team := teamSpan(t, td, "SelectorGroupChat")
	tree := newSpanTree(td)
	root := spansNamed(td, "run_team")[0]
	for _, c := range tree.byID[root.SpanID()].children {
		assert.Contains(t, []string{"SelectorGroupChat", "create_agent PlanningAgent", "create_agent DataAnalystAgent"}, c.name())
	}
	assert.Len(t, spansNamed(td, "select speaker"), 3)
	assert.Len(t, spansNamed(td, "PlanningAgent"), 2)
	turn := tree.byID[spansNamed(td, "DataAnalystAgent")[0].SpanID()]
	assert.True(t, tree.isAncestor(tree.byID[team.SpanID()], turn))
}

func TestAutogenRuntimeTracingOff(t *testing.T) {
	td := runtimeOffRun(fxOptions{})
	require.True(t, autogenDialect{}.matches(td))
	stats := rewriteWith(td, false)
	assert.Equal(t, selectorTree, renderTree(td))
	assert.Equal(t, rewriteStats{SpansFolded: 2, SpansAdded: 1}, stats)
	assertParentsValid(t, td)
	assertAgentContext(t, td, "SelectorGroupChatManager")
	// No next LLM call and no runtime payload: the result is unknown.
	assertToolSpan(t, td, "")
	team := teamSpan(t, td, "SelectorGroupChat")
	assert.Equal(t, fxTeamID, attrStr(team, attrGenAIConversationID))
	sel := spansNamed(td, "select speaker")
	require.Len(t, sel, 3)
	assert.Equal(t, "DataAnalystAgent", attrStr(sel[1], attrSelectedSpeaker))
	// Team spans first..last member.
	assert.Equal(t, sel[0].StartTimestamp(), team.StartTimestamp())
	assert.Equal(t, spansNamed(td, "PlanningAgent")[1].EndTimestamp(), team.EndTimestamp())
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
			require.True(t, autogenDialect{}.matches(td))
			rewriteWith(td, false)
			assert.Equal(t, selectorTree, renderTree(td))
			assertParentsValid(t, td)
			assertNoPlumbing(t, td)
			assertAgentContext(t, td, "SelectorGroupChatManager")
			assertToolSpan(t, td, tc.result)
			for _, s := range append(spansNamed(td, "openai.chat"), spansNamed(td, "select speaker")...) {
				assert.Equal(t, "chat", attrStr(s, attrGenAIOperation))
				assert.Equal(t, "openai", attrStr(s, attrGenAIProvider))
				assert.Equal(t, "llm", attrStr(s, attrLangsmithSpanKind))
			}
			if tc.opts.legacyLLM {
				// Legacy keys stay for the exporter.
				assert.NotEmpty(t, attrStr(spansNamed(td, "openai.chat")[0], "gen_ai.prompt.0.content"))
			}
			for _, name := range []string{"PlanningAgent", "DataAnalystAgent"} {
				for _, s := range spansNamed(td, name) {
					assert.Equal(t, "invoke_agent", attrStr(s, attrGenAIOperation))
					assert.Equal(t, fxTeamID, attrStr(s, attrGenAIConversationID))
				}
			}
		})
	}
}

func TestAutogenRoundRobin(t *testing.T) {
	td := referenceRun(fxOptions{roundRobin: true})
	rewriteWith(td, false)
	assert.Equal(t, roundRobinTree, renderTree(td))
	assertParentsValid(t, td)
	team := teamSpan(t, td, "RoundRobinGroupChat")
	assert.Equal(t, "RoundRobinGroupChatManager", attrStr(team, "autogen.team.manager"))
}

func TestAutogenToolError(t *testing.T) {
	td := referenceRun(fxOptions{toolError: true})
	rewriteWith(td, false)
	assert.Equal(t, selectorTree, renderTree(td))
	tool := assertToolSpan(t, td, "ZeroDivisionError: float division by zero")
	assert.Equal(t, ptrace.StatusCodeError, tool.Status().Code())
}

func TestAutogenContentOff(t *testing.T) {
	// 0.7.5: arguments and result still come from the runtime payloads.
	td := referenceRun(fxOptions{contentOff: true})
	rewriteWith(td, false)
	assert.Equal(t, selectorTree, renderTree(td))
	assertToolSpan(t, td, fxResult)
	// Selected speakers still known from the GroupChatRequestPublish spans.
	for _, s := range spansNamed(td, "select speaker") {
		assert.NotEmpty(t, attrStr(s, attrSelectedSpeaker))
	}

	// Runtime tracing off and content off: nothing to join.
	off := runtimeOffRun(fxOptions{contentOff: true})
	rewriteWith(off, false)
	assert.Equal(t, selectorTree, renderTree(off))
	tool := spansNamed(off, "percentage_change")[0]
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
`, renderTree(td))
	assert.Equal(t, rewriteStats{SpansFolded: 1}, stats)
	assertToolSpan(t, td, fxResult) // result from the next LLM call's tool message
	for _, s := range spansNamed(td, "openai.chat") {
		assert.Equal(t, "DataAnalystAgent", attrStr(s, attrGenAIAgentName))
		_, ok := s.Attributes().Get(attrGenAIConversationID)
		assert.False(t, ok)
	}
}

func TestAutogenStitchedRuntimeOutsideRoot(t *testing.T) {
	// Runtime started outside the root: every delivery is its own root. The
	// buffer stitches them by pointing secondary roots at their link target;
	// simulate that on the reference run.
	td := referenceRun(fxOptions{})
	for _, s := range allSpans(td) {
		if strings.HasPrefix(s.Name(), "autogen send") || strings.HasPrefix(s.Name(), "autogen publish") || s.Name() == "autogen ack" {
			s.SetParentSpanID(s.Links().At(0).SpanID())
		}
	}
	rewriteWith(td, false)
	assertParentsValid(t, td)
	assertNoPlumbing(t, td)
	assert.Len(t, spansNamed(td, "SelectorGroupChat"), 1)
	assert.Len(t, spansNamed(td, "select speaker"), 3)
	assert.Len(t, spansNamed(td, "PlanningAgent"), 2)
	team := teamSpan(t, td, "SelectorGroupChat")
	tree := newSpanTree(td)
	tn := tree.byID[team.SpanID()]
	for _, name := range []string{"select speaker", "PlanningAgent", "DataAnalystAgent"} {
		for _, s := range spansNamed(td, name) {
			assert.True(t, tree.isAncestor(tn, tree.byID[s.SpanID()]), "%s under team", name)
		}
	}
	assertToolSpan(t, td, fxResult)
}

func TestAutogenMatches(t *testing.T) {
	d := autogenDialect{}
	td := ptrace.NewTraces()
	s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetName("run_team")
	assert.False(t, d.matches(td))
	s.SetName("autogen ack")
	assert.True(t, d.matches(td))
	s.SetName("autogen acknowledge")
	assert.False(t, d.matches(td))
	s.Attributes().PutStr("gen_ai.system", "autogen")
	assert.True(t, d.matches(td))
	s.Attributes().Clear()
	td.ResourceSpans().At(0).ScopeSpans().At(0).Scope().SetName("base_tool")
	assert.True(t, d.matches(td))
	assert.False(t, d.matches(ptrace.NewTraces()))
	assert.Equal(t, "autogen", d.name())
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
