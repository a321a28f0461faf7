package autogen

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// agPayloads is what the runtime's `message` attributes (autogen-spans.md
// §1.2, §1.5) tell about the run. On 0.7.2+ they carry full message content;
// before, only base fields, so most of this stays empty there.
type agPayloads struct {
	// toolPayloads are the payloads that may hold tool events, in span
	// order; they are read (into toolArgs, toolNames, toolResults) only
	// when a tool run needs what the LLM spans did not tell.
	toolPayloads []toolPayload
	toolsRead    bool
	toolArgs     map[string]string // call id -> JSON arguments
	toolNames    map[string]string // call id -> tool name
	toolResults  map[string]string // call id -> result text
	responses    []agAgentResponse
	termination  map[string]string   // team key -> stop reason
	task         map[string][]string // team key -> task texts
}

// agAgentResponse is a GroupChatAgentResponse: the end of an agent's turn.
type agAgentResponse struct {
	teamKey string
	agent   string
	text    string
	at      pcommon.Timestamp
}

func (r *autogenRewrite) parsePayloads() {
	p := &agPayloads{
		toolArgs: map[string]string{}, toolNames: map[string]string{}, toolResults: map[string]string{},
		termination: map[string]string{}, task: map[string][]string{},
	}
	r.payloads = p
	for _, n := range r.tree.Live() {
		raw := n.Attr(attrRuntimeMessage)
		if len(raw) < 2 || raw[0] != '{' || len(raw) > maxPayloadBytes {
			continue
		}
		// Read only payloads that can hold what is looked for; tool events
		// are read only when asked (tool_events.go).
		tool := strings.Contains(raw, `"arguments"`) || strings.Contains(raw, `"call_id"`)
		// Only a stop message, a task or an agent response of a team run is
		// read below.
		key := ""
		if id := r.infoOf(n).teamID; id != "" && (strings.Contains(raw, `"StopMessage"`) || strings.Contains(raw, `"messages"`) ||
			strings.Contains(raw, `"response"`) || strings.Contains(raw, `"agent_response"`)) {
			key = r.runKey(n, id)
		}
		if key == "" {
			if tool {
				p.toolPayloads = append(p.toolPayloads, toolPayload{raw: raw})
			}
			continue
		}
		pl, ok := readPayload(raw)
		if !ok {
			continue
		}
		if tool {
			p.toolPayloads = append(p.toolPayloads, toolPayload{raw: raw, valid: true})
		}
		if pl.isStop && p.termination[key] == "" {
			p.termination[key] = pl.stopReason
		}
		if texts := pl.taskTexts(); len(texts) > 0 && p.task[key] == nil {
			p.task[key] = texts
		}
		r.notePayload(n, key, &pl)
		if agent, text, ok := pl.agentResponse(); ok {
			p.responses = append(p.responses, agAgentResponse{teamKey: key, agent: agent, text: text, at: n.Span.StartTimestamp()})
		}
	}
}

// applyPayloads moves what folded plumbing carried onto kept spans: the stop
// reason and task onto the team run, each turn's final answer onto its turn.
func (r *autogenRewrite) applyPayloads() {
	for key, reason := range r.payloads.termination {
		if t, ok := r.teams[key]; ok {
			t.termination = reason
			t.terminated = true
		}
	}
	for key, task := range r.payloads.task {
		if t, ok := r.teams[key]; ok {
			t.task = task
		}
	}
	for _, resp := range r.payloads.responses {
		if resp.text == "" {
			continue
		}
		turn := r.turnBefore(resp)
		if turn == nil || turn.HasAttr(attrGenAIOutputMessages) || turn.HasAttr("gen_ai.completion.0.content") {
			continue
		}
		out := []map[string]any{{
			"role":          "assistant",
			"name":          resp.agent,
			"parts":         []map[string]any{{"type": "text", "content": strings.ToValidUTF8(resp.text, "\uFFFD")}},
			"finish_reason": "stop",
		}}
		if s, err := dialect.MarshalJSONString(out); err == nil {
			turn.Span.Attributes().PutStr(attrGenAIOutputMessages, s)
		}
	}
}

// turnBefore returns the latest turn of the responding agent in the team
// that started before the response was delivered.
func (r *autogenRewrite) turnBefore(resp agAgentResponse) *dialect.Node {
	var best *dialect.Node
	for _, n := range r.tree.Nodes {
		a := r.infoOf(n)
		if a.role != roleTurn || a.teamKey != resp.teamKey || a.agentName != resp.agent {
			continue
		}
		if n.Span.StartTimestamp() > resp.at {
			continue
		}
		if best == nil || n.Span.StartTimestamp() > best.Span.StartTimestamp() {
			best = n
		}
	}
	return best
}
