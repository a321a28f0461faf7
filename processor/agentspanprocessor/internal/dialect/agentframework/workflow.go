package agentframework

import (
	"encoding/json"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// annotateWorkflows turns each workflow.run span into the workflow run:
// named after the workflow ("Sequential", "GroupChat", "Handoff",
// "Magentic" or the builder's name), typed invoke_workflow, with the
// participants that took turns, the user's request of its first turn as
// input and the last turn's answer as output (the span itself carries no
// content).
func (r *rewrite) annotateWorkflows() {
	for _, wf := range r.Tree.Nodes {
		if r.Of[wf] != roleWorkflow {
			continue
		}
		name := wf.Attr(attrWorkflowName)
		if name == "" {
			name = "Workflow"
		}
		wf.Span.SetName(name)
		wf.Span.SetKind(ptrace.SpanKindInternal)
		attrs := wf.Span.Attributes()
		attrs.PutStr(dialect.AttrGenAIOperation, dialect.OpInvokeWorkflow)
		attrs.PutStr(dialect.AttrGenAIWorkflowName, name)
		attrs.PutStr(dialect.AttrLangsmithSpanKind, "chain")

		turns := r.turnsOf(wf)
		if len(turns) == 0 {
			continue
		}
		var participants []string
		seen := map[string]bool{}
		for _, t := range turns {
			if a := t.Attr(dialect.AttrGenAIAgentName); a != "" && !seen[a] {
				seen[a] = true
				participants = append(participants, a)
			}
		}
		if len(participants) > 0 {
			ps := attrs.PutEmptySlice("agent_framework.workflow.participants")
			for _, p := range participants {
				ps.AppendEmpty().SetStr(p)
			}
		}
		if in := firstUserMessage(turns[0].Attr(dialect.AttrGenAIInputMessages)); in != "" && !wf.HasAttr(dialect.AttrGenAIInputMessages) {
			attrs.PutStr(dialect.AttrGenAIInputMessages, in)
		}
		last := turns[len(turns)-1]
		if !wf.HasAttr(dialect.AttrGenAIOutputMessages) {
			dialect.CopyAttr(last, wf, dialect.AttrGenAIOutputMessages)
		}
	}
}

// turnsOf lists the agent turns inside a workflow run (not inside a nested
// workflow or another turn), by start time.
func (r *rewrite) turnsOf(wf *dialect.Node) []*dialect.Node {
	var out []*dialect.Node
	var walk func(n *dialect.Node)
	walk = func(n *dialect.Node) {
		for _, c := range n.Children {
			switch r.Of[c] {
			case roleTurn:
				out = append(out, c)
			case roleWorkflow:
			default:
				walk(c)
			}
		}
	}
	walk(wf)
	dialect.SortByStart(out)
	return out
}

// firstUserMessage keeps the first user message of a GenAI message list
// (the request the workflow was started with), as a one-message list.
func firstUserMessage(s string) string {
	if s == "" {
		return ""
	}
	var msgs []map[string]json.RawMessage
	if json.Unmarshal([]byte(s), &msgs) != nil {
		return ""
	}
	for _, m := range msgs {
		var role string
		if json.Unmarshal(m["role"], &role) == nil && role == "user" {
			b, err := json.Marshal([]map[string]json.RawMessage{m})
			if err != nil {
				return ""
			}
			return string(b)
		}
	}
	return ""
}
