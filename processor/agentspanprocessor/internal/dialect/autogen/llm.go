package autogen

import (
	"bytes"
	"encoding/json"
	"maps"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/indexedattr"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// maxPayloadBytes bounds the JSON the rules parse; bigger values are left
// alone (still exported as they are) instead of costing memory here.
const maxPayloadBytes = 8 << 20

// normalizeLLMs brings the OpenAI instrumentor's older attribute formats
// (autogen-spans.md §3.2) up to gen_ai.operation.name / gen_ai.provider.name,
// keeping the legacy keys for the exporter.
func (r *autogenRewrite) normalizeLLMs() {
	for _, n := range r.tree.Nodes {
		role := r.infoOf(n).role
		if role != roleLLM && role != roleSelector {
			continue
		}
		attrs := n.Span.Attributes()
		if n.Attr(attrGenAIOperation) == "" {
			op := n.Attr("llm.request.type")
			if op == "" || op == "completion" && n.Name() == "openai.chat" {
				op = "chat"
			} else if op == "completion" {
				op = "text_completion"
			}
			attrs.PutStr(attrGenAIOperation, op)
		}
		if n.Attr(attrGenAIProvider) == "" {
			if sys := n.Attr(attrGenAISystem); sys != "" {
				attrs.PutStr(attrGenAIProvider, strings.ToLower(sys))
			} else if strings.HasPrefix(n.Name(), "openai.") || strings.HasPrefix(n.Scope.Scope().Name(), "opentelemetry.instrumentation.openai") {
				attrs.PutStr(attrGenAIProvider, "openai")
			}
		}
		attrs.PutStr(attrLangsmithSpanKind, "llm")
	}
}

// agToolCall is one tool call a model asked for.
type agToolCall struct {
	id, name, args string
}

// parseMessages decodes gen_ai.input/output.messages leniently.
func parseMessages(s string) []map[string]json.RawMessage {
	if s == "" || len(s) > maxPayloadBytes {
		return nil
	}
	var msgs []map[string]json.RawMessage
	if json.Unmarshal([]byte(s), &msgs) != nil {
		return nil
	}
	return msgs
}

func messageParts(m map[string]json.RawMessage) []map[string]json.RawMessage {
	var parts []map[string]json.RawMessage
	if json.Unmarshal(m["parts"], &parts) != nil {
		return nil
	}
	return parts
}

// rawString returns a JSON string's value, or other JSON compacted.
func rawString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.String()
	}
	return string(raw)
}

// compactJSONString compacts s when it is JSON and returns it unchanged
// otherwise (arguments are sometimes not valid JSON).
func compactJSONString(s string) string {
	var buf bytes.Buffer
	if len(s) <= maxPayloadBytes && json.Compact(&buf, []byte(s)) == nil {
		return buf.String()
	}
	return s
}

// llmToolCalls returns the tool calls a model response asked for, from the
// current output messages or the legacy gen_ai.completion.* keys.
func llmToolCalls(n *dialect.Node) []agToolCall {
	out := messageToolCalls(n.Attr(attrGenAIOutputMessages))
	for _, c := range legacyIndexed(n.Span.Attributes(), "gen_ai.completion.") {
		for _, tc := range indexedattr.Group(maps.All(c), "tool_calls.") {
			out = append(out, agToolCall{id: tc["id"], name: tc["name"], args: compactJSONString(tc["arguments"])})
		}
	}
	return out
}

// llmToolResponses returns tool results fed back to the model, by call id.
func llmToolResponses(n *dialect.Node) map[string]string {
	out := map[string]string{}
	messageToolResponses(n.Attr(attrGenAIInputMessages), out)
	for _, p := range legacyIndexed(n.Span.Attributes(), "gen_ai.prompt.") {
		if p["role"] == "tool" && p["tool_call_id"] != "" {
			out[p["tool_call_id"]] = p["content"]
		}
	}
	return out
}

// llmAnswerText returns the text of the model's first answer.
func llmAnswerText(n *dialect.Node) string {
	if text := messageAnswerText(n.Attr(attrGenAIOutputMessages)); text != "" {
		return text
	}
	return n.Attr("gen_ai.completion.0.content")
}

// legacyIndexed groups `<prefix><i>.<rest>` attributes by i, in index order,
// as strings.
func legacyIndexed(attrs pcommon.Map, prefix string) []map[string]string {
	asStrings := func(yield func(string, string) bool) {
		for k, v := range attrs.All() {
			if strings.HasPrefix(k, prefix) && !yield(k, v.AsString()) {
				return
			}
		}
	}
	return indexedattr.Group(asStrings, prefix)
}
