package autogen

import (
	"encoding/json"
	"strings"
)

// The map-decoding reads of message parts that message_parts.go replaced,
// kept as its reference (message_parts_test.go).

func refMessageToolCalls(s string) []agToolCall {
	var out []agToolCall
	for _, m := range parseMessages(s) {
		for _, p := range messageParts(m) {
			if rawString(p["type"]) != "tool_call" {
				continue
			}
			out = append(out, agToolCall{id: rawString(p["id"]), name: rawString(p["name"]), args: refArgsString(p["arguments"])})
		}
	}
	return out
}

func refArgsString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return compactJSONString(s)
	}
	return compactJSONString(string(raw))
}

func refMessageToolResponses(s string) map[string]string {
	out := map[string]string{}
	for _, m := range parseMessages(s) {
		for _, p := range messageParts(m) {
			if rawString(p["type"]) != "tool_call_response" {
				continue
			}
			if id := rawString(p["id"]); id != "" {
				out[id] = rawString(p["response"])
			}
		}
	}
	return out
}

func refMessageAnswerText(s string) string {
	var b strings.Builder
	for _, m := range parseMessages(s) {
		for _, p := range messageParts(m) {
			if rawString(p["type"]) == "text" {
				b.WriteString(rawString(p["content"]))
			}
		}
		if b.Len() > 0 {
			return b.String()
		}
	}
	return ""
}
