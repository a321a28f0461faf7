package agentframework

import (
	"math/rand"
	"testing"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/dialecttest"
)

func TestAgentFrameworkRewriteMalformedInput(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	names := []string{"workflow.run", "workflow.build", "executor.process X", "edge_group.process SingleEdgeGroup",
		"message.send", "invoke_agent A", "chat gpt-4o", "execute_tool t", "", "other"}
	attrs := map[string][]string{
		"gen_ai.operation.name": {"invoke_agent", "chat", "execute_tool", ""},
		"gen_ai.agent.name":     {"A", "B", ""},
		"executor.id":           {"X", ""},
		"workflow.name":         {"Sequential", ""},
		"gen_ai.input.messages": {`[{"role":"user","parts":[]}]`, "{", "[1]", `[{"role":7}]`},
	}
	for i := 0; i < 1000; i++ {
		td := dialecttest.RandomTrace(rng, []string{scopeName, "other"}, names, attrs)
		dialecttest.CheckRewriteInvariants(t, Dialect{}, td, i%4 == 0)
		if t.Failed() {
			t.Fatalf("failed at iteration %d", i)
		}
	}
}
