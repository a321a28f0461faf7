package autogen

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/dialecttest"
)

// What a LangSmith reader sees on team and turn runs (team_result.go,
// turn_inputs.go, nested_teams.go, team_runs.go, openinference.go), on the
// real recordings.

const (
	refTask      = "Who was the Miami Heat player with the highest points in the 2006-2007 season"
	refSummary   = "Summary: Dwyane Wade's total rebounds"
	refPlan      = "Plan:\n1. DataAnalystAgent"
	poemTask     = "Write a two-line poem about the harbour at night, get it reviewed, then publish it."
	textStop     = "Text 'TERMINATE' mentioned"
	maxStopThree = "Maximum number of messages 3 reached, current message count: 3"
)

// msg is a decoded gen_ai.*.messages entry, text parts joined.
type msg struct {
	Role, Name, Text, FinishReason string
}

func messagesOf(t *testing.T, n *dialect.Node, key string) []msg {
	t.Helper()
	raw := n.Attr(key)
	require.NotEmpty(t, raw, "%s on %s", key, n.Name())
	var list []struct {
		Role         string `json:"role"`
		Name         string `json:"name"`
		FinishReason string `json:"finish_reason"`
		Parts        []struct {
			Type    string `json:"type"`
			Content string `json:"content"`
		} `json:"parts"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &list))
	out := make([]msg, 0, len(list))
	for _, m := range list {
		text := ""
		for _, p := range m.Parts {
			if p.Type == "text" {
				text += p.Content
			}
		}
		out = append(out, msg{Role: m.Role, Name: m.Name, Text: text, FinishReason: m.FinishReason})
	}
	return out
}

func rewritten(t *testing.T, name string) (ptrace.Traces, *dialect.Tree) {
	t.Helper()
	td := recordings.MustLoad(t, name)
	if name == recordings.RuntimeOutsideRoot {
		stitchLikeBuffer(td)
	}
	rewriteWith(td, false)
	dialecttest.AssertParentsValid(t, td)
	return td, dialect.NewTree(td)
}

func nodesWithOp(tree *dialect.Tree, op string) []*dialect.Node {
	var out []*dialect.Node
	for _, n := range tree.Live() {
		if n.Attr(attrGenAIOperation) == op {
			out = append(out, n)
		}
	}
	return out
}

func intAttr(n *dialect.Node, key string) int64 {
	v, _ := n.Span.Attributes().Get(key)
	return v.Int()
}

// assertReferenceResult: the team's final message, stop reason and counts,
// and every turn's inputs, for the reference program and its variants.
func assertReferenceResult(t *testing.T, tree *dialect.Tree, inferred bool, messages int64) {
	t.Helper()
	teams := nodesWithOp(tree, "invoke_workflow")
	require.Len(t, teams, 1)
	team := teams[0]
	out := messagesOf(t, team, attrGenAIOutputMessages)
	require.Len(t, out, 1)
	assert.Equal(t, "PlanningAgent", out[0].Name)
	assert.Contains(t, out[0].Text, refSummary)
	assert.Equal(t, textStop, out[0].FinishReason)
	assert.Equal(t, textStop, team.Attr("autogen.termination.reason"))
	assert.Equal(t, "TextMentionTermination", team.Attr("autogen.termination.condition"))
	assert.Equal(t, inferred, team.HasAttr("autogen.termination.inferred"))
	assert.Equal(t, int64(3), intAttr(team, "autogen.team.turn_count"))
	assert.Equal(t, messages, intAttr(team, "autogen.team.message_count"))

	turns := nodesWithOp(tree, "invoke_agent")
	require.Len(t, turns, 3)
	first := messagesOf(t, turns[0], attrGenAIInputMessages)
	require.Len(t, first, 1, "the first turn was shown the task only")
	assert.Equal(t, "user", first[0].Role)
	assert.Contains(t, first[0].Text, refTask)
	second := messagesOf(t, turns[1], attrGenAIInputMessages)
	require.Len(t, second, 2, "the analyst was shown the task and the plan")
	assert.Contains(t, second[1].Text, refPlan)
	third := messagesOf(t, turns[2], attrGenAIInputMessages)
	require.Len(t, third, 1, "the planner's second turn: only what is new to it")
	assert.Contains(t, third[0].Text, "85.98")
	for _, turn := range turns {
		for _, m := range messagesOf(t, turn, attrGenAIInputMessages) {
			assert.NotEqual(t, "system", m.Role, "no system prompt in turn inputs")
		}
	}
}

func TestTeamResultAndTurnInputsFromPayloads(t *testing.T) {
	_, tree := rewritten(t, recordings.Reference)
	assertReferenceResult(t, tree, true, 4)
	turns := nodesWithOp(tree, "invoke_agent")
	second := messagesOf(t, turns[1], attrGenAIInputMessages)
	assert.Equal(t, "PlanningAgent", second[1].Name, "the payloads say who wrote each message")
}

func TestTeamResultAndTurnInputsWithoutPayloads(t *testing.T) {
	// Runtime tracing off: from the turns' LLM calls; AutoGen 0.4.9 / 0.6.4:
	// runtime spans without content, legacy LLM attribute formats.
	for _, name := range []string{recordings.RuntimeTracingOff, recordings.AutoGen049, recordings.AutoGen064} {
		t.Run(name, func(t *testing.T) {
			_, tree := rewritten(t, name)
			assertReferenceResult(t, tree, true, 4)
		})
	}
}

func TestNestedTeamIsATurnOfTheOuterTeam(t *testing.T) {
	td, tree := rewritten(t, recordings.NestedTeam)
	assert.Equal(t, `run_team
  RoundRobinGroupChat
    WritingTeam
      RoundRobinGroupChat
        Writer
          openai.chat
        Reviewer
          openai.chat
    Publisher
      openai.chat
`, dialecttest.RenderTree(td))
	assertNoPlumbing(t, td)
	teams := nodesWithOp(tree, "invoke_workflow")
	require.Len(t, teams, 2)
	outer, inner := teams[0], teams[1]
	if inner.Parent == nil || inner.Parent.Name() != "WritingTeam" {
		outer, inner = inner, outer
	}
	assert.NotEqual(t, outer.Attr(attrGenAIConversationID), inner.Attr(attrGenAIConversationID))

	innerOut := messagesOf(t, inner, attrGenAIOutputMessages)
	assert.Equal(t, []msg{{Role: "assistant", Name: "Reviewer", Text: "Review: vivid imagery, consistent metre. Approved for publication.",
		FinishReason: maxStopThree}}, innerOut)
	assert.Equal(t, "MaxMessageTermination", inner.Attr("autogen.termination.condition"))
	assert.False(t, inner.HasAttr("autogen.termination.inferred"), "the inner TaskResult carries the reason")
	assert.Equal(t, int64(3), intAttr(inner, "autogen.team.message_count"), "as MaxMessageTermination counted")

	outerOut := messagesOf(t, outer, attrGenAIOutputMessages)
	require.Len(t, outerOut, 1)
	assert.Equal(t, "Publisher", outerOut[0].Name)
	assert.Equal(t, textStop, outerOut[0].FinishReason)
	assert.Equal(t, int64(2), intAttr(outer, "autogen.team.turn_count"))
	assert.Equal(t, int64(4), intAttr(outer, "autogen.team.message_count"), "task + the inner team's 2 + Publisher")

	turn := inner.Parent
	assert.Equal(t, "invoke_agent", turn.Attr(attrGenAIOperation))
	assert.Equal(t, "WritingTeam", turn.Attr(attrGenAIAgentName))
	assert.Equal(t, ptrace.SpanKindInternal, turn.Span.Kind())
	in := messagesOf(t, turn, attrGenAIInputMessages)
	require.Len(t, in, 1)
	assert.Equal(t, poemTask, in[0].Text)
	out := messagesOf(t, turn, attrGenAIOutputMessages)
	require.Len(t, out, 2, "the inner team's messages")
	assert.Equal(t, []string{"Writer", "Reviewer"}, []string{out[0].Name, out[1].Name})

	for _, n := range tree.Live() {
		if n.Name() == "Publisher" {
			pin := messagesOf(t, n, attrGenAIInputMessages)
			require.Len(t, pin, 3, "task, poem, review")
			assert.Equal(t, []string{"", "Writer", "Reviewer"}, []string{pin[0].Name, pin[1].Name, pin[2].Name})
		}
	}
}

func TestTwoRunsInOneRootAreTwoTeamRuns(t *testing.T) {
	td, tree := rewritten(t, recordings.TwoRunsOneRoot)
	assertNoPlumbing(t, td)
	roots := tree.Roots()
	require.Len(t, roots, 1)
	require.Len(t, roots[0].Children, 2, dialecttest.RenderTree(td))
	first, second := roots[0].Children[0], roots[0].Children[1]
	for _, team := range []*dialect.Node{first, second} {
		assert.Equal(t, "SelectorGroupChat", team.Name())
		assert.Equal(t, textStop, team.Attr("autogen.termination.reason"))
	}
	assert.NotEqual(t, first.Span.SpanID(), second.Span.SpanID())
	assert.Equal(t, first.Attr(attrGenAIConversationID), second.Attr(attrGenAIConversationID), "one team object")
	assert.LessOrEqual(t, first.Span.EndTimestamp(), second.Span.StartTimestamp(), "in order, not overlapping")
	names := func(team *dialect.Node) []string {
		var out []string
		for _, c := range team.Children {
			out = append(out, c.Name())
		}
		return out
	}
	assert.Equal(t, []string{"select speaker", "PlanningAgent", "select speaker", "DataAnalystAgent", "select speaker", "PlanningAgent"}, names(first))
	assert.Equal(t, []string{"select speaker", "DataAnalystAgent", "select speaker", "PlanningAgent"}, names(second))
	assert.Contains(t, messagesOf(t, first, attrGenAIInputMessages)[0].Text, refTask)
	assert.Equal(t, "Repeat the percentage change calculation for 214 and 398 and summarise it again.",
		messagesOf(t, second, attrGenAIInputMessages)[0].Text)
	// The second run's analyst turn was shown the second task only.
	in := messagesOf(t, second.Children[1], attrGenAIInputMessages)
	require.Len(t, in, 1)
	assert.Contains(t, in[0].Text, "Repeat the percentage change")
}

func TestOpenInferenceGivesTheSameTree(t *testing.T) {
	td := recordings.MustLoad(t, recordings.OpenInference)
	before := td.SpanCount()
	stats := rewriteWith(td, false)
	assert.Equal(t, before-stats.SpansFolded+stats.SpansAdded, td.SpanCount())
	dialecttest.AssertParentsValid(t, td)
	assertNoPlumbing(t, td)
	assert.Equal(t, selectorTree, dialecttest.RenderTree(td))
	tree := dialect.NewTree(td)
	assertReferenceResult(t, tree, false, 4)
	for _, s := range dialecttest.AllSpans(td) {
		s.Attributes().Range(func(k string, _ pcommon.Value) bool {
			assert.NotContains(t, []string{"openinference.span.kind", "llm.input_messages.0.message.role", "input.value"}, k, "on %s", s.Name())
			return true
		})
	}
	for _, n := range tree.Live() {
		if n.Name() != "openai.chat" {
			continue
		}
		assert.Equal(t, "chat", n.Attr(attrGenAIOperation))
		assert.Equal(t, "openai", n.Attr(attrGenAIProvider))
		assert.Equal(t, "gpt-4o", n.Attr("gen_ai.request.model"))
		assert.NotEmpty(t, n.Attr(attrGenAIInputMessages))
		assert.NotEmpty(t, n.Attr(attrGenAIOutputMessages))
		assert.Positive(t, intAttr(n, "gen_ai.usage.input_tokens"))
	}
	assertToolSpan(t, td, fxResult)
}
