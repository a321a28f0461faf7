package recordings

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The recordings of e2e/programs/autogen_cases.py: the span shapes the
// dialect's team-result, nested-team, repeated-run and OpenInference rules
// rely on.

func runStarts(s summary) []ptrace.Span {
	var out []ptrace.Span
	for _, sp := range s.byName["autogen"] {
		if strings.HasPrefix(sp.Name(), "autogen create ") && str(sp, "messaging.message.type") == "GroupChatStart" &&
			strings.HasSuffix(str(sp, "messaging.destination"), ")-A") {
			out = append(out, sp)
		}
	}
	return out
}

func TestNestedTeamRunsInsideTheOuterTurn(t *testing.T) {
	s := summarize(MustLoad(t, NestedTeam))
	assert.Len(t, s.traceIDs, 1)
	assert.Len(t, runStarts(s), 2, "outer and inner team each start once")
	var agents []string
	for _, sp := range s.byName["invoke_agent"] {
		agents = append(agents, str(sp, "gen_ai.agent.name"))
	}
	assert.Equal(t, []string{"Writer", "Reviewer", "Publisher"}, agents, "no invoke_agent for the inner team")
	var teamResponses int
	for _, sp := range s.byName["autogen"] {
		if m := str(sp, "message"); strings.Contains(m, `"stop_reason":"Maximum number of messages 3 reached`) {
			teamResponses++
		}
	}
	assert.Positive(t, teamResponses, "the inner TaskResult travels in GroupChatTeamResponse")
}

func TestTwoRunsOneRootStartTwice(t *testing.T) {
	s := summarize(MustLoad(t, TwoRunsOneRoot))
	require.Len(t, s.byName["run_team"], 1)
	assert.Len(t, s.traceIDs, 1)
	starts := runStarts(s)
	require.Len(t, starts, 2)
	assert.Equal(t, str(starts[0], "messaging.destination"), str(starts[1], "messaging.destination"), "one team id")
	assert.Len(t, s.byName["invoke_agent"], 5)
}

func TestOpenInferenceAddsItsOwnSpans(t *testing.T) {
	s := summarize(MustLoad(t, OpenInference))
	assert.Equal(t, 11+6, s.scopes["openinference.instrumentation.autogen_agentchat"]+s.scopes["openinference.instrumentation.openai"])
	assert.Len(t, s.byName["ChatCompletion"], 6, "the openai instrumentor's model calls")
	assert.Len(t, s.byName["OpenAIChatCompletionClient.create"], 6, "AutoGen's client calls around them")
	assert.Empty(t, s.byName["openai.chat"], "no OpenLLMetry")
	require.Len(t, s.byName["SelectorGroupChat.run_stream"], 1)
	assert.Contains(t, str(s.byName["SelectorGroupChat.run_stream"][0], "output.value"), `"stop_reason": "Text 'TERMINATE' mentioned"`)
}
