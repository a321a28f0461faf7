package recordings

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The non-AutoGen recordings: what the dialects rely on is there (scope,
// span count, the spans each case is about).
func TestFrameworkRecordings(t *testing.T) {
	for _, tc := range []struct {
		name, scope string
		spans       int
		has         []string
	}{
		{"agent-framework-1.23.0-single-agent", "agent_framework", 4, []string{"invoke_agent", "chat", "execute_tool"}},
		{"agent-framework-1.23.0-sequential", "agent_framework", 17, []string{"workflow.build", "workflow.run", "executor.process", "edge_group.process", "message.send"}},
		{"agent-framework-1.23.0-group-chat", "agent_framework", 42, []string{"workflow.run", "invoke_agent"}},
		{"agent-framework-1.23.0-handoff", "agent_framework", 22, []string{"workflow.run", "invoke_agent"}},
		{"agent-framework-1.23.0-magentic", "agent_framework", 44, []string{"workflow.run", "invoke_agent"}},
		{"openai-agents-0.24.0-openinference-tools", "openinference.instrumentation.openai_agents", 8, []string{"Agent", "turn", "response", "get_weather"}},
		{"openai-agents-0.24.0-openinference-handoff", "openinference.instrumentation.openai_agents", 12, []string{"handoff"}},
		{"openai-agents-0.24.0-openinference-agent-as-tool", "openinference.instrumentation.openai_agents", 15, []string{"ask_weather"}},
		{"openai-agents-0.24.0-openinference-guardrails", "openinference.instrumentation.openai_agents", 10, []string{"travel_only", "no_secrets"}},
		{"openai-agents-0.24.0-openllmetry-tools", "opentelemetry.instrumentation.openai_agents", 5, []string{"Agent", "WeatherAgent.agent", "openai.response", "get_weather.tool"}},
		{"openai-agents-0.24.0-openllmetry-handoff", "opentelemetry.instrumentation.openai_agents", 8, []string{"RouterAgent"}},
		{"openai-agents-0.24.0-openllmetry-agent-as-tool", "opentelemetry.instrumentation.openai_agents", 9, []string{"ask_weather.tool", "PlannerAgent.agent"}},
		{"openai-agents-0.24.0-openllmetry-guardrails", "opentelemetry.instrumentation.openai_agents", 5, []string{"WeatherAgent.agent"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := summarize(MustLoad(t, tc.name))
			assert.Equal(t, tc.spans, s.spans)
			assert.Equal(t, map[string]int{tc.scope: tc.spans}, s.scopes)
			for _, name := range tc.has {
				assert.NotEmpty(t, s.byName[name], "%s has a %q span", tc.name, name)
			}
			if strings.HasPrefix(tc.name, "openai-agents") {
				assert.Len(t, s.traceIDs, 1, "one SDK trace")
			}
		})
	}
}
