package runmap

import (
	"maps"
)

// This file turns messages of any dialect into LangSmith's message format:
// role, content (string or content blocks), tool_calls, tool_call_id.

// normalizeMessages converts a list of messages of any dialect; a bare
// string in the list becomes a message of the default role.
func normalizeMessages(list []any, output bool) []any {
	out := make([]any, 0, len(list))
	for _, item := range list {
		if m, ok := item.(map[string]any); ok {
			out = append(out, normalizeMessage(m, output)...)
			continue
		}
		out = append(out, map[string]any{"role": defaultRole(output), "content": stringify(item)})
	}
	return out
}

func defaultRole(output bool) string {
	if output {
		return "assistant"
	}
	return "user"
}

// normalizeMessage converts one message: semconv "parts" messages are
// rewritten, OpenAI-style messages are kept with their tool calls
// normalised. It can return several messages because semconv allows
// several tool responses in one message, and OpenAI wants one per call.
func normalizeMessage(m map[string]any, output bool) []any {
	if parts, ok := m["parts"].([]any); ok {
		return semconvMessage(m, parts, output)
	}
	msg := maps.Clone(m)
	if s, _ := msg["role"].(string); s == "" {
		msg["role"] = defaultRole(output)
	}
	if c, ok := msg["content"]; !ok || c == nil {
		msg["content"] = ""
	}
	if tc, ok := msg["tool_calls"]; ok {
		if calls := normalizeToolCalls(tc); len(calls) > 0 {
			msg["tool_calls"] = calls
		} else {
			delete(msg, "tool_calls")
		}
	}
	return []any{msg}
}

// semconvMessage converts a message made of semconv parts (text,
// tool_call, tool_call_response, reasoning, refusal, and media parts which
// pass through as content blocks).
func semconvMessage(m map[string]any, parts []any, output bool) []any {
	role, _ := m["role"].(string)
	if role == "" {
		role = defaultRole(output)
	}
	var blocks, calls, responses []any
	var refusal string
	hasRefusal := false
	for _, raw := range parts {
		part, ok := raw.(map[string]any)
		if !ok {
			blocks = append(blocks, map[string]any{"type": "text", "text": stringify(raw)})
			continue
		}
		switch part["type"] {
		case "text":
			blocks = append(blocks, map[string]any{"type": "text", "text": stringify(part["content"])})
		case "reasoning":
			blocks = append(blocks, map[string]any{"type": "reasoning", "reasoning": stringify(part["content"])})
		case "refusal":
			refusal, hasRefusal = stringify(part["content"]), true
		case "tool_call":
			calls = append(calls, toolCall(part["id"], part["name"], part["arguments"]))
		case "tool_call_response":
			responses = append(responses, map[string]any{"role": "tool", "content": stringify(part["response"]), "tool_call_id": stringify(part["id"])})
		default:
			blocks = append(blocks, part)
		}
	}
	var out []any
	if len(blocks) > 0 || len(calls) > 0 || hasRefusal || len(responses) == 0 {
		msg := map[string]any{"role": role, "content": blockContent(blocks)}
		if len(calls) > 0 {
			msg["tool_calls"] = calls
		}
		if hasRefusal {
			msg["refusal"] = refusal
		}
		if name, ok := m["name"].(string); ok && name != "" {
			msg["name"] = name
		}
		if fr, ok := m["finish_reason"]; ok && fr != nil {
			msg["finish_reason"] = fr
		}
		out = append(out, msg)
	}
	return append(out, responses...)
}

// blockContent returns a lone text block as a plain string, as OpenAI and
// LangSmith render it; anything richer stays a list of content blocks.
func blockContent(blocks []any) any {
	switch len(blocks) {
	case 0:
		return ""
	case 1:
		if b, ok := blocks[0].(map[string]any); ok && b["type"] == "text" {
			return b["text"]
		}
	}
	return blocks
}

// toolCall builds an OpenAI tool call. Arguments are a JSON string there;
// a missing argument list is "{}" so that replaying the call stays valid.
func toolCall(id, name, args any) map[string]any {
	var arguments string
	switch a := args.(type) {
	case nil:
		arguments = "{}"
	case string:
		arguments = a
	default:
		arguments = marshalJSON(a)
	}
	return map[string]any{
		"id":       stringify(id),
		"type":     "function",
		"function": map[string]any{"name": stringify(name), "arguments": arguments},
	}
}

// normalizeToolCalls accepts OpenAI ({id, function:{name, arguments}}),
// flat ({id, name, arguments}) and LangChain ({id, name, args}) tool calls,
// as a list or a JSON string of one.
func normalizeToolCalls(v any) []any {
	list, ok := decodeStructured(v).([]any)
	if !ok {
		return nil
	}
	var out []any
	for _, item := range list {
		tc, ok := item.(map[string]any)
		if !ok {
			continue
		}
		if f, ok := tc["function"].(map[string]any); ok {
			out = append(out, toolCall(tc["id"], f["name"], f["arguments"]))
			continue
		}
		args, ok := tc["arguments"]
		if !ok {
			args = tc["args"]
		}
		out = append(out, toolCall(tc["id"], tc["name"], args))
	}
	return out
}

// stringify renders a value as message text: strings as they are, other
// values as JSON.
func stringify(v any) string {
	switch s := v.(type) {
	case nil:
		return ""
	case string:
		return s
	}
	return marshalJSON(v)
}

// contentValue keeps string content, except that a JSON list of typed
// content blocks (how openllmetry stores multimodal content) is decoded.
func contentValue(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	if list, ok := decodeStructured(s).([]any); ok && len(list) > 0 {
		for _, b := range list {
			if m, ok := b.(map[string]any); !ok || m["type"] == nil {
				return s
			}
		}
		return list
	}
	return s
}
