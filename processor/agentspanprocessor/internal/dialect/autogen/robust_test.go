package autogen

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/dialecttest"
)

// randomAutogenTrace builds a malformed AutoGen-looking trace: random
// parents (missing, self, cycles), broken JSON payloads, invalid UTF-8.
func randomAutogenTrace(rng *rand.Rand) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	scopes := []ptrace.ScopeSpans{}
	for _, name := range []string{scopeUser, scopeCore, scopeRuntime, scopeOpenAI, scopeTool, "autogen Worker Runtime"} {
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName(name)
		scopes = append(scopes, ss)
	}
	names := []string{
		"run_team", "autogen ack", "autogen create " + destA("SelectorGroupChatManager"), "autogen send " + destA("SelectorGroupChatManager"),
		"autogen publish " + destT("group_topic"), "autogen process " + destA("SelectorGroupChatManager"),
		"autogen process " + destA("PlanningAgent"), "autogen publish " + destT("PlanningAgent"),
		"invoke_agent PlanningAgent", "invoke_agent DataAnalystAgent", "openai.chat", "execute_tool percentage_change",
		"percentage_change", "create_agent PlanningAgent", "user step", "", "autogen intercept X",
	}
	values := []string{"{}", "{", "\xff\xfe", `{"response":{"chat_message":{"content":"\xff"}},"name":"PlanningAgent"}`,
		`{"message":{"type":"StopMessage","content":"done"}}`, `[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","arguments":{"a":1}}]}]`,
		`[{"parts":"x"}]`, `{"messages":[{"content":7}]}`, strings.Repeat("[", 5000), destA("PlanningAgent"), typeOf("SelectorGroupChatManager"),
		"SelectorGroupChatManager", "ChatAgentContainer", "PlanningAgent_" + fxTeamID + "/" + fxTeamID, "c1", ""}
	keys := []string{"message", "messaging.destination", "recipient_agent_class", "recipient_agent_type", "sender_agent_type",
		"gen_ai.agent.id", "gen_ai.agent.name", "gen_ai.tool.call.id", "gen_ai.output.messages", "gen_ai.input.messages",
		"gen_ai.operation.name", "gen_ai.completion.0.tool_calls.0.id", "gen_ai.prompt.x.role", "tool_args", "messaging.message.type"}
	n := 1 + rng.Intn(40)
	for i := 0; i < n; i++ {
		s := scopes[rng.Intn(len(scopes))].Spans().AppendEmpty()
		s.SetTraceID(pcommon.TraceID{1, byte(rng.Intn(2))})
		s.SetSpanID(pcommon.SpanID{2, byte(rng.Intn(n + 2))}) // duplicates possible
		if rng.Intn(6) > 0 {
			s.SetParentSpanID(pcommon.SpanID{2, byte(rng.Intn(n + 4))})
		}
		s.SetName(names[rng.Intn(len(names))])
		s.SetStartTimestamp(pcommon.Timestamp(rng.Intn(100)))
		s.SetEndTimestamp(pcommon.Timestamp(rng.Intn(100)))
		for k := rng.Intn(6); k > 0; k-- {
			s.Attributes().PutStr(keys[rng.Intn(len(keys))], values[rng.Intn(len(values))])
		}
		if rng.Intn(3) == 0 {
			l := s.Links().AppendEmpty()
			l.SetSpanID(pcommon.SpanID{2, byte(rng.Intn(n + 2))})
		}
	}
	return td
}

// checkRewriteInvariants runs the rewrite and checks it lost nothing but
// plumbing and left only valid or pre-existing-dangling parent ids.
func checkRewriteInvariants(t *testing.T, td ptrace.Traces, keep bool) {
	t.Helper()
	before := map[ptrace.Span]bool{}
	inputIDs := map[pcommon.SpanID]bool{}
	for _, s := range dialecttest.AllSpans(td) {
		inputIDs[s.SpanID()] = true
	}
	dangling := map[pcommon.SpanID]bool{}
	kept := map[pcommon.SpanID]int{}
	for _, s := range dialecttest.AllSpans(td) {
		before[s] = true
		if p := s.ParentSpanID(); !p.IsEmpty() && !inputIDs[p] {
			dangling[p] = true
		}
	}
	tree := dialect.NewTree(td)
	r := newAutogenRewrite(tree, dialect.Options{})
	r.classify()
	r.findLegacyTurns()
	total := len(tree.Nodes)
	for _, n := range tree.Nodes {
		if role := r.infoOf(n).role; keep || (role != rolePlumbing && role != roleCreateAgent) {
			kept[n.Span.SpanID()]++
		}
	}
	// Undo nothing: classification above only read td (newSpanTree may
	// clear self/cyclic parents, which rewrite would do the same way).
	stats := Dialect{}.Rewrite(td, dialect.Options{KeepPlumbing: keep})
	after := dialecttest.AllSpans(td)
	require.Equal(t, total-stats.SpansFolded+stats.SpansAdded, len(after))
	ids := map[pcommon.SpanID]bool{}
	for _, s := range after {
		ids[s.SpanID()] = true
		kept[s.SpanID()]--
	}
	for id, c := range kept {
		assert.LessOrEqual(t, c, 0, "non-plumbing span %s lost", id)
	}
	for _, s := range after {
		if p := s.ParentSpanID(); !p.IsEmpty() {
			assert.True(t, ids[p] || dangling[p], "span %q: parent %s neither in trace nor dangling in input", s.Name(), p)
		}
	}
	// No cycles: every walk up ends.
	byID := map[pcommon.SpanID]ptrace.Span{}
	for _, s := range after {
		if _, dup := byID[s.SpanID()]; !dup { // duplicate ids: first wins, as in dialect.Tree
			byID[s.SpanID()] = s
		}
	}
	for _, s := range after {
		cur, steps := s, 0
		for !cur.ParentSpanID().IsEmpty() && steps <= len(after) {
			next, ok := byID[cur.ParentSpanID()]
			if !ok {
				break
			}
			cur = next
			steps++
		}
		assert.LessOrEqual(t, steps, len(after), "cycle through %q", s.Name())
	}
	if !keep {
		for _, s := range after {
			assert.False(t, autogenPlumbingName.MatchString(s.Name()), "plumbing left: %q", s.Name())
		}
	}
}

func TestAutogenRewriteMalformedInput(t *testing.T) {
	rng := rand.New(rand.NewSource(42))
	for i := 0; i < 1500; i++ {
		td := randomAutogenTrace(rng)
		checkRewriteInvariants(t, td, i%4 == 0)
		if t.Failed() {
			t.Fatalf("failed at iteration %d", i)
		}
	}
}

func TestAutogenRewriteEdgeCases(t *testing.T) {
	// Empty input.
	td := ptrace.NewTraces()
	assert.Equal(t, dialect.Stats{}, Dialect{}.Rewrite(td, dialect.Options{}))

	// A plumbing span whose parent never arrived: its child keeps that id.
	td = ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	p := ss.Spans().AppendEmpty()
	p.SetSpanID(pcommon.SpanID{1})
	p.SetParentSpanID(pcommon.SpanID{9})
	p.SetName("autogen publish " + destT("group_topic"))
	c := ss.Spans().AppendEmpty()
	c.SetSpanID(pcommon.SpanID{2})
	c.SetParentSpanID(pcommon.SpanID{1})
	c.SetName("user step")
	stats := Dialect{}.Rewrite(td, dialect.Options{})
	assert.Equal(t, 1, stats.SpansFolded)
	require.Equal(t, 1, td.SpanCount())
	got := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, "user step", got.Name())
	assert.Equal(t, pcommon.SpanID{9}, got.ParentSpanID())

	// A two-span parent cycle is cut, nothing is lost.
	td = ptrace.NewTraces()
	ss = td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	a, b := ss.Spans().AppendEmpty(), ss.Spans().AppendEmpty()
	a.SetSpanID(pcommon.SpanID{1})
	a.SetParentSpanID(pcommon.SpanID{2})
	a.SetName("invoke_agent A")
	b.SetSpanID(pcommon.SpanID{2})
	b.SetParentSpanID(pcommon.SpanID{1})
	b.SetName("openai.chat")
	Dialect{}.Rewrite(td, dialect.Options{})
	assert.Equal(t, 2, td.SpanCount())
	dialecttest.AssertParentsValid(t, td)
}

func FuzzAutogenRewrite(f *testing.F) {
	for _, seed := range []int64{1, 2, 3, 99} {
		f.Add(seed, false)
	}
	f.Fuzz(func(t *testing.T, seed int64, keep bool) {
		checkRewriteInvariants(t, randomAutogenTrace(rand.New(rand.NewSource(seed))), keep)
	})
}
