package autogen

import (
	"encoding/json"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// agPayloads is what the runtime's `message` attributes (autogen-spans.md
// §1.2, §1.5) tell about the run. On 0.7.2+ they carry full message content;
// before, only base fields, so most of this stays empty there.
type agPayloads struct {
	// toolPayloads are the payloads that may hold tool events, in span
	// order; they are decoded (into toolArgs, toolNames, toolResults) only
	// when a tool run needs what the LLM spans did not tell: the full decode
	// is the dialect's main cost and most traces never need it.
	toolPayloads []string
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
		// Full decoding is the dialect's main cost: decode only payloads that
		// can hold what is looked for, and only when asked (tools).
		if strings.Contains(raw, `"arguments"`) || strings.Contains(raw, `"call_id"`) {
			p.toolPayloads = append(p.toolPayloads, raw)
		}
		key := ""
		if id := r.info[n].teamID; id != "" {
			key = r.runKey(n, id)
		}
		if key == "" {
			continue
		}
		// Only a stop message, a task or an agent response is read below.
		if !strings.Contains(raw, `"StopMessage"`) && !strings.Contains(raw, `"messages"`) &&
			!strings.Contains(raw, `"response"`) && !strings.Contains(raw, `"agent_response"`) {
			continue
		}
		var top map[string]json.RawMessage
		if json.Unmarshal([]byte(raw), &top) != nil {
			continue
		}
		if reason, ok := terminationReason(top); ok && p.termination[key] == "" {
			p.termination[key] = reason
		}
		if texts := taskTexts(top); len(texts) > 0 && p.task[key] == nil {
			p.task[key] = texts
		}
		r.notePayload(n, key, top)
		if agent, text, ok := agentResponse(top); ok {
			p.responses = append(p.responses, agAgentResponse{teamKey: key, agent: agent, text: text, at: n.Span.StartTimestamp()})
		}
	}
}

// readTools decodes the tool payloads, once.
func (p *agPayloads) readTools() {
	if p.toolsRead {
		return
	}
	p.toolsRead = true
	for _, raw := range p.toolPayloads {
		var whole any
		if json.Unmarshal([]byte(raw), &whole) == nil {
			p.collectToolEvents(whole, 0)
		}
	}
	p.toolPayloads = nil
}

// toolArgsOf is the JSON arguments the runtime logged for a tool call.
func (p *agPayloads) toolArgsOf(callID string) string {
	p.readTools()
	return p.toolArgs[callID]
}

// toolResultOf is the result the runtime logged for a tool call.
func (p *agPayloads) toolResultOf(callID string) (string, bool) {
	p.readTools()
	res, ok := p.toolResults[callID]
	return res, ok
}

// collectToolEvents finds FunctionCall {id, name, arguments} and
// FunctionExecutionResult {call_id, content, ...} objects anywhere in a
// payload (ToolCallRequestEvent, ToolCallExecutionEvent, summaries, inner
// messages of agent responses).
func (p *agPayloads) collectToolEvents(v any, depth int) {
	if depth > 64 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			p.collectToolEvents(e, depth+1)
		}
	case map[string]any:
		id, _ := x["id"].(string)
		args, hasArgs := x["arguments"].(string)
		name, _ := x["name"].(string)
		if id != "" && hasArgs && name != "" {
			if p.toolArgs[id] == "" {
				p.toolArgs[id] = compactJSONString(args)
				p.toolNames[id] = name
			}
		}
		callID, _ := x["call_id"].(string)
		if content, ok := x["content"].(string); ok && callID != "" {
			if _, seen := p.toolResults[callID]; !seen {
				p.toolResults[callID] = content
			}
		}
		for _, e := range x {
			p.collectToolEvents(e, depth+1)
		}
	}
}

// terminationReason reads GroupChatTermination {message: StopMessage, error}.
func terminationReason(top map[string]json.RawMessage) (string, bool) {
	var msg map[string]json.RawMessage
	if json.Unmarshal(top["message"], &msg) != nil || rawString(msg["type"]) != "StopMessage" {
		return "", false
	}
	return rawString(msg["content"]), true
}

// taskTexts reads GroupChatStart {messages: [...]} text contents.
func taskTexts(top map[string]json.RawMessage) []string {
	var msgs []map[string]json.RawMessage
	if json.Unmarshal(top["messages"], &msgs) != nil {
		return nil
	}
	var out []string
	for _, m := range msgs {
		var s string
		if json.Unmarshal(m["content"], &s) == nil && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// agentResponse reads GroupChatAgentResponse: 0.7+ {response, name}, before
// {agent_response, agent_name}; text only when the payload carries content.
func agentResponse(top map[string]json.RawMessage) (agent, text string, ok bool) {
	resp, nameKey := top["response"], "name"
	if resp == nil {
		resp, nameKey = top["agent_response"], "agent_name"
	}
	var r map[string]json.RawMessage
	if resp == nil || json.Unmarshal(resp, &r) != nil {
		return "", "", false
	}
	var chat map[string]json.RawMessage
	if json.Unmarshal(r["chat_message"], &chat) != nil {
		return "", "", false
	}
	agent = rawString(top[nameKey])
	var s string
	if json.Unmarshal(chat["content"], &s) != nil {
		return agent, "", agent != ""
	}
	return agent, s, agent != ""
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
		if b, err := json.Marshal(out); err == nil {
			turn.Span.Attributes().PutStr(attrGenAIOutputMessages, string(b))
		}
	}
}

// turnBefore returns the latest turn of the responding agent in the team
// that started before the response was delivered.
func (r *autogenRewrite) turnBefore(resp agAgentResponse) *dialect.Node {
	var best *dialect.Node
	for _, n := range r.tree.Nodes {
		a := r.info[n]
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
