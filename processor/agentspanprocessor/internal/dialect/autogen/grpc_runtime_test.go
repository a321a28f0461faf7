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

// The gRPC recording spreads one run over three services and eleven traces:
// the RPC deliveries link back to their create spans, the `autogen ack`
// replies and the agents' construction (`create_agent`) are traces of their
// own with no link (the reply carries no trace context).

const grpcTree = `run_team
  GroupChatManager
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

// stitchedGroups does what the trace buffer does: traces whose root links
// into another trace join that trace (transitively, under its trace id, the
// root re-parented to the link target); the others stay traces of their own.
func stitchedGroups(t *testing.T, td ptrace.Traces) (main ptrace.Traces, others []ptrace.Traces) {
	t.Helper()
	parts := dialecttest.SplitByTrace(td)
	target := map[pcommon.TraceID]pcommon.TraceID{}
	for _, p := range parts {
		for _, s := range dialecttest.AllSpans(p) {
			if s.ParentSpanID().IsEmpty() && s.Links().Len() > 0 && s.Links().At(0).TraceID() != s.TraceID() {
				target[s.TraceID()] = s.Links().At(0).TraceID()
			}
		}
	}
	primary := func(id pcommon.TraceID) pcommon.TraceID {
		for steps := 0; steps < len(parts); steps++ {
			next, ok := target[id]
			if !ok {
				break
			}
			id = next
		}
		return id
	}
	groups := map[pcommon.TraceID]ptrace.Traces{}
	var order []pcommon.TraceID
	for _, p := range parts {
		id := primary(dialecttest.AllSpans(p)[0].TraceID())
		g, ok := groups[id]
		if !ok {
			g = ptrace.NewTraces()
			groups[id] = g
			order = append(order, id)
		}
		p.ResourceSpans().MoveAndAppendTo(g.ResourceSpans())
	}
	var mainID pcommon.TraceID
	for _, id := range order {
		g := groups[id]
		tree := dialect.NewTree(g)
		for _, n := range tree.Nodes {
			if n.Parent == nil && n.Span.Links().Len() > 0 {
				if l, ok := tree.ByID[n.Span.Links().At(0).SpanID()]; ok && !tree.IsAncestor(n, l) {
					tree.SetParent(n, l, pcommon.NewSpanIDEmpty())
				}
			}
			n.Span.SetTraceID(id)
		}
		if len(dialecttest.SpansNamed(g, "run_team")) == 1 {
			require.True(t, mainID.IsEmpty(), "one run_team")
			mainID, main = id, g
		} else {
			others = append(others, g)
		}
	}
	require.False(t, mainID.IsEmpty(), "no run_team trace")
	return main, others
}

func TestGrpcRecordingIsSplitOverServicesAndTraces(t *testing.T) {
	td := recordings.MustLoad(t, recordings.GrpcRuntime)
	require.True(t, Dialect{}.Matches(td))
	services := map[string]bool{}
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		v, _ := td.ResourceSpans().At(i).Resource().Attributes().Get("service.name")
		services[v.Str()] = true
	}
	assert.Equal(t, map[string]bool{"autogen-grpc-manager": true, "autogen-grpc-planning": true,
		"autogen-grpc-analyst": true}, services)
	main, others := stitchedGroups(t, td)
	assert.Equal(t, 3, len(dialecttest.SpansNamed(main, "invoke_agent PlanningAgent"))+
		len(dialecttest.SpansNamed(main, "invoke_agent DataAnalystAgent")), "every turn stitched in")
	for _, o := range others {
		for _, s := range dialecttest.AllSpans(o) {
			assert.True(t, s.Name() == "autogen ack" || strings.HasPrefix(s.Name(), "create_agent "),
				"only replies and agent construction stay apart: %s", s.Name())
		}
	}
}

func TestGrpcRuntimeRebuildsTheManagersRun(t *testing.T) {
	main, _ := stitchedGroups(t, recordings.MustLoad(t, recordings.GrpcRuntime))
	before := main.SpanCount()
	stats := rewriteWith(main, false)
	assert.Equal(t, grpcTree, dialecttest.RenderTree(main))
	assert.Equal(t, 1, stats.SpansAdded)
	assert.Equal(t, before-stats.SpansFolded+stats.SpansAdded, main.SpanCount())
	dialecttest.AssertParentsValid(t, main)
	assertNoPlumbing(t, main)

	tree := dialect.NewTree(main)
	team := nodesWithOp(tree, "invoke_workflow")
	require.Len(t, team, 1)
	assert.Equal(t, "GroupChatManager", team[0].Attr("autogen.team.manager"))
	ps, ok := team[0].Span.Attributes().Get("autogen.team.participants")
	require.True(t, ok)
	assert.Equal(t, []any{"PlanningAgent", "DataAnalystAgent"}, ps.Slice().AsRaw())
	assert.Contains(t, team[0].Attr("autogen.team.participant_descriptions"), "An agent for performing calculations.")

	// Who was picked, and who spoke in which service.
	want := []string{"PlanningAgent", "DataAnalystAgent", "PlanningAgent"}
	for i, s := range spansInStartOrder(main, "select speaker") {
		assert.Equal(t, want[i], dialecttest.AttrStr(s, attrSelectedSpeaker))
		assert.Equal(t, "GroupChatManager", dialecttest.AttrStr(s, attrGenAIAgentName))
	}
	for _, n := range tree.Nodes {
		if n.Name() != "openai.chat" && n.Name() != "percentage_change" {
			continue
		}
		assert.Equal(t, n.Parent.Name(), n.Attr(attrGenAIAgentName), "agent name on %s", n.Name())
		svc, _ := n.Res.Resource().Attributes().Get("service.name")
		assert.Equal(t, map[string]string{"PlanningAgent": "autogen-grpc-planning",
			"DataAnalystAgent": "autogen-grpc-analyst"}[n.Parent.Name()], svc.Str())
	}
	// The tool result is on no span of the worker runtime (no payloads, no reflection call).
	assertToolSpan(t, main, "")
}

func TestGrpcRuntimeTeamResultAndTurnInputs(t *testing.T) {
	main, _ := stitchedGroups(t, recordings.MustLoad(t, recordings.GrpcRuntime))
	rewriteWith(main, false)
	tree := dialect.NewTree(main)
	team := nodesWithOp(tree, "invoke_workflow")[0]

	in := messagesOf(t, team, attrGenAIInputMessages)
	require.Len(t, in, 1)
	assert.Contains(t, in[0].Text, "Miami Heat")
	out := messagesOf(t, team, attrGenAIOutputMessages)
	require.Len(t, out, 1)
	assert.Equal(t, "PlanningAgent", out[0].Name)
	assert.Contains(t, out[0].Text, "TERMINATE")
	assert.Equal(t, "Text 'TERMINATE' mentioned", out[0].FinishReason)
	assert.Equal(t, "Text 'TERMINATE' mentioned", team.Attr("autogen.termination.reason"))
	assert.Equal(t, "TextMentionTermination", team.Attr("autogen.termination.condition"))
	inferred, _ := team.Span.Attributes().Get("autogen.termination.inferred")
	assert.True(t, inferred.Bool(), "no worker runtime span carries the stop reason")
	assert.Equal(t, int64(3), intAttr(team, "autogen.team.turn_count"))
	assert.Equal(t, int64(4), intAttr(team, "autogen.team.message_count"))

	var turns []*dialect.Node
	for _, c := range team.Children {
		if c.Name() != "select speaker" {
			turns = append(turns, c)
		}
	}
	require.Len(t, turns, 3)
	first := messagesOf(t, turns[0], attrGenAIInputMessages)
	require.Len(t, first, 1)
	assert.Empty(t, first[0].Name, "the task")
	assert.Contains(t, first[0].Text, "Miami Heat")
	second := messagesOf(t, turns[1], attrGenAIInputMessages)
	require.Len(t, second, 2)
	assert.Equal(t, []string{"", "PlanningAgent"}, []string{second[0].Name, second[1].Name},
		"the plan's author recovered from the first turn's answer")
	assert.True(t, strings.HasPrefix(second[1].Text, "Plan:"), second[1].Text)
	third := messagesOf(t, turns[2], attrGenAIInputMessages)
	require.Len(t, third, 1, "only what PlanningAgent had not seen")
	assert.Contains(t, third[0].Text, "85.98")
}

// Replies and agent construction arrive as traces of their own: they are
// plumbing, so nothing of them reaches the exporter.
func TestGrpcRuntimeOrphanTracesFoldAway(t *testing.T) {
	_, others := stitchedGroups(t, recordings.MustLoad(t, recordings.GrpcRuntime))
	require.Len(t, others, 6)
	for _, o := range others {
		require.True(t, Dialect{}.Matches(o))
		stats := rewriteWith(o, false)
		assert.Equal(t, 1, stats.SpansFolded)
		assert.Zero(t, o.SpanCount())
	}
}

// A Core agent that calls the model itself (AutoGen's distributed group chat
// sample) has no invoke_agent span: its delivery is the turn.
func TestGrpcRuntimeCoreAgentWithoutInvokeAgent(t *testing.T) {
	main, _ := stitchedGroups(t, recordings.MustLoad(t, recordings.GrpcRuntime))
	tree := dialect.NewTree(main)
	for _, n := range tree.Nodes {
		if strings.HasPrefix(n.Name(), "invoke_agent ") {
			tree.Fold(n)
		}
	}
	tree.Compact()
	rewriteWith(main, false)
	assert.Equal(t, grpcTree, dialecttest.RenderTree(main))
	for _, s := range dialecttest.AllSpans(main) {
		if s.Name() == "PlanningAgent" || s.Name() == "DataAnalystAgent" {
			assert.Equal(t, "invoke_agent", dialecttest.AttrStr(s, attrGenAIOperation))
			assert.Equal(t, ptrace.SpanKindInternal, s.Kind())
		}
	}
}

// A delivery by publish_message carries no trace context (the CloudEvent has
// none), so it stays a trace of its own: rebuilt alone, the agent's turn is
// its root.
func TestGrpcRuntimeUnlinkedDeliveryStandsAlone(t *testing.T) {
	var alone ptrace.Traces
	for _, part := range dialecttest.SplitByTrace(recordings.MustLoad(t, recordings.GrpcRuntime)) {
		if len(dialecttest.SpansNamed(part, "invoke_agent DataAnalystAgent")) == 1 {
			alone = part
		}
	}
	require.NotEqual(t, ptrace.Traces{}, alone)
	for _, s := range dialecttest.AllSpans(alone) {
		s.Links().RemoveIf(func(ptrace.SpanLink) bool { return true })
	}
	rewriteWith(alone, false)
	assert.Equal(t, "DataAnalystAgent\n  openai.chat\n  percentage_change\n", dialecttest.RenderTree(alone))
	dialecttest.AssertParentsValid(t, alone)
}
