package openaiagents

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// llmSpanName is what both instrumentations' model calls are called after
// the rewrite (OpenLLMetry's own name); the exporter names such runs after
// the model.
const llmSpanName = "openai.response"

// annotate names each kept span after what it is and gives it the GenAI
// attributes exporters read: operation, agent name on everything inside an
// agent run, tool call arguments and result, the langsmith.span.kind hint.
func (r *rewrite) annotate() {
	for _, n := range r.Tree.Live() {
		attrs := n.Span.Attributes()
		switch r.Of[n] {
		case roleWorkflow:
			name := n.Name()
			if strings.EqualFold(name, defaultWorkflowName) {
				name = defaultWorkflowName // OpenLLMetry capitalises it
			}
			n.Span.SetName(name)
			n.Span.SetKind(ptrace.SpanKindInternal)
			attrs.PutStr(dialect.AttrGenAIOperation, dialect.OpInvokeWorkflow)
			attrs.PutStr(dialect.AttrGenAIWorkflowName, name)
			attrs.PutStr(dialect.AttrLangsmithSpanKind, "chain")
		case roleAgent:
			name := nameOf(n, dialect.AttrGenAIAgentName, attrOIAgentName, ".agent")
			n.Span.SetName(name)
			attrs.PutStr(dialect.AttrGenAIAgentName, name)
			attrs.PutStr(dialect.AttrGenAIOperation, dialect.OpInvokeAgent)
			attrs.PutStr(dialect.AttrLangsmithSpanKind, "chain")
		case roleLLM:
			n.Span.SetName(llmSpanName)
			attrs.PutStr(dialect.AttrGenAIOperation, dialect.OpChat)
			if !n.HasAttr(dialect.AttrGenAIProvider) {
				attrs.PutStr(dialect.AttrGenAIProvider, "openai")
			}
			r.tagAgent(n)
			attrs.PutStr(dialect.AttrLangsmithSpanKind, "llm")
		case roleTool:
			name := nameOf(n, dialect.AttrGenAIToolName, attrOIToolName, ".tool")
			n.Span.SetName(name)
			attrs.PutStr(dialect.AttrGenAIToolName, name)
			attrs.PutStr(dialect.AttrGenAIOperation, dialect.OpExecuteTool)
			copyStr(n, attrOIInput, dialect.AttrGenAIToolCallArgs)
			copyStr(n, attrOIOutput, dialect.AttrGenAIToolCallResult)
			r.tagAgent(n)
			attrs.PutStr(dialect.AttrLangsmithSpanKind, "tool")
		case roleHandoff:
			r.annotateHandoff(n)
		case roleGuardrail:
			r.tagAgent(n)
			attrs.PutStr(dialect.AttrLangsmithSpanKind, "chain")
		}
	}
}

// annotateHandoff names a handoff after its target ("handoff to
// WeatherAgent"): OpenInference says it, OpenLLMetry does not (its target is
// "unknown"), and there the target is the agent run that follows the
// handing-off one.
func (r *rewrite) annotateHandoff(n *dialect.Node) {
	attrs := n.Span.Attributes()
	from := dialect.Nearest(n, r.Is(roleAgent))
	target := strings.TrimPrefix(n.Name(), "handoff to ")
	if target == n.Name() || target == "" {
		target = n.Attr(attrOIOutput)
	}
	if target == "" || strings.Contains(n.Name(), "unknown") {
		target = ""
		if from != nil {
			target = r.nextAgentName(from)
		}
	}
	if target != "" {
		n.Span.SetName("handoff to " + target)
		attrs.PutStr(attrHandoffToAgent, target)
	}
	if from != nil && !n.HasAttr(attrHandoffFromAgent) {
		attrs.PutStr(attrHandoffFromAgent, from.Name())
	}
	r.tagAgent(n)
	attrs.PutStr(dialect.AttrLangsmithSpanKind, "tool")
}

// nextAgentName is the agent run that starts after agent among its siblings.
func (r *rewrite) nextAgentName(agent *dialect.Node) string {
	if agent.Parent == nil {
		return ""
	}
	for _, s := range agent.Parent.Children {
		if r.Of[s] == roleAgent && s.Span.StartTimestamp() >= agent.Span.EndTimestamp() {
			name := s.Attr(dialect.AttrGenAIAgentName)
			if name == "" {
				name = s.Attr(attrOIAgentName)
			}
			return name
		}
	}
	return ""
}

// tagAgent names the agent whose run n is part of.
func (r *rewrite) tagAgent(n *dialect.Node) {
	agent := dialect.Nearest(n, r.Is(roleAgent))
	if agent == nil {
		return
	}
	name := agent.Attr(dialect.AttrGenAIAgentName)
	if name == "" {
		name = agent.Attr(attrOIAgentName)
	}
	if name != "" {
		n.Span.Attributes().PutStr(dialect.AttrGenAIAgentName, name)
	}
}

func copyStr(n *dialect.Node, from, to string) {
	if n.HasAttr(to) {
		return
	}
	if v := n.Attr(from); v != "" {
		n.Span.Attributes().PutStr(to, v)
	}
}

// nameOf is an agent's or tool's name in either instrumentation's vocabulary,
// else the span name without the suffix OpenLLMetry gives it.
func nameOf(n *dialect.Node, semconvKey, oiKey, suffix string) string {
	if name := n.Attr(semconvKey); name != "" {
		return name
	}
	if name := n.Attr(oiKey); name != "" {
		return name
	}
	return strings.TrimSuffix(n.Name(), suffix)
}
