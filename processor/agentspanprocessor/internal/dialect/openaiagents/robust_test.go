package openaiagents

import (
	"math/rand"
	"testing"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/dialecttest"
)

func TestOpenAIAgentsRewriteMalformedInput(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	names := []string{"Agent workflow", "Agent Workflow", "turn", "response", "openai.response", "WeatherAgent",
		"A.agent", "get_weather", "t.tool", "handoff to B", "A → unknown.handoff", ""}
	attrs := map[string][]string{
		"openinference.span.kind": {"AGENT", "CHAIN", "LLM", "TOOL", "GUARDRAIL", "x"},
		"traceloop.span.kind":     {"workflow", "agent", "tool", "handoff", "guardrail"},
		"gen_ai.operation.name":   {"invoke_agent", "chat", "execute_tool", "handoff"},
		"agent.name":              {"A", "B", ""},
		"tool.name":               {"t", ""},
	}
	for i := 0; i < 1000; i++ {
		td := dialecttest.RandomTrace(rng, []string{scopeOpenInference, scopeOpenLLMetry}, names, attrs)
		dialecttest.CheckRewriteInvariants(t, Dialect{}, td, i%4 == 0)
		if t.Failed() {
			t.Fatalf("failed at iteration %d", i)
		}
	}
}
