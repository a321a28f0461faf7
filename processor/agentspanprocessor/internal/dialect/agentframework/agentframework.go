// Package agentframework is the agent_span dialect for Microsoft Agent
// Framework (Python agent-framework-core and agent-framework-orchestrations),
// the successor of AutoGen.
//
// The framework already traces agents, model calls and tools in GenAI
// semantic conventions (invoke_agent, chat, execute_tool). What reads badly is
// the workflow machinery around them (workflow.build, executor.process,
// edge_group.process, message.send), the workflow.run span that says nothing
// about the run, and chat spans that do not name their agent. The rules:
//   - workflow.go: workflow.run becomes the workflow run (invoke_workflow)
//     named after the workflow, with the run's input and final answer;
//   - agents.go: agent turns, LLM and tool runs typed and named, every LLM
//     and tool run tagged with its agent;
//   - plumbing folded (children move to the nearest kept ancestor), so a
//     sequential, group chat, handoff or Magentic run reads as workflow ->
//     agent turns in order -> LLM / tool runs.
package agentframework // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/agentframework"

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// scopeName is the instrumentation scope of every span the framework emits.
const scopeName = "agent_framework"

// providerName is the gen_ai.provider.name (gen_ai.system before the latest
// semconv) the framework puts on its agent spans.
const providerName = "microsoft.agent_framework"

// Span names of the workflow engine (observability.OtelAttr in the framework).
const (
	spanWorkflowRun   = "workflow.run"
	spanWorkflowBuild = "workflow.build"
	spanExecutor      = "executor.process"
	spanEdgeGroup     = "edge_group.process"
	spanMessageSend   = "message.send"
)

// Attributes of the workflow engine's spans.
const (
	attrWorkflowName = "workflow.name"
	attrWorkflowID   = "workflow.id"
	attrExecutorID   = "executor.id"
	attrExecutorType = "executor.type"
)

// Dialect rebuilds Microsoft Agent Framework traces.
type Dialect struct{}

// Name implements dialect.Dialect.
func (Dialect) Name() string { return "agent_framework" }

// Matches recognises the framework's instrumentation scope or provider name.
func (Dialect) Matches(td ptrace.Traces) bool {
	return dialect.AnyScope(td, func(ss ptrace.ScopeSpans) bool {
		if ss.Scope().Name() == scopeName {
			return true
		}
		for k := 0; k < ss.Spans().Len(); k++ {
			attrs := ss.Spans().At(k).Attributes()
			for _, key := range []string{dialect.AttrGenAIProvider, dialect.AttrGenAISystem} {
				if v, ok := attrs.Get(key); ok && v.AsString() == providerName {
					return true
				}
			}
		}
		return false
	})
}

// FoldsLate recognises the workflow engine's plumbing spans on their own.
func (Dialect) FoldsLate(scope pcommon.InstrumentationScope, span ptrace.Span) bool {
	return isPlumbing(scope.Name(), span.Name())
}

// isPlumbing: the workflow engine's build, dispatch and delivery spans.
func isPlumbing(scope, name string) bool {
	if scope != scopeName {
		return false
	}
	switch first, _, _ := strings.Cut(name, " "); first {
	case spanWorkflowBuild, spanExecutor, spanEdgeGroup, spanMessageSend:
		return true
	}
	return false
}

// role is what a span is for these rules.
type role int

const (
	roleOther role = iota
	rolePlumbing
	roleWorkflow
	roleTurn
	roleLLM
	roleTool
)

func classify(n *dialect.Node) role {
	scope := n.Scope.Scope().Name()
	switch {
	case isPlumbing(scope, n.Name()):
		return rolePlumbing
	case scope == scopeName && n.Name() == spanWorkflowRun:
		return roleWorkflow
	}
	switch n.Attr(dialect.AttrGenAIOperation) {
	case dialect.OpInvokeAgent:
		return roleTurn
	case dialect.OpChat, "text_completion", "generate_content":
		return roleLLM
	case dialect.OpExecuteTool:
		return roleTool
	}
	return roleOther
}

// rewrite holds one trace's state: its tree and each span's role.
type rewrite struct {
	dialect.Roles[role]
}

// Rewrite runs the rules over one assembled trace.
func (Dialect) Rewrite(td ptrace.Traces, opts dialect.Options) dialect.Stats {
	r := &rewrite{dialect.Classify(td, classify)}
	r.annotateAgents()
	r.annotateWorkflows()
	folded := r.FoldAll(rolePlumbing, opts)
	r.Tree.Compact()
	return dialect.Stats{SpansFolded: folded}
}
