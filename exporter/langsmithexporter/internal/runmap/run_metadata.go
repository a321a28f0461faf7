package runmap

import (
	"encoding/hex"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/place"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/jsonenc"
)

// This file builds a run's extra (metadata, invocation_params, runtime) and tags.

func isMappedAttribute(k string) bool {
	if mappedKeys[k] {
		return true
	}
	for _, p := range mappedPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// A run's metadata is built as a jsonenc.Object: members are appended in the
// order a map would have been assigned (a later member of the same key wins)
// and sorted once by jsonenc.Object.Sorted, which drops the earlier ones.

// valueMember is an attribute value as a metadata member (valueToAny, with a
// string kept unboxed).
func valueMember(key string, v pcommon.Value) jsonenc.Member {
	if v.Type() == pcommon.ValueTypeStr {
		return jsonenc.StrMember(key, validUTF8(v.Str()))
	}
	return jsonenc.Member{Key: key, Value: valueToAny(v)}
}

// structuredMember is valueMember with decodeStructured applied.
func structuredMember(key string, v pcommon.Value) jsonenc.Member {
	if v.Type() == pcommon.ValueTypeStr {
		s := validUTF8(v.Str())
		if t := strings.TrimSpace(s); t != "" && (t[0] == '{' || t[0] == '[') {
			if parsed, ok := parseJSON(t); ok {
				return jsonenc.Member{Key: key, Value: parsed}
			}
		}
		return jsonenc.StrMember(key, s)
	}
	return jsonenc.AnyMember(key, decodeStructured(valueToAny(v)))
}

// copyAttributes copies attributes into metadata; the annotation namespace
// is internal to the exporter and never leaves it.
func copyAttributes(dst jsonenc.Object, attrs pcommon.Map, keep func(string) bool) jsonenc.Object {
	for k, v := range attrs.All() {
		if strings.HasPrefix(k, place.AnnotationPrefix) || !keep(k) {
			continue
		}
		dst = append(dst, valueMember(validUTF8(k), v))
	}
	return dst
}

// copyPrefixed copies prefix<k> attributes to metadata[k]; string values that
// hold a JSON object or array are decoded, as the SDKs JSON-encode them.
func copyPrefixed(dst jsonenc.Object, attrs pcommon.Map, prefix string) jsonenc.Object {
	for k, v := range attrs.All() {
		name, ok := strings.CutPrefix(k, prefix)
		if !ok || name == "" {
			continue
		}
		dst = append(dst, structuredMember(validUTF8(name), v))
	}
	return dst
}

// mergeOpenInferenceMetadata merges OpenInference's "metadata" JSON object.
func mergeOpenInferenceMetadata(dst jsonenc.Object, attrs pcommon.Map) jsonenc.Object {
	v, ok := attrs.Get("metadata")
	if !ok {
		return dst
	}
	parsed := decodeStructured(valueToAny(v))
	if obj, ok := parsed.(map[string]any); ok {
		// The object's keys are distinct: their order does not matter.
		for k, val := range obj {
			dst = append(dst, jsonenc.AnyMember(k, val))
		}
		return dst
	}
	return append(dst, jsonenc.AnyMember("metadata", parsed))
}

// invocationParams collects the request parameters of a model call.
// It is nil when there are none (most spans have none).
func invocationParams(attrs pcommon.Map) map[string]any {
	var params map[string]any
	set := func(k string, v any) {
		if params == nil {
			params = map[string]any{}
		}
		params[k] = v
	}
	if v, ok := attrs.Get("llm.invocation_parameters"); ok {
		if obj, ok := decodeStructured(valueToAny(v)).(map[string]any); ok {
			for k, val := range obj {
				set(k, val)
			}
		} else {
			set("llm.invocation_parameters", valueToAny(v))
		}
	}
	for k, v := range attrs.All() {
		name, ok := strings.CutPrefix(k, "gen_ai.request.")
		if !ok || name == "" {
			continue
		}
		if isEmptyValue(v) {
			continue // openllmetry 0.46+ sends reasoning_effort=[] when unused
		}
		if name == "stop_sequences" {
			name = "stop"
		}
		set(validUTF8(name), decodeStructured(valueToAny(v)))
	}
	for _, k := range []string{"llm.presence_penalty", "llm.frequency_penalty", "llm.top_p", "llm.temperature"} {
		if v, ok := attrs.Get(k); ok {
			set(strings.TrimPrefix(k, "llm."), valueToAny(v))
		}
	}
	if tools := toolDefinitions(attrs); tools != nil {
		set("tools", tools)
	}
	return params
}

// addModelMetadata sets the ls_* keys LangSmith needs to price a model call.
func addModelMetadata(md jsonenc.Object, attrs pcommon.Map, params map[string]any, runType string, inputs map[string]any) jsonenc.Object {
	if p := firstAttrString(attrs, "gen_ai.provider.name", "gen_ai.system", "llm.system", "llm.provider"); p != "" {
		md = append(md, jsonenc.StrMember("ls_provider", strings.ToLower(p)))
	}
	if m := firstAttrString(attrs, "gen_ai.response.model", "gen_ai.request.model", "llm.model_name", "llm.response.model", "llm.request.model"); m != "" {
		md = append(md, jsonenc.StrMember("ls_model_name", m))
	}
	if runType == runTypeLLM {
		if t := llmModelType(attrs, inputs); t != "" {
			md = append(md, jsonenc.StrMember("ls_model_type", t))
		}
	}
	for _, pk := range modelParamKeys {
		if v, ok := params[pk.param]; ok && v != nil {
			md = append(md, jsonenc.AnyMember(pk.key, v))
		}
	}
	return md
}

// modelParamKeys: the invocation parameters repeated as ls_* metadata.
var modelParamKeys = []struct{ param, key string }{
	{"temperature", "ls_temperature"}, {"max_tokens", "ls_max_tokens"}, {"stop", "ls_stop"},
}

// llmModelType tells chat models from text-completion models.
func llmModelType(attrs pcommon.Map, inputs map[string]any) string {
	op := lowerAttr(attrs, "gen_ai.operation.name")
	if op == "" {
		op = firstNonEmpty(lowerAttr(attrs, "llm.request.type"), lowerAttr(attrs, "traceloop.llm.request.type"))
	}
	switch op {
	case "chat", "generate_content":
		return "chat"
	case "text_completion", "completion":
		return "llm"
	}
	if _, ok := inputs["messages"]; ok {
		return "chat"
	}
	return ""
}

// addTraceability records where the run came from, so a run can be matched
// with the raw span in another backend.
func addTraceability(md jsonenc.Object, scope pcommon.InstrumentationScope, span ptrace.Span, shared *resourceValues) jsonenc.Object {
	if n := scope.Name(); n != "" {
		md = append(md, jsonenc.StrMember("otel.scope.name", shared.scopeNameText(n)))
	}
	if v := scope.Version(); v != "" {
		md = append(md, jsonenc.StrMember("otel.scope.version", validUTF8(v)))
	}
	md = append(md, jsonenc.StrMember("otel.span_kind", spanKindNames.of(int(span.Kind()), func() string { return strings.ToLower(span.Kind().String()) })))
	if id := span.TraceID(); !id.IsEmpty() {
		md = append(md, jsonenc.StrMember("otel.trace_id", shared.traceIDText(id)))
	}
	// The span id and parent span id share one string.
	var ids [2 * 2 * len(pcommon.SpanID{})]byte
	n := 0
	spanID, parentID := span.SpanID(), span.ParentSpanID()
	if !spanID.IsEmpty() {
		n += hex.Encode(ids[n:], spanID[:])
	}
	if !parentID.IsEmpty() {
		n += hex.Encode(ids[n:], parentID[:])
	}
	text := string(ids[:n])
	if !spanID.IsEmpty() {
		md = append(md, jsonenc.StrMember("otel.span_id", text[:2*len(spanID)]))
		text = text[2*len(spanID):]
	}
	if !parentID.IsEmpty() {
		md = append(md, jsonenc.StrMember("otel.parent_span_id", text))
	}
	if code := span.Status().Code(); code != ptrace.StatusCodeUnset {
		md = append(md, jsonenc.StrMember("otel.status_code", statusCodeNames.of(int(code), func() string { return strings.ToUpper(code.String()) })))
	}
	return md
}

// enumNames holds the metadata values of an enum's known members, computed
// once.
type enumNames []string

func newEnumNames(n int, name func(i int) string) enumNames {
	b := make(enumNames, n)
	for i := range b {
		b[i] = name(i)
	}
	return b
}

// of returns member i's name, or slow() for a member not known here.
func (b enumNames) of(i int, slow func() string) string {
	if i >= 0 && i < len(b) {
		return b[i]
	}
	return slow()
}

var (
	spanKindNames = newEnumNames(int(ptrace.SpanKindConsumer)+1, func(i int) string {
		return strings.ToLower(ptrace.SpanKind(i).String())
	})
	statusCodeNames = newEnumNames(int(ptrace.StatusCodeError)+1, func(i int) string {
		return strings.ToUpper(ptrace.StatusCode(i).String())
	})
)

// resourceValues is what the runs of one resource share: its runtime map and
// its attributes as metadata members (both only encoded, never edited; the
// members are copied into each run's metadata), and the last trace id seen as
// metadata text.
type resourceValues struct {
	runtime map[string]any
	attrs   jsonenc.Object

	traceID    pcommon.TraceID
	traceIDStr string
	hasTraceID bool

	scopeName    string
	scopeNameStr string
	hasScopeName bool
}

func newResourceValues(res pcommon.Resource) *resourceValues {
	rv := &resourceValues{runtime: runtimeInfo(res)}
	rv.attrs = copyAttributes(make(jsonenc.Object, 0, res.Attributes().Len()), res.Attributes(), func(string) bool { return true })
	return rv
}

// traceIDText is id as metadata text, rendered once for the spans of a trace.
func (rv *resourceValues) traceIDText(id pcommon.TraceID) string {
	if !rv.hasTraceID || id != rv.traceID {
		rv.traceID, rv.traceIDStr, rv.hasTraceID = id, id.String(), true
	}
	return rv.traceIDStr
}

// scopeNameText is a scope name as metadata text, repaired once for the spans
// of a scope.
func (rv *resourceValues) scopeNameText(name string) string {
	if !rv.hasScopeName || name != rv.scopeName {
		rv.scopeName, rv.scopeNameStr, rv.hasScopeName = name, validUTF8(name), true
	}
	return rv.scopeNameStr
}

func runtimeInfo(res pcommon.Resource) map[string]any {
	rt := make(map[string]any, len(runtimeSDK)+2)
	for k, v := range runtimeSDK {
		rt[k] = v
	}
	for _, k := range []string{"telemetry.sdk.language", "service.name"} {
		if s := attrString(res.Attributes(), k); s != "" {
			rt[k] = s
		}
	}
	return rt
}

// spanTags reads langsmith.span.tags, a comma-separated string or an array.
func spanTags(attrs pcommon.Map) []string {
	v, ok := attrs.Get("langsmith.span.tags")
	if !ok {
		return nil
	}
	var raw []string
	if v.Type() == pcommon.ValueTypeSlice {
		for _, e := range v.Slice().All() {
			raw = append(raw, validUTF8(e.AsString()))
		}
	} else {
		raw = strings.Split(validUTF8(v.AsString()), ",")
	}
	var tags []string
	seen := map[string]bool{}
	for _, t := range raw {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		tags = append(tags, t)
	}
	return tags
}

// toolDefinitions reads the tools offered to the model, in OpenAI's
// {"type":"function","function":{name, description, parameters}} form, from
// gen_ai.tool.definitions (semconv's flat form), openllmetry's
// llm.request.functions.{i}.* and OpenInference's llm.tools.{i}.tool.json_schema.
func toolDefinitions(attrs pcommon.Map) []any {
	if v, ok := attrs.Get("gen_ai.tool.definitions"); ok {
		parsed := decodeStructured(valueToAny(v))
		list, ok := parsed.([]any)
		if !ok {
			return []any{parsed}
		}
		out := make([]any, 0, len(list))
		for _, item := range list {
			out = append(out, openAITool(item))
		}
		return out
	}
	var out []any
	for _, g := range groupIndexed(attrs, "llm.request.functions.") {
		fn := map[string]any{"name": fieldString(g, "name")}
		if d := fieldString(g, "description"); d != "" {
			fn["description"] = d
		}
		if p, ok := fieldAny(g, "parameters"); ok {
			fn["parameters"] = decodeStructured(p)
		}
		out = append(out, map[string]any{"type": "function", "function": fn})
	}
	for _, g := range groupIndexed(attrs, "llm.tools.") {
		if s, ok := fieldAny(g, "tool.json_schema"); ok {
			out = append(out, openAITool(decodeStructured(s)))
		}
	}
	return out
}

// openAITool nests a flat {"type":"function","name",...} definition under
// "function"; other shapes pass through.
func openAITool(v any) any {
	t, ok := v.(map[string]any)
	if !ok {
		return v
	}
	if _, nested := t["function"]; nested {
		return t
	}
	name, ok := t["name"]
	if !ok {
		return t
	}
	fn := map[string]any{"name": name}
	for _, k := range []string{"description", "parameters", "strict"} {
		if val, ok := t[k]; ok {
			fn[k] = val
		}
	}
	return map[string]any{"type": "function", "function": fn}
}
