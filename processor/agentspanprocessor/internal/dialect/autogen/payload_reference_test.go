package autogen

import (
	"encoding/json"
	"strings"
)

// The encoding/json readers the rawjson payload reader replaced, kept as the
// reference it is checked against (payload_reader_test.go).

func refTerminationReason(top map[string]json.RawMessage) (string, bool) {
	var msg map[string]json.RawMessage
	if json.Unmarshal(top["message"], &msg) != nil || rawString(msg["type"]) != "StopMessage" {
		return "", false
	}
	return rawString(msg["content"]), true
}

func refStopSource(top map[string]json.RawMessage) string {
	var stop map[string]json.RawMessage
	if json.Unmarshal(top["message"], &stop) == nil && rawString(stop["type"]) == "StopMessage" {
		return rawString(stop["source"])
	}
	return ""
}

func refTaskTexts(top map[string]json.RawMessage) []string {
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

func refAgentResponse(top map[string]json.RawMessage) (agent, text string, ok bool) {
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

// refTeamResponse is notePayload's TaskResult read: ok when it keeps one.
func refTeamResponse(top map[string]json.RawMessage) (name string, msgs []agMessage, stopReason string, ok bool) {
	var result map[string]json.RawMessage
	if top["result"] != nil && json.Unmarshal(top["result"], &result) == nil {
		return rawString(top["name"]), refPayloadMessages(result["messages"]), rawString(result["stop_reason"]), true
	}
	return "", nil, "", false
}

// refDelivered is notePayload's read of what a participant was sent.
func refDelivered(top map[string]json.RawMessage) []agMessage {
	var result map[string]json.RawMessage
	if top["result"] != nil {
		_ = json.Unmarshal(top["result"], &result)
	}
	switch {
	case top["messages"] != nil:
		return refPayloadMessages(top["messages"])
	case result != nil:
		return refPayloadMessages(result["messages"])
	default:
		resp := top["response"]
		if resp == nil {
			resp = top["agent_response"]
		}
		var rm map[string]json.RawMessage
		if resp != nil && json.Unmarshal(resp, &rm) == nil {
			return refPayloadMessages(json.RawMessage("[" + string(rm["chat_message"]) + "]"))
		}
	}
	return nil
}

func refPayloadMessages(raw json.RawMessage) []agMessage {
	var list []map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []agMessage
	for _, m := range list {
		if m == nil || m["content"] == nil {
			continue
		}
		text := rawString(m["content"])
		if text == "" {
			continue
		}
		out = append(out, agMessage{source: rawString(m["source"]), text: strings.ToValidUTF8(text, "\uFFFD")})
	}
	return out
}

// refTools is the reference walk's result; ambiguous when a call id is in
// several objects (then the map order it walks in decides which wins).
type refTools struct {
	*agPayloads
	ambiguous bool
	calls     map[string]int
	results   map[string]int
}

// refToolEvents is the full decode the tool-event walk replaced.
func refToolEvents(raw string) *refTools {
	p := &refTools{agPayloads: &agPayloads{toolArgs: map[string]string{}, toolNames: map[string]string{}, toolResults: map[string]string{}},
		calls: map[string]int{}, results: map[string]int{}}
	var whole any
	if json.Unmarshal([]byte(raw), &whole) == nil {
		refCollectToolEvents(p, whole, 0)
	}
	return p
}

func refCollectToolEvents(p *refTools, v any, depth int) {
	if depth > 64 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			refCollectToolEvents(p, e, depth+1)
		}
	case map[string]any:
		id, _ := x["id"].(string)
		args, hasArgs := x["arguments"].(string)
		name, _ := x["name"].(string)
		if id != "" && hasArgs && name != "" {
			if p.calls[id]++; p.calls[id] > 1 {
				p.ambiguous = true
			}
			if p.toolArgs[id] == "" {
				p.toolArgs[id] = compactJSONString(args)
				p.toolNames[id] = name
			}
		}
		callID, _ := x["call_id"].(string)
		if content, ok := x["content"].(string); ok && callID != "" {
			if p.results[callID]++; p.results[callID] > 1 {
				p.ambiguous = true
			}
			if _, seen := p.toolResults[callID]; !seen {
				p.toolResults[callID] = content
			}
		}
		for _, e := range x {
			refCollectToolEvents(p, e, depth+1)
		}
	}
}
