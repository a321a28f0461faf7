package runmap

import (
	"maps"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/indexedattr"
)

// This file reads messages carried as span events (older GenAI semconv
// gen_ai.*.message and gen_ai.choice, gen_ai.content.prompt/completion).

// Event names of the older GenAI semconv that carry messages.
var inputMessageEvents = map[string]string{
	"gen_ai.system.message":    "system",
	"gen_ai.user.message":      "user",
	"gen_ai.assistant.message": "assistant",
	"gen_ai.tool.message":      "tool",
}

// eventMessages reads messages from span events: the per-message events
// (every role is conversation history, so input) and gen_ai.choice (output),
// and gen_ai.content.prompt / .completion holding a whole JSON prompt.
// The events used are recorded in consumed.
func eventMessages(events ptrace.SpanEventSlice, output bool, consumed map[int]bool) map[string]any {
	var msgs []any
	var whole map[string]any
	var used []int
	for i, e := range events.All() {
		name := e.Name()
		a := e.Attributes()
		switch {
		case !output && inputMessageEvents[name] != "":
			msgs = append(msgs, messageEvent(a, inputMessageEvents[name])...)
		case output && name == "gen_ai.choice":
			msgs = append(msgs, choiceEvent(a)...)
		case !output && name == "gen_ai.content.prompt", output && name == "gen_ai.content.completion":
			key := "gen_ai.prompt"
			if output {
				key = "gen_ai.completion"
			}
			v, ok := a.Get(key)
			if !ok {
				continue
			}
			m := messagesFromValue(decodeStructured(valueToAny(v)), output)
			if m == nil {
				continue
			}
			if list, ok := m["messages"].([]any); ok && len(m) == 1 {
				msgs = append(msgs, list...)
			} else if whole == nil {
				whole = m
			} else {
				continue
			}
		default:
			continue
		}
		used = append(used, i)
	}
	if len(used) == 0 {
		return nil
	}
	for _, i := range used {
		consumed[i] = true
	}
	result := whole
	if result == nil {
		result = map[string]any{}
	}
	if len(msgs) > 0 {
		if prev, ok := result["messages"].([]any); ok {
			msgs = append(prev, msgs...)
		}
		result["messages"] = msgs
	}
	return result
}

// messageEvent reads gen_ai.{role}.message: the full message in
// gen_ai.event.content, or role/content/tool_calls/id attributes.
func messageEvent(a pcommon.Map, role string) []any {
	if v, ok := a.Get("gen_ai.event.content"); ok {
		if obj, ok := decodeStructured(valueToAny(v)).(map[string]any); ok {
			if _, has := obj["role"]; !has {
				obj["role"] = role
			}
			return normalizeMessage(obj, false)
		}
	}
	msg := map[string]any{"role": firstNonEmpty(attrString(a, "role"), role)}
	if v, ok := a.Get("content"); ok {
		msg["content"] = contentValue(valueToAny(v))
	}
	if v, ok := a.Get("tool_calls"); ok {
		msg["tool_calls"] = valueToAny(v)
	}
	if id := attrString(a, "id"); id != "" {
		msg["tool_call_id"] = id
	}
	return normalizeMessage(msg, false)
}

// choiceEvent reads gen_ai.choice: message as a map or JSON, or flattened
// message.role/.content and tool_calls.{n}.id/.function.name/.arguments.
func choiceEvent(a pcommon.Map) []any {
	var msg map[string]any
	for _, k := range []string{"gen_ai.event.content", "message"} {
		if v, ok := a.Get(k); ok {
			if obj, ok := decodeStructured(valueToAny(v)).(map[string]any); ok {
				if inner, ok := obj["message"].(map[string]any); ok {
					if fr, ok := obj["finish_reason"]; ok {
						inner = maps.Clone(inner)
						inner["finish_reason"] = fr
					}
					obj = inner
				}
				msg = maps.Clone(obj)
				break
			}
		}
	}
	if msg == nil {
		msg = map[string]any{}
		if r := attrString(a, "message.role"); r != "" {
			msg["role"] = r
		}
		if v, ok := a.Get("message.content"); ok {
			msg["content"] = contentValue(valueToAny(v))
		}
		var calls []any
		for _, tc := range indexedattr.Group(a.All(), "tool_calls.") {
			args, _ := fieldAny(tc, "function.arguments", "arguments")
			calls = append(calls, toolCall(fieldString(tc, "id"), fieldString(tc, "function.name", "name"), args))
		}
		if len(calls) > 0 {
			msg["tool_calls"] = calls
		}
	}
	if fr := attrString(a, "finish_reason"); fr != "" {
		msg["finish_reason"] = fr
	}
	return normalizeMessage(msg, true)
}
