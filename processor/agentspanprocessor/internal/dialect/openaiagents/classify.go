package openaiagents

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// role is what a span is for these rules.
type role int

const (
	roleOther role = iota
	rolePlumbing
	roleWorkflow
	roleAgent
	roleLLM
	roleTool
	roleHandoff
	roleGuardrail
)

// Span names and attributes the instrumentations use.
const (
	turnSpanName         = "turn"
	defaultWorkflowName  = "Agent workflow"
	attrOIKind           = "openinference.span.kind"
	attrTraceloopKind    = "traceloop.span.kind"
	attrOIAgentName      = "agent.name"
	attrOIToolName       = "tool.name"
	attrOIInput          = "input.value"
	attrOIOutput         = "output.value"
	attrHandoffFromAgent = "gen_ai.handoff.from_agent"
	attrHandoffToAgent   = "gen_ai.handoff.to_agent"
)

func oiKind(s ptrace.Span) string {
	v, ok := s.Attributes().Get(attrOIKind)
	if !ok {
		return ""
	}
	return strings.ToUpper(v.AsString())
}

func classify(n *dialect.Node) role {
	switch n.Scope.Scope().Name() {
	case scopeOpenInference:
		return classifyOpenInference(n)
	case scopeOpenLLMetry:
		return classifyOpenLLMetry(n)
	}
	return roleOther
}

// classifyOpenInference: the SDK's trace is an AGENT span at the root, its
// run repeated as a CHAIN span of the same name below it (and below a tool
// when an agent runs as a tool); each model call sits in a "turn" CHAIN.
func classifyOpenInference(n *dialect.Node) role {
	switch oiKind(n.Span) {
	case "AGENT":
		if n.Attr(attrOIAgentName) == "" {
			return roleWorkflow
		}
		return roleAgent
	case "CHAIN":
		if n.Name() == turnSpanName || n.Parent != nil && strings.EqualFold(n.Name(), workflowNameOf(n)) {
			return rolePlumbing
		}
	case "LLM":
		return roleLLM
	case "TOOL":
		if n.Attr(attrOIToolName) == "" && strings.HasPrefix(n.Name(), "handoff to ") {
			return roleHandoff
		}
		return roleTool
	case "GUARDRAIL":
		return roleGuardrail
	}
	return roleOther
}

// workflowNameOf is the name of the workflow span at the root of n's tree.
func workflowNameOf(n *dialect.Node) string {
	root := n
	for root.Parent != nil {
		root = root.Parent
	}
	if root == n {
		return defaultWorkflowName
	}
	return root.Name()
}

func classifyOpenLLMetry(n *dialect.Node) role {
	switch n.Attr(attrTraceloopKind) {
	case "workflow":
		return roleWorkflow
	case "handoff":
		return roleHandoff
	case "guardrail":
		return roleGuardrail
	}
	switch n.Attr(dialect.AttrGenAIOperation) {
	case dialect.OpInvokeAgent:
		return roleAgent
	case dialect.OpChat, "text_completion", "generate_content":
		return roleLLM
	case dialect.OpExecuteTool:
		return roleTool
	case "handoff":
		return roleHandoff
	}
	return roleOther
}
