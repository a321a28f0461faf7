package openaiagents

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

// Real runs of e2e/programs/agents_sdk.py (internal/recordings) under each
// instrumentation: both must give the same tree.

const recordingPrefix = "openai-agents-0.24.0-"

var instrumentations = []string{"openinference", "openllmetry"}

const weatherRun = `WeatherAgent
  openai.response
  get_weather
  openai.response
`

func indent(s string, depth int) string {
	pad := strings.Repeat("  ", depth)
	return pad + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+pad) + "\n"
}

var wantTrees = map[string]string{
	"tools": "Agent workflow\n" + indent(weatherRun, 1),
	"handoff": "Agent workflow\n  RouterAgent\n    openai.response\n    handoff to WeatherAgent\n" +
		indent(weatherRun, 1),
	"agent-as-tool": "Agent workflow\n  PlannerAgent\n    openai.response\n    ask_weather\n" +
		indent(weatherRun, 3) + "    openai.response\n",
	// OpenLLMetry 0.62.4 emits no guardrail spans; OpenInference's are kept (guardrailTree).
	"guardrails": "Agent workflow\n" + indent(weatherRun, 1),
}

// guardrailTree is the guardrails run under OpenInference: the input
// guardrail runs in the first model turn, the output guardrail after the last.
const guardrailTree = "Agent workflow\n  WeatherAgent\n    travel_only\n    openai.response\n    get_weather\n" +
	"    openai.response\n    no_secrets\n"

func rewritten(t *testing.T, name string, opts dialect.Options) (ptrace.Traces, dialect.Stats, int) {
	t.Helper()
	td := recordings.MustLoad(t, name)
	in := td.SpanCount()
	require.True(t, Dialect{}.Matches(td))
	stats := Dialect{}.Rewrite(td, opts)
	return td, stats, in
}

func TestOpenAIAgentsRecordings(t *testing.T) {
	for c, want := range wantTrees {
		for _, instr := range instrumentations {
			t.Run(instr+"-"+c, func(t *testing.T) {
				td, stats, in := rewritten(t, recordingPrefix+instr+"-"+c, dialect.Options{})
				wantTree := want
				if c == "guardrails" && instr == "openinference" {
					wantTree = guardrailTree
				}
				assert.Equal(t, wantTree, dialecttest.RenderTree(td))
				assert.Equal(t, in-stats.SpansFolded, td.SpanCount())
				dialecttest.AssertParentsValid(t, td)
				traces := map[pcommon.TraceID]bool{}
				for _, s := range dialecttest.AllSpans(td) {
					traces[s.TraceID()] = true
				}
				assert.Len(t, traces, 1)
				assertRoles(t, td)
			})
		}
	}
}

// assertRoles: every run typed, every LLM / tool / handoff / guardrail run
// naming the agent it belongs to, tool runs with arguments and result.
func assertRoles(t *testing.T, td ptrace.Traces) {
	t.Helper()
	tree := dialect.NewTree(td)
	for _, n := range tree.Nodes {
		kind := n.Attr(dialect.AttrLangsmithSpanKind)
		require.NotEmpty(t, kind, "%s has a run type hint", n.Name())
		switch {
		case n.Parent == nil:
			assert.Equal(t, dialect.OpInvokeWorkflow, n.Attr(dialect.AttrGenAIOperation))
			continue
		case n.Attr(dialect.AttrGenAIOperation) == dialect.OpInvokeAgent:
			assert.Equal(t, n.Name(), n.Attr(dialect.AttrGenAIAgentName))
			continue
		}
		agent := dialect.Nearest(n, func(p *dialect.Node) bool {
			return p.Attr(dialect.AttrGenAIOperation) == dialect.OpInvokeAgent
		})
		require.NotNil(t, agent, n.Name())
		assert.Equal(t, agent.Name(), n.Attr(dialect.AttrGenAIAgentName), "%s names its agent", n.Name())
		switch n.Name() {
		case llmSpanName:
			assert.Equal(t, "llm", kind)
		case "get_weather":
			assert.Equal(t, "tool", kind)
			assert.JSONEq(t, `{"city":"Paris"}`, n.Attr(dialect.AttrGenAIToolCallArgs))
			assert.Equal(t, "Sunny, 21 C in Paris", n.Attr(dialect.AttrGenAIToolCallResult))
		case "ask_weather":
			assert.JSONEq(t, `{"input":"What is the weather in Paris today?"}`, n.Attr(dialect.AttrGenAIToolCallArgs))
			assert.Equal(t, "It is sunny and 21 C in Paris today.", n.Attr(dialect.AttrGenAIToolCallResult))
		case "handoff to WeatherAgent":
			assert.Equal(t, "tool", kind)
			assert.Equal(t, "WeatherAgent", n.Attr(attrHandoffToAgent))
			assert.Equal(t, "RouterAgent", n.Attr(attrHandoffFromAgent))
		}
	}
}

func TestOpenAIAgentsKeepPlumbing(t *testing.T) {
	for c := range wantTrees {
		for _, instr := range instrumentations {
			td, stats, in := rewritten(t, recordingPrefix+instr+"-"+c, dialect.Options{KeepPlumbing: true})
			assert.Zero(t, stats.SpansFolded)
			assert.Equal(t, in, td.SpanCount())
			dialecttest.AssertParentsValid(t, td)
		}
	}
}

func TestOpenAIAgentsFoldsLateTurnsOnly(t *testing.T) {
	td := recordings.MustLoad(t, recordingPrefix+"openinference-tools")
	folded := 0
	for _, s := range dialecttest.AllSpans(td) {
		scope := pcommon.NewInstrumentationScope()
		scope.SetName(scopeOpenInference)
		if (Dialect{}).FoldsLate(scope, s) {
			assert.Equal(t, turnSpanName, s.Name())
			folded++
		}
	}
	assert.Equal(t, 2, folded, "one turn span per model call")
}

func TestOpenAIAgentsDoesNotMatchOtherFrameworks(t *testing.T) {
	for _, name := range recordings.Names() {
		if !strings.HasPrefix(name, recordingPrefix) {
			assert.False(t, Dialect{}.Matches(recordings.MustLoad(t, name)), name)
		}
	}
}
