package runmap

import (
	"maps"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/indexedattr"
)

// This file reads messages spread over indexed attributes: openllmetry's
// gen_ai.prompt.{i}.* / gen_ai.completion.{i}.*, OpenInference's
// llm.input_messages.{i}.* and retrieval.documents.{i}.*.

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

// groupIndexed is indexedattr.Group over a span's attributes, returning at
// once when no key has the prefix: it is asked for seven families per span,
// most of them absent, and each call used to allocate its iterator.
func groupIndexed(attrs pcommon.Map, prefix string) []map[string]pcommon.Value {
	for k := range attrs.All() {
		if strings.HasPrefix(k, prefix) {
			return indexedattr.Group(attrs.All(), prefix)
		}
	}
	return nil
}

// indexedMessages reads openllmetry's flattened messages (<=0.54):
// gen_ai.prompt.{i}.role/.content/.tool_call_id/.tool_calls.{j}.id/.name/
// .arguments, the .message.role/.message.content variant, and for
// completions .finish_reason, .refusal and the legacy .function_call.
func indexedMessages(attrs pcommon.Map, prefix string, output bool) map[string]any {
	groups := groupIndexed(attrs, prefix)
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
		for _, tc := range indexedattr.Group(maps.All(g), "tool_calls.") {
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
	for _, g := range groupIndexed(attrs, prefix) {
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
		for _, tc := range indexedattr.Group(maps.All(g), "message.tool_calls.") {
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
	for _, c := range indexedattr.Group(maps.All(g), "message.contents.") {
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
	for _, g := range groupIndexed(attrs, "retrieval.documents.") {
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
