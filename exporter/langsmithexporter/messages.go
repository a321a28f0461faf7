package langsmithexporter

import (
	"iter"
	"maps"
	"sort"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// messageContent is a run's inputs and outputs, and the span events they
// were read from (which are then not repeated as run events).
type messageContent struct {
	inputs, outputs map[string]any
	usedEvents      map[int]bool
}

// source yields inputs or outputs from one dialect, or nil when the span
// does not speak it. Sources are tried in order and the first answer wins,
// so a span carrying several dialects is not shown twice.
type source func() map[string]any

// mapMessages reads inputs and outputs in LangSmith's message format
// ({"messages":[{role, content, tool_calls, tool_call_id}]}) from every
// GenAI dialect, newest first.
func mapMessages(runType string, attrs pcommon.Map, events ptrace.SpanEventSlice, used keySet) messageContent {
	mc := messageContent{usedEvents: map[int]bool{}}
	in := []source{
		func() map[string]any {
			return semconvMessages(attrs, "gen_ai.input.messages", "gen_ai.system_instructions", false)
		},
		func() map[string]any { return indexedMessages(attrs, "gen_ai.prompt.", false) },
		func() map[string]any { return jsonMessages(attrs, "gen_ai.prompt", false) },
		func() map[string]any { return eventMessages(events, false, mc.usedEvents) },
		func() map[string]any { return openInferenceMessages(attrs, "llm.input_messages.", false) },
		func() map[string]any { return wrappedValue(attrs, "input.value", "input") },
		func() map[string]any { return wrappedValue(attrs, "traceloop.entity.input", "input") },
	}
	out := []source{
		func() map[string]any { return semconvMessages(attrs, "gen_ai.output.messages", "", true) },
		func() map[string]any { return indexedMessages(attrs, "gen_ai.completion.", true) },
		func() map[string]any { return jsonMessages(attrs, "gen_ai.completion", true) },
		func() map[string]any { return eventMessages(events, true, mc.usedEvents) },
		func() map[string]any { return openInferenceMessages(attrs, "llm.output_messages.", true) },
		func() map[string]any { return retrievalDocuments(attrs) },
		func() map[string]any { return wrappedValue(attrs, "output.value", "output") },
		func() map[string]any { return wrappedValue(attrs, "traceloop.entity.output", "output") },
	}
	toolIn := func() map[string]any { return toolArguments(attrs, used) }
	toolOut := func() map[string]any { return toolResult(attrs, used) }
	// A tool's own arguments and result describe it best; on other spans
	// they are only a last resort.
	if runType == runTypeTool {
		in = append([]source{toolIn}, in...)
		out = append([]source{toolOut}, out...)
	} else {
		in = append(in, toolIn)
		out = append(out, toolOut)
	}
	mc.inputs = firstSource(in)
	mc.outputs = firstSource(out)
	return mc
}

func firstSource(sources []source) map[string]any {
	for _, s := range sources {
		if m := s(); m != nil {
			return m
		}
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
func semconvMessages(attrs pcommon.Map, key, systemKey string, output bool) map[string]any {
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

// groupIndexed groups "<prefix><i>.<field>" keys by index i, in index order,
// each group mapping field to value. Keys whose index is not a number (such
// as gen_ai.prompt.prompt_filter_results) are ignored.
func groupIndexed(all iter.Seq2[string, pcommon.Value], prefix string) []map[string]pcommon.Value {
	groups := map[int]map[string]pcommon.Value{}
	for k, v := range all {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		idx, field, ok := strings.Cut(rest, ".")
		if !ok || field == "" {
			continue
		}
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 {
			continue
		}
		if groups[i] == nil {
			groups[i] = map[string]pcommon.Value{}
		}
		groups[i][field] = v
	}
	indices := make([]int, 0, len(groups))
	for i := range groups {
		indices = append(indices, i)
	}
	sort.Ints(indices)
	out := make([]map[string]pcommon.Value, 0, len(indices))
	for _, i := range indices {
		out = append(out, groups[i])
	}
	return out
}

func fieldString(g map[string]pcommon.Value, names ...string) string {
	for _, n := range names {
		if v, ok := g[n]; ok && v.Type() != pcommon.ValueTypeEmpty {
			if s := validUTF8(v.AsString()); s != "" {
				return s
			}
		}
	}
	return ""
}

func fieldAny(g map[string]pcommon.Value, names ...string) (any, bool) {
	for _, n := range names {
		if v, ok := g[n]; ok {
			return valueToAny(v), true
		}
	}
	return nil, false
}

// indexedMessages reads openllmetry's flattened messages (<=0.54):
// gen_ai.prompt.{i}.role/.content/.tool_call_id/.tool_calls.{j}.id/.name/
// .arguments, the .message.role/.message.content variant, and for
// completions .finish_reason, .refusal and the legacy .function_call.
func indexedMessages(attrs pcommon.Map, prefix string, output bool) map[string]any {
	groups := groupIndexed(attrs.All(), prefix)
	var msgs []any
	for _, g := range groups {
		msg := map[string]any{}
		content, hasContent := fieldAny(g, "content", "message.content")
		if hasContent {
			msg["content"] = contentValue(content)
		}
		if id := fieldString(g, "tool_call_id"); id != "" {
			msg["tool_call_id"] = id
		}
		var calls []any
		for _, tc := range groupIndexed(maps.All(g), "tool_calls.") {
			args, _ := fieldAny(tc, "arguments", "function.arguments")
			calls = append(calls, toolCall(fieldString(tc, "id"), fieldString(tc, "name", "function.name"), args))
		}
		if name := fieldString(g, "function_call.name"); name != "" {
			args, _ := fieldAny(g, "function_call.arguments")
			calls = append(calls, toolCall("", name, args))
		}
		if len(calls) > 0 {
			msg["tool_calls"] = calls
		}
		if output {
			if fr := fieldString(g, "finish_reason"); fr != "" {
				msg["finish_reason"] = fr
			}
			if r := fieldString(g, "refusal"); r != "" {
				msg["refusal"] = r
			}
		}
		role := fieldString(g, "role", "message.role")
		if len(msg) == 0 && role == "" {
			continue // only unknown fields: nothing to show
		}
		if role == "" {
			role = defaultRole(output)
		}
		msg["role"] = role
		if !hasContent {
			msg["content"] = ""
		}
		msgs = append(msgs, msg)
	}
	if len(msgs) == 0 {
		return nil
	}
	return map[string]any{"messages": msgs}
}

// openInferenceMessages reads llm.input_messages / llm.output_messages:
// {i}.message.role/.content/.name/.tool_call_id, .message.contents.{j}.
// message_content.* and .message.tool_calls.{j}.tool_call.*.
func openInferenceMessages(attrs pcommon.Map, prefix string, output bool) map[string]any {
	var msgs []any
	for _, g := range groupIndexed(attrs.All(), prefix) {
		role := fieldString(g, "message.role")
		if role == "" {
			role = defaultRole(output)
		}
		msg := map[string]any{"role": role, "content": ""}
		if c, ok := fieldAny(g, "message.content"); ok {
			msg["content"] = contentValue(c)
		} else if blocks := openInferenceContents(g); len(blocks) > 0 {
			msg["content"] = blockContent(blocks)
		}
		if s := fieldString(g, "message.name"); s != "" {
			msg["name"] = s
		}
		if s := fieldString(g, "message.tool_call_id"); s != "" {
			msg["tool_call_id"] = s
		}
		var calls []any
		for _, tc := range groupIndexed(maps.All(g), "message.tool_calls.") {
			args, _ := fieldAny(tc, "tool_call.function.arguments")
			calls = append(calls, toolCall(fieldString(tc, "tool_call.id"), fieldString(tc, "tool_call.function.name"), args))
		}
		if len(calls) > 0 {
			msg["tool_calls"] = calls
		}
		msgs = append(msgs, msg)
	}
	if len(msgs) == 0 {
		return nil
	}
	return map[string]any{"messages": msgs}
}

func openInferenceContents(g map[string]pcommon.Value) []any {
	var blocks []any
	for _, c := range groupIndexed(maps.All(g), "message.contents.") {
		switch fieldString(c, "message_content.type") {
		case "image":
			blocks = append(blocks, map[string]any{"type": "image_url", "image_url": map[string]any{"url": fieldString(c, "message_content.image.image.url")}})
		default:
			blocks = append(blocks, map[string]any{"type": "text", "text": fieldString(c, "message_content.text")})
		}
	}
	return blocks
}

// retrievalDocuments reads OpenInference retrieval.documents.{i}.document.*
// into LangSmith's retriever output.
func retrievalDocuments(attrs pcommon.Map) map[string]any {
	var docs []any
	for _, g := range groupIndexed(attrs.All(), "retrieval.documents.") {
		doc := map[string]any{"page_content": fieldString(g, "document.content"), "type": "Document", "metadata": map[string]any{}}
		if md, ok := fieldAny(g, "document.metadata"); ok {
			if obj, ok := decodeStructured(md).(map[string]any); ok {
				doc["metadata"] = obj
			}
		}
		if id := fieldString(g, "document.id"); id != "" {
			doc["id"] = id
		}
		if score, ok := fieldAny(g, "document.score"); ok {
			doc["metadata"].(map[string]any)["score"] = score
		}
		docs = append(docs, doc)
	}
	if len(docs) == 0 {
		return nil
	}
	return map[string]any{"documents": docs}
}

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
		for _, tc := range groupIndexed(a.All(), "tool_calls.") {
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
