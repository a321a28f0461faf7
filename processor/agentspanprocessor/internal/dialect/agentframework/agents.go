package agentframework

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// annotateAgents names and types turns, LLM calls and tool calls, and tags
// every LLM and tool call with the agent it ran for: its turn's agent, or
// (a model called by a custom executor) the executor's id.
func (r *rewrite) annotateAgents() {
	for _, n := range r.Tree.Nodes {
		attrs := n.Span.Attributes()
		switch r.Of[n] {
		case roleTurn:
			if name := n.Attr(dialect.AttrGenAIAgentName); name != "" {
				n.Span.SetName(name)
			}
			n.Span.SetKind(ptrace.SpanKindInternal)
			attrs.PutStr(dialect.AttrLangsmithSpanKind, "chain")
		case roleLLM:
			r.tagAgent(n)
			attrs.PutStr(dialect.AttrLangsmithSpanKind, "llm")
		case roleTool:
			r.tagAgent(n)
			name := n.Attr(dialect.AttrGenAIToolName)
			if name == "" {
				name = strings.TrimSpace(strings.TrimPrefix(n.Name(), dialect.OpExecuteTool))
				attrs.PutStr(dialect.AttrGenAIToolName, name)
			}
			if name != "" {
				n.Span.SetName(name)
			}
			attrs.PutStr(dialect.AttrLangsmithSpanKind, "tool")
		}
	}
}

func (r *rewrite) tagAgent(n *dialect.Node) {
	if turn := dialect.Nearest(n, r.Is(roleTurn)); turn != nil {
		dialect.CopyAttr(turn, n, dialect.AttrGenAIAgentName)
		dialect.CopyAttr(turn, n, dialect.AttrGenAIAgentID)
		dialect.CopyAttr(turn, n, dialect.AttrGenAIConversationID)
		return
	}
	if ex := dialect.Nearest(n, func(p *dialect.Node) bool { return p.HasAttr(attrExecutorID) }); ex != nil {
		if !n.HasAttr(dialect.AttrGenAIAgentName) {
			n.Span.Attributes().PutStr(dialect.AttrGenAIAgentName, ex.Attr(attrExecutorID))
		}
	}
}
