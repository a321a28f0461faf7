package recordings

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// summary is what the assertions below look at in one recording.
type summary struct {
	spans    int
	traceIDs map[pcommon.TraceID]int
	byName   map[string][]ptrace.Span // key: span name, or its first word for GenAI/autogen spans
	scopes   map[string]int
}

func summarize(td ptrace.Traces) summary {
	s := summary{traceIDs: map[pcommon.TraceID]int{}, byName: map[string][]ptrace.Span{}, scopes: map[string]int{}}
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		sss := td.ResourceSpans().At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			for k := 0; k < ss.Spans().Len(); k++ {
				sp := ss.Spans().At(k)
				s.spans++
				s.scopes[ss.Scope().Name()]++
				s.traceIDs[sp.TraceID()]++
				s.byName[sp.Name()] = append(s.byName[sp.Name()], sp)
				if first, _, ok := strings.Cut(sp.Name(), " "); ok {
					s.byName[first] = append(s.byName[first], sp)
				}
			}
		}
	}
	return s
}

func str(sp ptrace.Span, key string) string {
	v, ok := sp.Attributes().Get(key)
	if !ok {
		return ""
	}
	return v.AsString()
}

func TestNamesListsEveryFile(t *testing.T) {
	names := Names()
	for _, want := range []string{Reference, RuntimeTracingOff, RuntimeOutsideRoot, ContentOff, Streaming,
		RoundRobin, ToolError, AgentAlone, TwoRuns, AutoGen064, AutoGen049, AutoGen057} {
		assert.Contains(t, names, want)
	}
}

func TestEveryRecordingLoadsWithValidIDs(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			td := MustLoad(t, name)
			require.Positive(t, td.SpanCount())
			s := summarize(td)
			for _, spans := range s.byName {
				for _, sp := range spans {
					assert.False(t, sp.TraceID().IsEmpty(), "span %q has no trace id", sp.Name())
					assert.False(t, sp.SpanID().IsEmpty(), "span %q has no span id", sp.Name())
					assert.NotZero(t, sp.StartTimestamp(), "span %q has no start", sp.Name())
					assert.GreaterOrEqual(t, sp.EndTimestamp(), sp.StartTimestamp(), "span %q", sp.Name())
				}
			}
			// Every parent id must name a span of the same recording and trace.
			ids := map[pcommon.SpanID]pcommon.TraceID{}
			for _, spans := range s.byName {
				for _, sp := range spans {
					ids[sp.SpanID()] = sp.TraceID()
				}
			}
			for _, spans := range s.byName {
				for _, sp := range spans {
					if p := sp.ParentSpanID(); !p.IsEmpty() {
						tid, ok := ids[p]
						if assert.True(t, ok, "span %q has unknown parent %s", sp.Name(), p) {
							assert.Equal(t, sp.TraceID(), tid, "span %q crosses traces", sp.Name())
						}
					}
				}
			}
		})
	}
}

func TestReferenceMatchesTheDocumentedTree(t *testing.T) {
	td := MustLoad(t, Reference)
	s := summarize(td)
	assert.Equal(t, 61, s.spans)
	assert.Len(t, s.traceIDs, 1)
	require.Len(t, s.byName["run_team"], 1)
	assert.True(t, s.byName["run_team"][0].ParentSpanID().IsEmpty(), "run_team is the root")
	assert.Len(t, s.byName["create_agent"], 2)
	assert.Len(t, s.byName["invoke_agent"], 3)
	assert.Len(t, s.byName["openai.chat"], 6)
	assert.Len(t, s.byName["autogen"], 48)
	require.Len(t, s.byName["execute_tool"], 1)
	tool := s.byName["execute_tool"][0]
	assert.Equal(t, "execute_tool percentage_change", tool.Name())
	assert.Equal(t, "call_Qm3tTkbL9xWvZ1pA7cR2yH5e", str(tool, "gen_ai.tool.call.id"))
	assert.Equal(t, map[string]int{
		"tracing-autogen-agentchat":               1,
		"autogen-core":                            6,
		"autogen SingleThreadedAgentRuntime":      48,
		"opentelemetry.instrumentation.openai.v1": 6,
	}, s.scopes)

	var agents []string
	for _, sp := range s.byName["invoke_agent"] {
		agents = append(agents, str(sp, "gen_ai.agent.name"))
	}
	assert.Equal(t, []string{"PlanningAgent", "DataAnalystAgent", "PlanningAgent"}, agents, "turns in start order")

	// The analyst's LLM call asked for the tool, in the 0.55+ openllmetry format.
	var toolCall int
	for _, sp := range s.byName["openai.chat"] {
		assert.NotEmpty(t, str(sp, "gen_ai.input.messages"))
		assert.NotEmpty(t, str(sp, "gen_ai.output.messages"))
		in, ok := sp.Attributes().Get("gen_ai.usage.input_tokens")
		require.True(t, ok)
		assert.Positive(t, in.Int())
		if strings.Contains(str(sp, "gen_ai.output.messages"), `"arguments": {"start": 214, "end": 398}`) {
			toolCall++
		}
	}
	assert.Equal(t, 1, toolCall)
	// Links point from deliveries to their create spans.
	links := 0
	for _, sp := range s.byName["autogen"] {
		links += sp.Links().Len()
	}
	assert.Positive(t, links)
}

func TestRuntimeTracingOffHasOnlyGenAISpans(t *testing.T) {
	s := summarize(MustLoad(t, RuntimeTracingOff))
	assert.Equal(t, 13, s.spans)
	assert.Empty(t, s.byName["autogen"])
	assert.Len(t, s.byName["invoke_agent"], 3)
	assert.Len(t, s.byName["openai.chat"], 6)
	assert.Len(t, s.traceIDs, 1)
}

func TestRuntimeOutsideRootSplitsIntoManyTraces(t *testing.T) {
	s := summarize(MustLoad(t, RuntimeOutsideRoot))
	assert.Equal(t, 61, s.spans)
	assert.Len(t, s.traceIDs, 17)
	roots := 0
	for _, sp := range s.byName["autogen"] { // each delivery without a current span is a trace root
		if sp.ParentSpanID().IsEmpty() {
			roots++
		}
	}
	assert.Equal(t, 16, roots, "16 runtime roots plus run_team")
	assert.Equal(t, 1, len(s.byName["run_team"]))
}

func TestContentOffHasNoMessages(t *testing.T) {
	s := summarize(MustLoad(t, ContentOff))
	require.Len(t, s.byName["openai.chat"], 6)
	for _, sp := range s.byName["openai.chat"] {
		_, hasIn := sp.Attributes().Get("gen_ai.input.messages")
		_, hasOut := sp.Attributes().Get("gen_ai.output.messages")
		assert.False(t, hasIn)
		assert.False(t, hasOut)
		_, hasUsage := sp.Attributes().Get("gen_ai.usage.input_tokens")
		assert.True(t, hasUsage, "usage stays when content is off")
	}
}

func TestStreamingCarriesUsageAndChunkEvents(t *testing.T) {
	s := summarize(MustLoad(t, Streaming))
	require.Len(t, s.byName["openai.chat"], 6)
	for _, sp := range s.byName["openai.chat"] {
		v, ok := sp.Attributes().Get("gen_ai.is_streaming")
		require.True(t, ok)
		assert.True(t, v.Bool())
		_, hasUsage := sp.Attributes().Get("gen_ai.usage.input_tokens")
		assert.True(t, hasUsage, "include_usage was requested")
		assert.Positive(t, sp.Events().Len(), "one event per chunk")
	}
}

func TestRoundRobinHasNoSelectorCalls(t *testing.T) {
	s := summarize(MustLoad(t, RoundRobin))
	assert.Len(t, s.byName["openai.chat"], 3)
	assert.Len(t, s.byName["invoke_agent"], 3)
	found := false
	for _, sp := range s.byName["autogen"] {
		if str(sp, "recipient_agent_class") == "RoundRobinGroupChatManager" {
			found = true
		}
	}
	assert.True(t, found)
}

func TestToolErrorMarksTheToolSpan(t *testing.T) {
	s := summarize(MustLoad(t, ToolError))
	require.Len(t, s.byName["execute_tool"], 1)
	tool := s.byName["execute_tool"][0]
	assert.Equal(t, ptrace.StatusCodeError, tool.Status().Code())
	assert.NotEmpty(t, str(tool, "error.type"))
}

func TestAgentAloneHasNoTeam(t *testing.T) {
	s := summarize(MustLoad(t, AgentAlone))
	assert.Empty(t, s.byName["autogen"])
	require.Len(t, s.byName["invoke_agent"], 1)
	assert.Equal(t, "DataAnalystAgent", str(s.byName["invoke_agent"][0], "gen_ai.agent.name"))
	assert.Empty(t, str(s.byName["invoke_agent"][0], "gen_ai.agent.id"), "no container id outside a team")
	assert.Len(t, s.byName["openai.chat"], 2, "tool call, then reflection")
	assert.Len(t, s.byName["execute_tool"], 1)
}

func TestTwoRunsShareOneTeamID(t *testing.T) {
	s := summarize(MustLoad(t, TwoRuns))
	require.Len(t, s.byName["run_team"], 2)
	assert.NotEqual(t, s.byName["run_team"][0].TraceID(), s.byName["run_team"][1].TraceID())
	teams := map[string]bool{}
	for _, sp := range s.byName["invoke_agent"] {
		id := str(sp, "gen_ai.agent.id")
		_, tid, ok := strings.Cut(id, "/")
		require.True(t, ok, "agent id %q", id)
		teams[tid] = true
	}
	assert.Len(t, teams, 1, "both runs reuse the team object's id")
}

func TestOldAutoGenHasNoGenAISpansButLegacyAttributes(t *testing.T) {
	s := summarize(MustLoad(t, AutoGen049))
	assert.Empty(t, s.byName["invoke_agent"])
	assert.Empty(t, s.byName["execute_tool"])
	assert.Len(t, s.byName["percentage_change"], 1, "tool span from the base_tool scope")
	assert.Equal(t, 1, s.scopes["base_tool"])
	require.Len(t, s.byName["openai.chat"], 6)
	for _, sp := range s.byName["openai.chat"] {
		assert.Equal(t, "chat", str(sp, "llm.request.type"))
		assert.NotEmpty(t, str(sp, "gen_ai.prompt.0.role"))
	}
}

func TestAutoGen064HasGenAISpansAndLegacyLLMAttributes(t *testing.T) {
	s := summarize(MustLoad(t, AutoGen064))
	assert.Equal(t, 61, s.spans)
	assert.Len(t, s.byName["invoke_agent"], 3)
	assert.Len(t, s.byName["execute_tool"], 1)
	require.Len(t, s.byName["openai.chat"], 6)
	for _, sp := range s.byName["openai.chat"] {
		assert.Equal(t, "openai", str(sp, "gen_ai.system"))
		assert.NotEmpty(t, str(sp, "gen_ai.completion.0.finish_reason"))
		_, ok := sp.Attributes().Get("gen_ai.usage.prompt_tokens")
		assert.True(t, ok)
	}
}

func TestAutoGen057HasProcessAttributesAndToolArgs(t *testing.T) {
	s := summarize(MustLoad(t, AutoGen057))
	assert.Equal(t, 56, s.spans)
	assert.Empty(t, s.byName["invoke_agent"])
	require.Len(t, s.byName["percentage_change"], 1)
	assert.JSONEq(t, `{"start":214,"end":398}`, str(s.byName["percentage_change"][0], "tool_args"))
	classes := map[string]bool{}
	for _, sp := range s.byName["autogen"] {
		classes[str(sp, "recipient_agent_class")] = true
	}
	assert.True(t, classes["SelectorGroupChatManager"])
	assert.True(t, classes["ChatAgentContainer"])
	require.Len(t, s.byName["openai.chat"], 6)
	for _, sp := range s.byName["openai.chat"] {
		for _, key := range []string{"gen_ai.usage.input_tokens", "llm.usage.total_tokens", "gen_ai.prompt.0.role"} {
			_, ok := sp.Attributes().Get(key)
			assert.True(t, ok, key)
		}
	}
}

func TestLoadRejectsUnknownAndPathNames(t *testing.T) {
	for _, name := range []string{"", "nope", "../recordings", "testdata/autogen-0.7.5-reference", `a\b`} {
		_, err := Load(name)
		assert.Error(t, err, name)
	}
}

func TestLoadReturnsIndependentCopies(t *testing.T) {
	a := MustLoad(t, AgentAlone)
	a.ResourceSpans().RemoveIf(func(ptrace.ResourceSpans) bool { return true })
	b := MustLoad(t, AgentAlone)
	assert.Equal(t, 7, b.SpanCount())
}

func TestRecordingsCarryNoAbsolutePaths(t *testing.T) {
	for _, name := range Names() {
		b, err := Raw(name)
		require.NoError(t, err)
		assert.NotContains(t, string(b), `File \"/`, "%s: stack traces must be scrubbed by e2e/recorder.py", name)
	}
}
