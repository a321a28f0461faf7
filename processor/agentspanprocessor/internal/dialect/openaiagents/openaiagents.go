// Package openaiagents is the agent_span dialect for the OpenAI Agents SDK
// (openai-agents), traced into OpenTelemetry by either
// openinference-instrumentation-openai-agents or
// opentelemetry-instrumentation-openai-agents (OpenLLMetry).
//
// The two instrumentations describe the same run in different vocabularies
// and shapes (OpenInference: a workflow span twice, a "turn" span per model
// call, llm.* / tool.* attributes; OpenLLMetry: GenAI attributes, but an
// agent used as a tool appears beside its caller instead of under the tool).
// Both become one tree: workflow run > agent runs in order > LLM, tool,
// handoff and guardrail runs, with an agent used as a tool nested under that
// tool run. The rules:
//   - classify.go: what each span is, per instrumentation;
//   - annotate.go: names and GenAI attributes for each role;
//   - nesting.go: agents used as tools moved under their tool, handoff
//     targets.
package openaiagents // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/openaiagents"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// Instrumentation scopes of the two instrumentations.
const (
	scopeOpenInference = "openinference.instrumentation.openai_agents"
	scopeOpenLLMetry   = "opentelemetry.instrumentation.openai_agents"
)

// Dialect rebuilds OpenAI Agents SDK traces.
type Dialect struct{}

// Name implements dialect.Dialect.
func (Dialect) Name() string { return "openai_agents" }

// Matches recognises either instrumentation's scope.
func (Dialect) Matches(td ptrace.Traces) bool {
	return dialect.AnyScope(td, func(ss ptrace.ScopeSpans) bool { return isOurScope(ss.Scope().Name()) })
}

func isOurScope(name string) bool { return name == scopeOpenInference || name == scopeOpenLLMetry }

// FoldsLate recognises OpenInference's per-turn wrapper spans on their own
// (the repeated workflow span needs its trace to be recognised).
func (Dialect) FoldsLate(scope pcommon.InstrumentationScope, span ptrace.Span) bool {
	return scope.Name() == scopeOpenInference && span.Name() == turnSpanName && oiKind(span) == "CHAIN"
}

// rewrite holds one trace's state: its tree and each span's role.
type rewrite struct {
	dialect.Roles[role]
}

// Rewrite runs the rules over one assembled trace.
func (Dialect) Rewrite(td ptrace.Traces, opts dialect.Options) dialect.Stats {
	r := &rewrite{dialect.Classify(td, classify)}
	r.nestAgentsUsedAsTools()
	folded := r.FoldAll(rolePlumbing, opts)
	r.annotate()
	r.Tree.Compact()
	return dialect.Stats{SpansFolded: folded}
}
