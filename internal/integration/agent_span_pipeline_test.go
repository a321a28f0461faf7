package integration

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/langsmithtest"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
)

const agentSpanConfig = `  agent_span:
    idle_timeout: 300ms
    max_trace_duration: 30s`

// teamExpectation is what a recorded SelectorGroupChat run must look like in
// LangSmith after the processor rebuilt it.
type teamExpectation struct {
	recording    string
	withMessages bool // content capture on
	withUsage    bool
	// withToolResult: AutoGen records a tool's result only in the runtime's
	// message payloads of 0.7.2+ (or in a later LLM call of the same agent);
	// with runtime tracing off, or before 0.7.2, no span carries it.
	withToolResult bool
}

// The reference program and its variants, replayed through the real
// otlp -> agent_span -> langsmith pipeline, become the design's target tree.
func TestAgentSpanRebuildsTheTeamTree(t *testing.T) {
	cases := []teamExpectation{
		{recording: "autogen-0.7.5-reference", withMessages: true, withUsage: true},
		{recording: "autogen-0.7.5-runtime-tracing-off", withMessages: true, withUsage: true},
		{recording: "autogen-0.7.5-runtime-outside-root", withMessages: true, withUsage: true},
		{recording: "autogen-0.7.5-content-off", withMessages: false, withUsage: true},
	}
	for _, name := range recordings.Names() {
		if strings.HasPrefix(name, "autogen-0.4") || strings.HasPrefix(name, "autogen-0.5") || strings.HasPrefix(name, "autogen-0.6") {
			cases = append(cases, teamExpectation{recording: name, withMessages: true, withUsage: true})
		}
	}
	for _, tc := range cases {
		t.Run(tc.recording, func(t *testing.T) {
			p := startPipeline(t, langsmithtest.Options{}, "agent_span", agentSpanConfig, "", "")
			td := recordings.MustLoad(t, tc.recording)
			send(t, p.otlpURL, td)
			runs := waitForStableRuns(t, p.server, 10, 30*time.Second)
			assert.Empty(t, p.server.Violations())
			assert.Empty(t, p.server.Check())
			assertTeamTree(t, runs, tc)
		})
	}
}

func assertTeamTree(t *testing.T, runs []langsmithtest.Run, tc teamExpectation) {
	t.Helper()
	tr := newTree(runs)
	require.Len(t, tr.roots, 1, "one trace; runs: %v", names(runs))
	root := tr.roots[0]
	assert.Equal(t, "run_team", root.Name)

	for _, r := range runs {
		assert.False(t, strings.HasPrefix(r.Name, "autogen "), "plumbing run %q left", r.Name)
	}

	var team *langsmithtest.Run
	for _, c := range tr.children[root.ID] {
		if c.Name == "SelectorGroupChat" {
			c := c
			team = &c
		}
	}
	require.NotNil(t, team, "team run under run_team; children: %v", names(tr.children[root.ID]))
	assert.Equal(t, "chain", team.RunType)

	steps := tr.children[team.ID]
	var got []string
	for _, s := range steps {
		got = append(got, s.Name)
	}
	assert.Equal(t, []string{
		"select speaker", "PlanningAgent",
		"select speaker", "DataAnalystAgent",
		"select speaker", "PlanningAgent",
	}, got, "select-speaker steps between turns, in order")

	var tool *langsmithtest.Run
	for _, s := range steps {
		switch s.Name {
		case "select speaker":
			if tc.withUsage {
				assertLLMRunComplete(t, s, tc.withMessages)
			}
		case "PlanningAgent", "DataAnalystAgent":
			assert.Equal(t, "chain", s.RunType)
			kids := tr.children[s.ID]
			require.NotEmpty(t, kids, "turn %s has its LLM call", s.Name)
			for _, k := range kids {
				md := metadataOf(k)
				assert.Equal(t, s.Name, md["gen_ai.agent.name"], "agent name on %s", k.Name)
				assert.NotEmpty(t, md["thread_id"], "conversation id as thread id on %s", k.Name)
				if k.RunType == "llm" && tc.withUsage {
					assertLLMRunComplete(t, k, tc.withMessages)
				}
				if k.RunType == "tool" {
					k := k
					tool = &k
				}
			}
		}
	}
	require.NotNil(t, tool, "the tool run")
	assert.Equal(t, "percentage_change", tool.Name)
	// Arguments come from the LLM call that asked for the tool, or from the
	// runtime's payloads when content capture is off.
	args, _ := json.Marshal(tool.Inputs)
	assert.JSONEq(t, `{"start":214,"end":398}`, string(args))
	if tc.withToolResult {
		assert.NotEmpty(t, tool.Outputs["output"], "tool result")
	}
}
