package openaiagents

import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"

// nestAgentsUsedAsTools moves an agent run that ran entirely inside a tool
// call of another agent (Agent.as_tool) under that tool run. OpenLLMetry
// parents it to the workflow instead; OpenInference already nests it. The
// innermost enclosing tool wins.
func (r *rewrite) nestAgentsUsedAsTools() {
	var tools []*dialect.Node
	for _, n := range r.Tree.Nodes {
		if r.Of[n] == roleTool {
			tools = append(tools, n)
		}
	}
	for _, agent := range r.Tree.Nodes {
		if r.Of[agent] != roleAgent || agent.Parent == nil || r.Of[agent.Parent] != roleWorkflow {
			continue
		}
		var best *dialect.Node
		for _, tool := range tools {
			if !encloses(tool, agent) || r.Tree.IsAncestor(agent, tool) {
				continue
			}
			if best == nil || tool.Span.StartTimestamp() > best.Span.StartTimestamp() {
				best = tool
			}
		}
		if best != nil {
			r.Tree.SetParent(agent, best, best.Span.SpanID())
		}
	}
}

func encloses(outer, inner *dialect.Node) bool {
	return outer.Span.StartTimestamp() <= inner.Span.StartTimestamp() &&
		inner.Span.EndTimestamp() <= outer.Span.EndTimestamp() && outer.Span.TraceID() == inner.Span.TraceID()
}
