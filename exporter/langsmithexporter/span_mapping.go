package langsmithexporter

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// spanContent is everything about a run that can be read from its own span.
type spanContent struct {
	Name    string
	RunType string           // llm, chain, tool, retriever, embedding, prompt, parser
	Inputs  map[string]any   // JSON object or nil
	Outputs map[string]any   // JSON object or nil
	Events  []map[string]any // {"name","time","kwargs"}; nil when none
	Extra   map[string]any   // {"metadata":{...}, "invocation_params":{...}, "runtime":{...}}
	Error   string
	Tags    []string
}

// runtimeSDK identifies this exporter in the run's "Runtime" panel.
var runtimeSDK = map[string]any{"sdk": "otelcol-langsmith", "library": "langsmith-exporter", "runtime": "go"}

// mapSpan reads one span (and its resource and scope) into run content. It
// never fails: unreadable values are kept as raw strings and invalid UTF-8
// is repaired, so one bad attribute cannot cost the rest of the run.
func mapSpan(res pcommon.Resource, scope pcommon.InstrumentationScope, span ptrace.Span) spanContent {
	attrs := span.Attributes()
	used := keySet{}
	c := spanContent{RunType: runTypeOf(scope, attrs)}
	c.Name = runName(span, attrs, c.RunType)

	msgs := mapMessages(c.RunType, attrs, span.Events(), used)
	c.Inputs, c.Outputs = msgs.inputs, msgs.outputs

	metadata := map[string]any{}
	copyAttributes(metadata, res.Attributes(), func(string) bool { return true })
	copyAttributes(metadata, attrs, func(k string) bool { return !used[k] && !isMappedAttribute(k) })
	mergeOpenInferenceMetadata(metadata, attrs)
	copyPrefixed(metadata, attrs, "traceloop.association.properties.")

	invocation := invocationParams(attrs)
	if c.RunType == runTypeLLM || c.RunType == runTypeEmbedding {
		addModelMetadata(metadata, attrs, invocation, c.RunType, c.Inputs)
	}
	// Explicit LangSmith metadata wins over everything derived.
	copyPrefixed(metadata, attrs, "langsmith.metadata.")

	if usage := usageMetadata(attrs); usage != nil {
		if c.Outputs == nil {
			c.Outputs = map[string]any{}
		}
		c.Outputs["usage_metadata"] = usage
		// A second, independent copy: later steps may edit one place only.
		metadata["usage_metadata"] = usageMetadata(attrs)
	}

	var chunks int
	c.Events, chunks = runEvents(span.Events(), msgs.usedEvents)
	if chunks > 0 {
		metadata["stream_chunks"] = chunks
	}
	addTraceability(metadata, scope, span)

	c.Extra = map[string]any{"metadata": metadata, "runtime": runtimeInfo(res)}
	if len(invocation) > 0 {
		c.Extra["invocation_params"] = invocation
	}
	c.Error = spanError(span)
	c.Tags = spanTags(attrs)
	return c
}

// genericLLMSpanName matches instrumentation span names that say nothing
// about the call, e.g. openllmetry's "openai.chat" or "ChatOpenAI.chat".
var genericLLMSpanName = regexp.MustCompile(`^[A-Za-z0-9_-]+\.(chat|completion|completions|embeddings|response|responses|generate|generate_content)$`)

// runName: LangSmith's explicit name, then the tool name for tools, then the
// requested model for LLM spans with a generic instrumentation name (the
// model the app asked for, "gpt-4o", reads better than "openai.chat" and
// stays stable across the provider's dated snapshots), then the span name.
func runName(span ptrace.Span, attrs pcommon.Map, runType string) string {
	if n := strings.TrimSpace(attrString(attrs, "langsmith.trace.name")); n != "" {
		return n
	}
	spanName := validUTF8(span.Name())
	if runType == runTypeTool {
		if n := firstAttrString(attrs, "gen_ai.tool.name", "tool.name", "tool_name"); n != "" {
			return n
		}
	}
	if runType == runTypeLLM && genericLLMSpanName.MatchString(spanName) {
		if m := firstAttrString(attrs, "gen_ai.request.model", "gen_ai.response.model", "llm.model_name", "llm.request.model", "llm.response.model"); m != "" {
			return m
		}
	}
	if spanName != "" {
		return spanName
	}
	if n := attrString(attrs, "traceloop.entity.name"); n != "" {
		return n
	}
	return runType
}

// mappedPrefixes are attribute families that become inputs, outputs, usage,
// invocation params or tags; repeating them in metadata would only double
// the size of each run.
var mappedPrefixes = []string{
	annotationPrefix,
	"langsmith.",
	"gen_ai.prompt.", "gen_ai.completion.",
	"gen_ai.usage.", "llm.usage.", "llm.token_count.",
	"gen_ai.request.",
	"llm.request.functions.", "llm.input_messages.", "llm.output_messages.", "llm.tools.",
	"llm.prompts.", "traceloop.association.properties.", "retrieval.documents.",
}

var mappedKeys = map[string]bool{
	"gen_ai.prompt": true, "gen_ai.completion": true,
	"gen_ai.input.messages": true, "gen_ai.output.messages": true,
	"gen_ai.system_instructions": true, "gen_ai.tool.definitions": true,
	"input.value": true, "output.value": true, "input.mime_type": true, "output.mime_type": true,
	"traceloop.entity.input": true, "traceloop.entity.output": true,
	"llm.invocation_parameters": true, "metadata": true,
}

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

// copyAttributes copies attributes into metadata; the annotation namespace
// is internal to the exporter and never leaves it.
func copyAttributes(dst map[string]any, attrs pcommon.Map, keep func(string) bool) {
	for k, v := range attrs.All() {
		if strings.HasPrefix(k, annotationPrefix) || !keep(k) {
			continue
		}
		dst[validUTF8(k)] = valueToAny(v)
	}
}

// copyPrefixed copies prefix<k> attributes to metadata[k]; string values that
// hold a JSON object or array are decoded, as the SDKs JSON-encode them.
func copyPrefixed(dst map[string]any, attrs pcommon.Map, prefix string) {
	for k, v := range attrs.All() {
		name, ok := strings.CutPrefix(k, prefix)
		if !ok || name == "" {
			continue
		}
		dst[validUTF8(name)] = decodeStructured(valueToAny(v))
	}
}

// mergeOpenInferenceMetadata merges OpenInference's "metadata" JSON object.
func mergeOpenInferenceMetadata(dst map[string]any, attrs pcommon.Map) {
	v, ok := attrs.Get("metadata")
	if !ok {
		return
	}
	parsed := decodeStructured(valueToAny(v))
	if obj, ok := parsed.(map[string]any); ok {
		for k, val := range obj {
			dst[k] = val
		}
		return
	}
	dst["metadata"] = parsed
}

// invocationParams collects the request parameters of a model call.
func invocationParams(attrs pcommon.Map) map[string]any {
	params := map[string]any{}
	if v, ok := attrs.Get("llm.invocation_parameters"); ok {
		if obj, ok := decodeStructured(valueToAny(v)).(map[string]any); ok {
			for k, val := range obj {
				params[k] = val
			}
		} else {
			params["llm.invocation_parameters"] = valueToAny(v)
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
		params[validUTF8(name)] = decodeStructured(valueToAny(v))
	}
	for _, k := range []string{"llm.presence_penalty", "llm.frequency_penalty", "llm.top_p", "llm.temperature"} {
		if v, ok := attrs.Get(k); ok {
			params[strings.TrimPrefix(k, "llm.")] = valueToAny(v)
		}
	}
	if tools := toolDefinitions(attrs); tools != nil {
		params["tools"] = tools
	}
	return params
}

// addModelMetadata sets the ls_* keys LangSmith needs to price a model call.
func addModelMetadata(md map[string]any, attrs pcommon.Map, params map[string]any, runType string, inputs map[string]any) {
	if p := firstAttrString(attrs, "gen_ai.provider.name", "gen_ai.system", "llm.system", "llm.provider"); p != "" {
		md["ls_provider"] = strings.ToLower(p)
	}
	if m := firstAttrString(attrs, "gen_ai.response.model", "gen_ai.request.model", "llm.model_name", "llm.response.model", "llm.request.model"); m != "" {
		md["ls_model_name"] = m
	}
	if runType == runTypeLLM {
		if t := llmModelType(attrs, inputs); t != "" {
			md["ls_model_type"] = t
		}
	}
	for param, key := range map[string]string{"temperature": "ls_temperature", "max_tokens": "ls_max_tokens", "stop": "ls_stop"} {
		if v, ok := params[param]; ok && v != nil {
			md[key] = v
		}
	}
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
func addTraceability(md map[string]any, scope pcommon.InstrumentationScope, span ptrace.Span) {
	if n := scope.Name(); n != "" {
		md["otel.scope.name"] = validUTF8(n)
	}
	if v := scope.Version(); v != "" {
		md["otel.scope.version"] = validUTF8(v)
	}
	md["otel.span_kind"] = strings.ToLower(span.Kind().String())
	if id := span.TraceID(); !id.IsEmpty() {
		md["otel.trace_id"] = id.String()
	}
	if id := span.SpanID(); !id.IsEmpty() {
		md["otel.span_id"] = id.String()
	}
	if id := span.ParentSpanID(); !id.IsEmpty() {
		md["otel.parent_span_id"] = id.String()
	}
	if code := span.Status().Code(); code != ptrace.StatusCodeUnset {
		md["otel.status_code"] = strings.ToUpper(code.String())
	}
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

// spanError joins every recorded exception; a span marked ERROR without one
// still gets a non-empty error so that LangSmith shows it as failed.
func spanError(span ptrace.Span) string {
	var order []string
	texts := map[string]string{}
	for _, e := range span.Events().All() {
		if e.Name() != "exception" {
			continue
		}
		a := e.Attributes()
		typ, msg := attrString(a, "exception.type"), attrString(a, "exception.message")
		head := typ
		switch {
		case typ != "" && msg != "":
			head = typ + ": " + msg
		case typ == "":
			head = msg
		}
		text := head
		if st := attrString(a, "exception.stacktrace"); st != "" {
			text = strings.TrimLeft(head+"\n"+st, "\n")
		}
		if text == "" {
			continue
		}
		// AutoGen and the OTel SDK both record the same exception as it
		// leaves nested spans; keep it once, with the fullest stack.
		prev, seen := texts[head]
		if !seen {
			order = append(order, head)
		}
		if len(text) > len(prev) {
			texts[head] = text
		}
	}
	if len(order) > 0 {
		errs := make([]string, 0, len(order))
		for _, h := range order {
			errs = append(errs, texts[h])
		}
		return strings.Join(errs, "\n\n")
	}
	if span.Status().Code() != ptrace.StatusCodeError {
		return ""
	}
	return firstNonEmpty(validUTF8(span.Status().Message()), attrString(span.Attributes(), "error.type"), "span status is ERROR")
}

// isChunkEvent matches openllmetry's per-chunk streaming events.
func isChunkEvent(name string) bool {
	return name == "gen_ai.content.completion.chunk" || name == "llm.content.completion.chunk"
}

// runEvents turns span events into run events. The first streaming chunk
// becomes LangSmith's new_token event (time to first token); the others
// are only counted, since one event per token would dwarf the run.
func runEvents(events ptrace.SpanEventSlice, consumed map[int]bool) ([]map[string]any, int) {
	var out []map[string]any
	chunks := 0
	for i, e := range events.All() {
		name := validUTF8(e.Name())
		switch {
		case consumed[i] || name == "exception":
			continue
		case isChunkEvent(name):
			if chunks == 0 {
				out = append(out, map[string]any{"name": "new_token", "time": formatTime(e.Timestamp())})
			}
			chunks++
			continue
		}
		kwargs := map[string]any{}
		copyAttributes(kwargs, e.Attributes(), func(string) bool { return true })
		out = append(out, map[string]any{"name": name, "time": formatTime(e.Timestamp()), "kwargs": kwargs})
	}
	return out, chunks
}

// formatTime is LangSmith's preferred timestamp: UTC, microseconds, "Z".
func formatTime(ts pcommon.Timestamp) string {
	return ts.AsTime().UTC().Format("2006-01-02T15:04:05.000000Z")
}

func isEmptyValue(v pcommon.Value) bool {
	switch v.Type() {
	case pcommon.ValueTypeEmpty:
		return true
	case pcommon.ValueTypeStr:
		return v.Str() == ""
	case pcommon.ValueTypeSlice:
		return v.Slice().Len() == 0
	}
	return false
}

// keySet records the attributes a mapping step consumed.
type keySet map[string]bool

func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// attrString returns an attribute as text ("" when absent), repaired to
// valid UTF-8.
func attrString(attrs pcommon.Map, key string) string {
	v, ok := attrs.Get(key)
	if !ok || v.Type() == pcommon.ValueTypeEmpty {
		return ""
	}
	if v.Type() == pcommon.ValueTypeStr {
		return validUTF8(v.Str())
	}
	return validUTF8(v.AsString())
}

func firstAttrString(attrs pcommon.Map, keys ...string) string {
	for _, k := range keys {
		if s := strings.TrimSpace(attrString(attrs, k)); s != "" {
			return s
		}
	}
	return ""
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// valueToAny converts an attribute value to a JSON-encodable Go value.
// Non-finite floats become strings because encoding/json rejects them.
func valueToAny(v pcommon.Value) any {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return validUTF8(v.Str())
	case pcommon.ValueTypeBool:
		return v.Bool()
	case pcommon.ValueTypeInt:
		return v.Int()
	case pcommon.ValueTypeDouble:
		f := v.Double()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
		return f
	case pcommon.ValueTypeBytes:
		return base64.StdEncoding.EncodeToString(v.Bytes().AsRaw())
	case pcommon.ValueTypeSlice:
		out := make([]any, 0, v.Slice().Len())
		for _, e := range v.Slice().All() {
			out = append(out, valueToAny(e))
		}
		return out
	case pcommon.ValueTypeMap:
		out := make(map[string]any, v.Map().Len())
		for k, e := range v.Map().All() {
			out[validUTF8(k)] = valueToAny(e)
		}
		return out
	}
	return nil
}

// parseJSON decodes a whole string as JSON, keeping numbers exact.
func parseJSON(s string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(validUTF8(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return v, true
}

// decodeStructured decodes strings that hold a JSON object or array; any
// other value, and malformed JSON, is returned unchanged.
func decodeStructured(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return v
	}
	if parsed, ok := parseJSON(t); ok {
		return parsed
	}
	return v
}

// decodeJSONValue decodes any JSON value held in a string (so "42" and
// "true" become a number and a bool); malformed JSON stays a raw string.
func decodeJSONValue(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	if parsed, ok := parseJSON(s); ok {
		return parsed
	}
	return v
}

// marshalJSON encodes without HTML escaping, as the Python SDK does.
func marshalJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
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
	for _, g := range groupIndexed(attrs.All(), "llm.request.functions.") {
		fn := map[string]any{"name": fieldString(g, "name")}
		if d := fieldString(g, "description"); d != "" {
			fn["description"] = d
		}
		if p, ok := fieldAny(g, "parameters"); ok {
			fn["parameters"] = decodeStructured(p)
		}
		out = append(out, map[string]any{"type": "function", "function": fn})
	}
	for _, g := range groupIndexed(attrs.All(), "llm.tools.") {
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
