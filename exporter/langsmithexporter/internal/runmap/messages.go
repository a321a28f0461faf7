package runmap

import (
	"maps"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// messageContent is a run's inputs and outputs, and the span events they
// were read from (which are then not repeated as run events).
type messageContent struct {
	inputs, outputs map[string]any
	usedEvents      map[int]bool
}

// spanMessages is what the message sources read from one span, and what
// they record as consumed.
type spanMessages struct {
	attrs      pcommon.Map
	events     ptrace.SpanEventSlice
	used       keySet
	usedEvents map[int]bool
}

// eventMessages reads messages from the span's events, recording those used.
func (s *spanMessages) eventMessages(output bool) map[string]any {
	if s.events.Len() == 0 {
		return nil
	}
	if s.usedEvents == nil {
		s.usedEvents = map[int]bool{}
	}
	return eventMessages(s.events, output, s.usedEvents)
}

// source yields inputs or outputs from one dialect, or nil when the span
// does not speak it. Sources are tried in order and the first answer wins,
// so a span carrying several dialects is not shown twice. They are package
// values, not closures over the span, so that trying them allocates nothing.
type source func(s *spanMessages) map[string]any

var inputSources = []source{
	func(s *spanMessages) map[string]any {
		return semconvMessages(s.attrs, "gen_ai.input.messages", "gen_ai.system_instructions", false)
	},
	func(s *spanMessages) map[string]any { return indexedMessages(s.attrs, "gen_ai.prompt.", false) },
	func(s *spanMessages) map[string]any { return jsonMessages(s.attrs, "gen_ai.prompt", false) },
	func(s *spanMessages) map[string]any { return s.eventMessages(false) },
	func(s *spanMessages) map[string]any {
		return openInferenceMessages(s.attrs, "llm.input_messages.", false)
	},
	func(s *spanMessages) map[string]any { return wrappedValue(s.attrs, "input.value", "input") },
	func(s *spanMessages) map[string]any { return wrappedValue(s.attrs, "traceloop.entity.input", "input") },
}

var outputSources = []source{
	func(s *spanMessages) map[string]any {
		return semconvMessages(s.attrs, "gen_ai.output.messages", "", true)
	},
	func(s *spanMessages) map[string]any { return indexedMessages(s.attrs, "gen_ai.completion.", true) },
	func(s *spanMessages) map[string]any { return jsonMessages(s.attrs, "gen_ai.completion", true) },
	func(s *spanMessages) map[string]any { return s.eventMessages(true) },
	func(s *spanMessages) map[string]any {
		return openInferenceMessages(s.attrs, "llm.output_messages.", true)
	},
	func(s *spanMessages) map[string]any { return retrievalDocuments(s.attrs) },
	func(s *spanMessages) map[string]any { return wrappedValue(s.attrs, "output.value", "output") },
	func(s *spanMessages) map[string]any {
		return wrappedValue(s.attrs, "traceloop.entity.output", "output")
	},
}

// mapMessages reads inputs and outputs in LangSmith's message format
// ({"messages":[{role, content, tool_calls, tool_call_id}]}) from every
// GenAI dialect, newest first.
func mapMessages(runType string, attrs pcommon.Map, events ptrace.SpanEventSlice, used keySet) messageContent {
	s := &spanMessages{attrs: attrs, events: events, used: used}
	toolIn := func(s *spanMessages) map[string]any { return toolArguments(s.attrs, s.used) }
	toolOut := func(s *spanMessages) map[string]any { return toolResult(s.attrs, s.used) }
	// A tool's own arguments and result describe it best; on other spans
	// they are only a last resort.
	toolFirst := runType == runTypeTool
	mc := messageContent{
		inputs:  firstSource(s, inputSources, toolIn, toolFirst),
		outputs: firstSource(s, outputSources, toolOut, toolFirst),
	}
	mc.usedEvents = s.usedEvents
	return mc
}

// firstSource returns the first answer of sources, with tool tried before
// them when toolFirst, else after them.
func firstSource(s *spanMessages, sources []source, tool source, toolFirst bool) map[string]any {
	if toolFirst {
		if m := tool(s); m != nil {
			return m
		}
	}
	for _, src := range sources {
		if m := src(s); m != nil {
			return m
		}
	}
	if !toolFirst {
		return tool(s)
	}
	return nil
}

func wrapKey(output bool) string {
	if output {
		return "output"
	}
	return "input"
}

// semconvMessages reads gen_ai.input.messages / gen_ai.output.messages (JSON
// with "parts") plus gen_ai.system_instructions as a leading system message.
// JSON arrays held as text, the usual form, are converted from their text;
// other values are decoded first.
func semconvMessages(attrs pcommon.Map, key, systemKey string, output bool) map[string]any {
	if msgs, ok := semconvMessagesText(attrs, key, systemKey, output); ok {
		if msgs == nil {
			return nil
		}
		return map[string]any{"messages": msgs}
	}
	return semconvMessagesDecoded(attrs, key, systemKey, output)
}

// semconvMessagesDecoded is semconvMessages on decoded values.
func semconvMessagesDecoded(attrs pcommon.Map, key, systemKey string, output bool) map[string]any {
	var msgs []any
	result := map[string]any{}
	if v, ok := attrs.Get(systemKey); ok && systemKey != "" {
		switch p := decodeStructured(valueToAny(v)).(type) {
		case []any:
			msgs = append(msgs, semconvMessage(map[string]any{"role": "system"}, p, false)...)
		case string:
			msgs = append(msgs, map[string]any{"role": "system", "content": p})
		default:
			msgs = append(msgs, map[string]any{"role": "system", "content": stringify(p)})
		}
	}
	if v, ok := attrs.Get(key); ok {
		switch p := decodeStructured(valueToAny(v)).(type) {
		case []any:
			msgs = append(msgs, normalizeMessages(p, output)...)
		case map[string]any:
			msgs = append(msgs, normalizeMessage(p, output)...)
		default:
			result[wrapKey(output)] = p // malformed JSON stays visible as text
		}
	}
	if len(msgs) > 0 {
		result["messages"] = msgs
	}
	if len(result) == 0 {
		return nil
	}
	return result
}

// jsonMessages reads a whole prompt or completion held as one JSON string
// (gen_ai.prompt / gen_ai.completion as the LangSmith SDKs write them).
func jsonMessages(attrs pcommon.Map, key string, output bool) map[string]any {
	v, ok := attrs.Get(key)
	if !ok {
		return nil
	}
	return messagesFromValue(decodeStructured(valueToAny(v)), output)
}

func messagesFromValue(v any, output bool) map[string]any {
	switch p := v.(type) {
	case nil:
		return nil
	case []any:
		return map[string]any{"messages": normalizeMessages(p, output)}
	case map[string]any:
		if list, ok := p["messages"].([]any); ok {
			p = maps.Clone(p)
			p["messages"] = normalizeMessages(list, output)
		}
		return p
	default:
		return map[string]any{wrapKey(output): p}
	}
}

// wrappedValue reads a free-form value: objects are kept as they are,
// anything else is wrapped as {"input": v} or {"output": v}.
func wrappedValue(attrs pcommon.Map, key, wrap string) map[string]any {
	v, ok := attrs.Get(key)
	if !ok {
		return nil
	}
	p := decodeStructured(valueToAny(v))
	if obj, ok := p.(map[string]any); ok {
		return obj
	}
	return map[string]any{wrap: p}
}

// toolArguments: semconv, AutoGen 0.4.9-0.6.1 base_tool and OpenInference
// spellings of a tool call's arguments.
func toolArguments(attrs pcommon.Map, used keySet) map[string]any {
	for _, k := range []string{"gen_ai.tool.call.arguments", "tool_args", "tool_arguments"} {
		v, ok := attrs.Get(k)
		if !ok {
			continue
		}
		used[k] = true
		p := decodeJSONValue(valueToAny(v))
		if obj, ok := p.(map[string]any); ok {
			return obj
		}
		return map[string]any{"input": p}
	}
	return nil
}

func toolResult(attrs pcommon.Map, used keySet) map[string]any {
	v, ok := attrs.Get("gen_ai.tool.call.result")
	if !ok {
		return nil
	}
	used["gen_ai.tool.call.result"] = true
	return map[string]any{"output": decodeJSONValue(valueToAny(v))}
}
