package agentframework

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

// Real runs of e2e/programs/maf_workflows.py (internal/recordings), one per
// orchestration: the rules must rebuild workflow -> turns -> LLM / tool runs
// from what the framework actually emits.

const recordingPrefix = "agent-framework-1.23.0-"

const weatherTurn = `  WeatherAgent
    chat gpt-4o
    get_weather
    chat gpt-4o
`

var wantTrees = map[string]string{
	"single-agent": "WeatherAgent\n  chat gpt-4o\n  get_weather\n  chat gpt-4o\n",
	"sequential":   "Sequential\n" + weatherTurn + "  WriterAgent\n    chat gpt-4o\n",
	"group-chat": "GroupChat\n  CoordinatorAgent\n    chat gpt-4o\n" + weatherTurn +
		"  CoordinatorAgent\n    chat gpt-4o\n  WriterAgent\n    chat gpt-4o\n  CoordinatorAgent\n    chat gpt-4o\n",
	"handoff": "Handoff\n  TriageAgent\n    chat gpt-4o\n" + weatherTurn,
	"magentic": "Magentic\n" + strings.Repeat("  MagenticManager\n    chat gpt-4o\n", 3) + weatherTurn +
		"  MagenticManager\n    chat gpt-4o\n  WriterAgent\n    chat gpt-4o\n" +
		strings.Repeat("  MagenticManager\n    chat gpt-4o\n", 2),
}

// rewriteLikeProcessor hands each trace of a recording to the dialect, as the
// buffer does, and joins what comes out.
func rewriteLikeProcessor(t *testing.T, td ptrace.Traces, opts dialect.Options) (ptrace.Traces, dialect.Stats) {
	t.Helper()
	out := ptrace.NewTraces()
	var total dialect.Stats
	for _, one := range dialecttest.SplitByTrace(td) {
		require.True(t, Dialect{}.Matches(one), "every trace of the run is the framework's")
		st := Dialect{}.Rewrite(one, opts)
		total.SpansFolded += st.SpansFolded
		total.SpansAdded += st.SpansAdded
		one.ResourceSpans().MoveAndAppendTo(out.ResourceSpans())
	}
	return out, total
}

func TestAgentFrameworkRecordings(t *testing.T) {
	for variant, want := range wantTrees {
		t.Run(variant, func(t *testing.T) {
			td := recordings.MustLoad(t, recordingPrefix+variant)
			in := td.SpanCount()
			out, stats := rewriteLikeProcessor(t, td, dialect.Options{})
			assert.Equal(t, want, dialecttest.RenderTree(out))
			assert.Equal(t, in-stats.SpansFolded, out.SpanCount())
			dialecttest.AssertParentsValid(t, out)

			traces := map[pcommon.TraceID]bool{}
			for _, s := range dialecttest.AllSpans(out) {
				traces[s.TraceID()] = true
				assert.False(t, isPlumbing(scopeName, s.Name()), "plumbing left: %s", s.Name())
			}
			assert.Len(t, traces, 1, "one trace per workflow run (the build span's trace is folded away)")
			assertAgentsNamed(t, out)
			assertWeatherTool(t, out)
			if variant != "single-agent" {
				assertWorkflowRun(t, out)
			}
		})
	}
}

// assertAgentsNamed: every LLM and tool run names the agent whose turn it is in.
func assertAgentsNamed(t *testing.T, td ptrace.Traces) {
	t.Helper()
	tree := dialect.NewTree(td)
	llms := 0
	for _, n := range tree.Nodes {
		switch n.Attr(dialect.AttrGenAIOperation) {
		case dialect.OpChat:
			llms++
			assert.Equal(t, "llm", n.Attr(dialect.AttrLangsmithSpanKind))
		case dialect.OpExecuteTool:
			assert.Equal(t, "tool", n.Attr(dialect.AttrLangsmithSpanKind))
		case dialect.OpInvokeAgent:
			assert.Equal(t, "chain", n.Attr(dialect.AttrLangsmithSpanKind))
			assert.Equal(t, n.Name(), n.Attr(dialect.AttrGenAIAgentName), "turn named after its agent")
			continue
		default:
			continue
		}
		require.NotNil(t, n.Parent, "%s has its turn", n.Name())
		assert.Equal(t, n.Parent.Name(), n.Attr(dialect.AttrGenAIAgentName), "%s names its agent", n.Name())
		assert.Equal(t, n.Parent.Attr(dialect.AttrGenAIAgentID), n.Attr(dialect.AttrGenAIAgentID))
	}
	assert.Positive(t, llms)
}

func assertWeatherTool(t *testing.T, td ptrace.Traces) {
	t.Helper()
	tools := dialecttest.SpansNamed(td, "get_weather")
	require.Len(t, tools, 1)
	assert.JSONEq(t, `{"city":"Paris"}`, dialecttest.AttrStr(tools[0], dialect.AttrGenAIToolCallArgs))
	assert.Equal(t, "Sunny, 21 C in Paris", dialecttest.AttrStr(tools[0], dialect.AttrGenAIToolCallResult))
	assert.Equal(t, "WeatherAgent", dialecttest.AttrStr(tools[0], dialect.AttrGenAIAgentName))
}

func assertWorkflowRun(t *testing.T, td ptrace.Traces) {
	t.Helper()
	roots := dialect.NewTree(td).Roots()
	require.Len(t, roots, 1)
	wf := roots[0]
	assert.Equal(t, dialect.OpInvokeWorkflow, wf.Attr(dialect.AttrGenAIOperation))
	assert.Equal(t, wf.Name(), wf.Attr(dialect.AttrGenAIWorkflowName))
	assert.Equal(t, "chain", wf.Attr(dialect.AttrLangsmithSpanKind))
	assert.Contains(t, wf.Attr(dialect.AttrGenAIInputMessages), "What is the weather in Paris today?")
	assert.NotContains(t, wf.Attr(dialect.AttrGenAIInputMessages), `"assistant"`, "only the user's request")
	assert.NotEmpty(t, wf.Attr(dialect.AttrGenAIOutputMessages))
	last := wf.Children[len(wf.Children)-1]
	assert.Equal(t, last.Attr(dialect.AttrGenAIOutputMessages), wf.Attr(dialect.AttrGenAIOutputMessages),
		"the workflow's answer is its last turn's")
	ps, ok := wf.Span.Attributes().Get("agent_framework.workflow.participants")
	require.True(t, ok)
	assert.Contains(t, ps.AsRaw(), "WeatherAgent")
}

func TestAgentFrameworkKeepPlumbing(t *testing.T) {
	for variant := range wantTrees {
		t.Run(variant, func(t *testing.T) {
			td := recordings.MustLoad(t, recordingPrefix+variant)
			in := td.SpanCount()
			out, stats := rewriteLikeProcessor(t, td, dialect.Options{KeepPlumbing: true})
			assert.Zero(t, stats.SpansFolded)
			assert.Equal(t, in, out.SpanCount())
			dialecttest.AssertParentsValid(t, out)
		})
	}
}

func TestAgentFrameworkFoldsLatePlumbingOnly(t *testing.T) {
	td := recordings.MustLoad(t, recordingPrefix+"sequential")
	folded := map[string]int{}
	var kept []string
	for _, s := range dialecttest.AllSpans(td) {
		scope := pcommon.NewInstrumentationScope()
		scope.SetName(scopeName)
		if (Dialect{}).FoldsLate(scope, s) {
			first, _, _ := strings.Cut(s.Name(), " ")
			folded[first]++
		} else {
			kept = append(kept, s.Name())
		}
	}
	assert.Equal(t, map[string]int{spanWorkflowBuild: 1, spanExecutor: 3, spanEdgeGroup: 3, spanMessageSend: 3}, folded)
	assert.ElementsMatch(t, []string{"workflow.run", "invoke_agent WeatherAgent", "chat gpt-4o", "execute_tool get_weather",
		"chat gpt-4o", "invoke_agent WriterAgent", "chat gpt-4o"}, kept)
}

func TestAgentFrameworkDoesNotMatchOtherFrameworks(t *testing.T) {
	for _, name := range recordings.Names() {
		if strings.HasPrefix(name, "autogen-") {
			assert.False(t, Dialect{}.Matches(recordings.MustLoad(t, name)), name)
		}
	}
}
