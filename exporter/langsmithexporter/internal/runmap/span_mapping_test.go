package runmap

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/place"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/jsonenc"
)

var updateMappingGolden = flag.Bool("update-mapping", false, "rewrite testdata/mapping golden files")

func mappingJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// asJSON is v as LangSmith reads it: messages may be held as encoded JSON.
func asJSON(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(mappingJSON(t, v)), &out))
	return out
}

// mappingSpan describes a span for mapSpan tests.
type mappingSpan struct {
	name     string
	kind     ptrace.SpanKind
	scope    string
	version  string
	resource map[string]any
	attrs    map[string]any
	events   []mappingEvent
	status   ptrace.StatusCode
	message  string
}

var mappingStart = time.Date(2025, 6, 1, 12, 0, 0, 123456789, time.UTC)

func mapTestSpan(t *testing.T, ts mappingSpan) spanContent {
	t.Helper()
	res := pcommon.NewResource()
	require.NoError(t, res.Attributes().FromRaw(ts.resource))
	scope := pcommon.NewInstrumentationScope()
	scope.SetName(ts.scope)
	scope.SetVersion(ts.version)
	span := ptrace.NewSpan()
	span.SetName(ts.name)
	span.SetKind(ts.kind)
	span.SetTraceID(pcommon.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36})
	span.SetSpanID(pcommon.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7})
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(mappingStart))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(mappingStart.Add(1500 * time.Millisecond)))
	span.Status().SetCode(ts.status)
	span.Status().SetMessage(ts.message)
	require.NoError(t, span.Attributes().FromRaw(ts.attrs))
	for i, e := range ts.events {
		ev := span.Events().AppendEmpty()
		ev.SetName(e.name)
		ev.SetTimestamp(pcommon.NewTimestampFromTime(mappingStart.Add(time.Duration(i+1) * 100 * time.Millisecond)))
		require.NoError(t, ev.Attributes().FromRaw(e.attrs))
	}
	c := mapSpan(res, scope, span, newResourceValues(res))
	// Every result must be encodable as the JSON parts of a run.
	_, err := json.Marshal(c)
	require.NoError(t, err)
	return c
}

func mappingMetadata(c spanContent) map[string]any {
	md, _ := c.Extra["metadata"].(jsonenc.Object)
	return md.Map()
}

// autogenOpenAIChat is an openai.chat span as openllmetry 0.62.1 records it
// under AutoGen 0.7.5 (autogen-spans.md §3.1): the DataAnalystAgent's call
// that asks for the percentage_change tool.
func autogenOpenAIChat() mappingSpan {
	return mappingSpan{
		name:    "openai.chat",
		kind:    ptrace.SpanKindClient,
		scope:   "opentelemetry.instrumentation.openai.v1",
		version: "0.62.1",
		resource: map[string]any{
			"service.name": "autogen-team", "telemetry.sdk.language": "python",
			"telemetry.sdk.name": "opentelemetry", "telemetry.sdk.version": "1.38.0",
		},
		attrs: map[string]any{
			"gen_ai.operation.name":      "chat",
			"gen_ai.provider.name":       "openai",
			"gen_ai.request.model":       "gpt-4o",
			"gen_ai.request.temperature": 0.0,
			"gen_ai.is_streaming":        false,
			"gen_ai.openai.api_base":     "https://api.openai.com/v1/",
			"gen_ai.input.messages": `[{"role":"system","parts":[{"content":"You are a data analyst agent. Use the percentage_change tool.","type":"text"}]},` +
				`{"role":"user","parts":[{"content":"What was the percentage change in total rebounds for Dwyane Wade between 2007-2008 and 2008-2009?","type":"text"}]},` +
				`{"role":"user","parts":[{"content":"Dwyane Wade: 2007-2008 214 rebounds, 2008-2009 398 rebounds.","type":"text"}]}]`,
			"gen_ai.tool.definitions": `[{"type":"function","name":"percentage_change","description":"Calculate the percentage change between two numbers.",` +
				`"parameters":{"type":"object","properties":{"start":{"type":"number"},"end":{"type":"number"}},"required":["start","end"]}}]`,
			"gen_ai.response.model":                     "gpt-4o-2024-08-06",
			"gen_ai.response.id":                        "chatcmpl-B9x2Lr7Yt0o8AqJc1mZV4uK3sW6fN",
			"gen_ai.response.finish_reasons":            []any{"tool_call"},
			"gen_ai.openai.response.system_fingerprint": "fp_07871e2ad8",
			"openai.response.service_tier":              "default",
			"gen_ai.usage.input_tokens":                 236,
			"gen_ai.usage.output_tokens":                21,
			"gen_ai.usage.total_tokens":                 257,
			"gen_ai.usage.cache_read.input_tokens":      0,
			"gen_ai.usage.reasoning_tokens":             0,
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"tool_call","name":"percentage_change","id":"call_Qm3tTkbL9xWvZ1pA7cR2yH5e",` +
				`"arguments":{"start":214,"end":398}}],"finish_reason":"tool_call"}]`,
			// Written by the trace buffer before the queue; never copied.
			place.AnnotationRunID:    "0196f0f2-1c4d-7000-8000-00f067aa0ba9",
			place.AnnotationThreadID: "team-1",
		},
	}
}

func TestMapSpanGoldenAutoGenOpenAIChat(t *testing.T) {
	c := mapTestSpan(t, autogenOpenAIChat())
	got, err := json.MarshalIndent(c, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", "mapping", "autogen_openai_chat.golden.json")
	if *updateMappingGolden {
		require.NoError(t, os.WriteFile(path, got, 0o600))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update-mapping to create it")
	assert.Equal(t, string(want), string(got))

	// The points LangSmith needs, asserted on their own so a careless
	// golden update cannot hide them.
	assert.Equal(t, "llm", c.RunType)
	assert.Equal(t, "gpt-4o", c.Name)
	md := mappingMetadata(c)
	assert.Equal(t, "openai", md["ls_provider"])
	assert.Equal(t, "gpt-4o-2024-08-06", md["ls_model_name"])
	assert.Equal(t, "chat", md["ls_model_type"])
	usage := map[string]any{
		"input_tokens": int64(236), "output_tokens": int64(21), "total_tokens": int64(257),
		"input_token_details": map[string]any{"cache_read": int64(0)}, "output_token_details": map[string]any{"reasoning": int64(0)},
	}
	assert.Equal(t, usage, md["usage_metadata"])
	assert.Equal(t, usage, c.Outputs["usage_metadata"])
	for k := range md {
		assert.False(t, strings.HasPrefix(k, place.AnnotationPrefix), k)
		assert.NotContains(t, []string{"gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.tool.definitions", "gen_ai.usage.input_tokens"}, k)
	}
	assert.Equal(t, "call_Qm3tTkbL9xWvZ1pA7cR2yH5e", asJSON(t, c.Outputs)["messages"].([]any)[0].(map[string]any)["tool_calls"].([]any)[0].(map[string]any)["id"])
}

func TestMapSpanNames(t *testing.T) {
	tests := []struct {
		name string
		span mappingSpan
		want string
	}{
		{"langsmith.trace.name wins", mappingSpan{name: "openai.chat", attrs: map[string]any{"langsmith.trace.name": "select speaker", "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o"}}, "select speaker"},
		{"semconv tool", mappingSpan{name: "execute_tool percentage_change", attrs: map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "percentage_change"}}, "percentage_change"},
		{"openinference tool", mappingSpan{name: "tool", attrs: map[string]any{"openinference.span.kind": "TOOL", "tool.name": "search"}}, "search"},
		{"autogen base_tool", mappingSpan{name: "percentage_change", scope: "base_tool", attrs: map[string]any{"tool_name": "percentage_change"}}, "percentage_change"},
		{"generic llm span name takes the requested model", mappingSpan{name: "openai.chat", attrs: map[string]any{"llm.request.type": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "gpt-4o-2024-08-06"}}, "gpt-4o"},
		{"generic llm name without request model", mappingSpan{name: "anthropic.chat", attrs: map[string]any{"gen_ai.operation.name": "chat", "gen_ai.response.model": "claude-3"}}, "claude-3"},
		{"informative llm span name is kept", mappingSpan{name: "chat gpt-4o", attrs: map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini"}}, "chat gpt-4o"},
		{"generic name without model is kept", mappingSpan{name: "openai.chat", attrs: map[string]any{"gen_ai.operation.name": "chat"}}, "openai.chat"},
		{"chain keeps span name", mappingSpan{name: "invoke_agent PlanningAgent", attrs: map[string]any{"gen_ai.operation.name": "invoke_agent"}}, "invoke_agent PlanningAgent"},
		{"empty span name: traceloop entity", mappingSpan{attrs: map[string]any{"traceloop.entity.name": "joke_workflow"}}, "joke_workflow"},
		{"never empty", mappingSpan{}, "chain"},
		{"invalid UTF-8 repaired", mappingSpan{name: "bad\xffname"}, "bad\ufffdname"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, mapTestSpan(t, tt.span).Name)
		})
	}
}

func TestMapSpanMetadata(t *testing.T) {
	c := mapTestSpan(t, mappingSpan{
		name:     "invoke_agent DataAnalystAgent",
		kind:     ptrace.SpanKindInternal,
		scope:    "autogen-core",
		resource: map[string]any{"service.name": "svc", "k8s.namespace.name": "team-a", place.AnnotationPrefix + "x": "no"},
		attrs: map[string]any{
			"gen_ai.operation.name":                    "invoke_agent",
			"gen_ai.system":                            "autogen",
			"gen_ai.agent.name":                        "DataAnalystAgent",
			"gen_ai.agent.id":                          "DataAnalystAgent_t1/t1",
			"gen_ai.conversation.id":                   "conv-1",
			"gen_ai.input.messages":                    `[{"role":"user","parts":[{"type":"text","content":"big"}]}]`,
			"gen_ai.prompt.0.content":                  "dup",
			"gen_ai.usage.input_tokens":                1,
			"langsmith.metadata.thread_id":             "th-1",
			"langsmith.metadata.cfg":                   `{"a":1}`,
			"langsmith.metadata.service.name":          "explicit wins",
			"langsmith.metadata.not_json":              `{oops`,
			"langsmith.span.kind":                      "chain",
			"traceloop.association.properties.user_id": "u1",
			"metadata":                                 `{"oi_key":"v","gen_ai.agent.name":"from-oi"}`,
			"llm.invocation_parameters":                `{"temperature":0.2}`,
			"traceloop.entity.input":                   `{"x":1}`,
			place.AnnotationParentRunID:                "p",
			"weird.nan":                                math.NaN(),
			"weird.bytes":                              []byte{1, 2},
		},
	})
	md := mappingMetadata(c)
	want := map[string]any{
		"service.name":          "explicit wins",
		"k8s.namespace.name":    "team-a",
		"gen_ai.operation.name": "invoke_agent", "gen_ai.system": "autogen",
		"gen_ai.agent.name": "from-oi", "gen_ai.agent.id": "DataAnalystAgent_t1/t1", "gen_ai.conversation.id": "conv-1",
		"thread_id": "th-1", "cfg": map[string]any{"a": json.Number("1")}, "not_json": "{oops",
		"user_id": "u1", "oi_key": "v",
		"weird.nan": "NaN", "weird.bytes": "AQI=",
		"usage_metadata":  map[string]any{"input_tokens": int64(1), "output_tokens": int64(0), "total_tokens": int64(1)},
		"otel.scope.name": "autogen-core", "otel.span_kind": "internal",
		"otel.trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "otel.span_id": "00f067aa0ba902b7",
	}
	assert.Equal(t, want, md)
	// Chain runs get no model metadata even with gen_ai.system set.
	assert.NotContains(t, md, "ls_provider")
	assert.Equal(t, map[string]any{"temperature": json.Number("0.2")}, c.Extra["invocation_params"])
	assert.Equal(t, map[string]any{
		"sdk": "otelcol-langsmith", "library": "langsmith-exporter", "runtime": "go", "service.name": "svc",
	}, c.Extra["runtime"])
}

func TestMapSpanLLMMetadataOlderDialects(t *testing.T) {
	tests := []struct {
		name       string
		attrs      map[string]any
		wantMD     map[string]any // subset of metadata
		wantParams string         // invocation_params JSON
	}{
		{
			name: "openllmetry <=0.40",
			attrs: map[string]any{
				"llm.request.type": "chat", "gen_ai.system": "OpenAI", "gen_ai.request.model": "gpt-4o",
				"gen_ai.response.model": "gpt-4o-2024-08-06", "gen_ai.request.max_tokens": 100, "gen_ai.request.temperature": 0.5,
				"llm.request.functions.0.name": "percentage_change", "llm.request.functions.0.description": "d",
				"llm.request.functions.0.parameters": `{"type":"object"}`,
				"llm.headers":                        "None",
			},
			wantMD: map[string]any{"ls_provider": "openai", "ls_model_name": "gpt-4o-2024-08-06", "ls_model_type": "chat",
				"ls_max_tokens": int64(100), "ls_temperature": 0.5, "llm.headers": "None", "llm.request.type": "chat"},
			wantParams: `{"model":"gpt-4o","max_tokens":100,"temperature":0.5,
				"tools":[{"type":"function","function":{"name":"percentage_change","description":"d","parameters":{"type":"object"}}}]}`,
		},
		{
			name: "semconv stop sequences, text completion",
			attrs: map[string]any{
				"gen_ai.operation.name": "text_completion", "gen_ai.provider.name": "openai", "gen_ai.request.model": "davinci",
				"gen_ai.request.stop_sequences": []any{"\n"}, "gen_ai.request.top_p": 0.9, "gen_ai.request.seed": 7,
				"gen_ai.request.reasoning_effort": []any{}, "gen_ai.request.user": "",
				"gen_ai.request.structured_output_schema": `{"type":"object"}`,
			},
			wantMD:     map[string]any{"ls_provider": "openai", "ls_model_name": "davinci", "ls_model_type": "llm", "ls_stop": []any{"\n"}},
			wantParams: `{"model":"davinci","stop":["\n"],"top_p":0.9,"seed":7,"structured_output_schema":{"type":"object"}}`,
		},
		{
			name: "OpenInference",
			attrs: map[string]any{
				"openinference.span.kind": "LLM", "llm.system": "Anthropic", "llm.model_name": "claude-3-5-sonnet",
				"llm.invocation_parameters":         `{"max_tokens":256,"temperature":1}`,
				"llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "hi",
				"llm.tools.0.tool.json_schema": `{"type":"function","function":{"name":"f"}}`,
			},
			wantMD: map[string]any{"ls_provider": "anthropic", "ls_model_name": "claude-3-5-sonnet", "ls_model_type": "chat",
				"ls_max_tokens": json.Number("256"), "ls_temperature": json.Number("1")},
			wantParams: `{"max_tokens":256,"temperature":1,"tools":[{"type":"function","function":{"name":"f"}}]}`,
		},
		{
			name:       "embedding gets provider and model but no model type",
			attrs:      map[string]any{"gen_ai.operation.name": "embeddings", "gen_ai.provider.name": "openai", "gen_ai.request.model": "text-embedding-3-small"},
			wantMD:     map[string]any{"ls_provider": "openai", "ls_model_name": "text-embedding-3-small"},
			wantParams: `{"model":"text-embedding-3-small"}`,
		},
		{
			name:       "explicit langsmith metadata beats derived",
			attrs:      map[string]any{"gen_ai.operation.name": "chat", "gen_ai.provider.name": "azure.ai.openai", "gen_ai.request.model": "m", "langsmith.metadata.ls_provider": "azure_openai"},
			wantMD:     map[string]any{"ls_provider": "azure_openai", "ls_model_name": "m"},
			wantParams: `{"model":"m"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mapTestSpan(t, mappingSpan{name: "x.chat", attrs: tt.attrs})
			md := mappingMetadata(c)
			for k, v := range tt.wantMD {
				assert.Equal(t, v, md[k], k)
			}
			if strings.Contains(tt.name, "embedding") {
				assert.NotContains(t, md, "ls_model_type")
			}
			for k := range md {
				assert.False(t, strings.HasPrefix(k, "gen_ai.request.") || strings.HasPrefix(k, "llm.request.functions") ||
					strings.HasPrefix(k, "llm.input_messages") || k == "llm.invocation_parameters", "mapped attribute %s repeated in metadata", k)
			}
			assert.JSONEq(t, tt.wantParams, mappingJSON(t, c.Extra["invocation_params"]))
		})
	}
}

func TestMapSpanUsageCreatesOutputs(t *testing.T) {
	c := mapTestSpan(t, mappingSpan{name: "openai.chat", attrs: map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 5, "gen_ai.usage.output_tokens": 6,
	}})
	want := map[string]any{"input_tokens": int64(5), "output_tokens": int64(6), "total_tokens": int64(11)}
	assert.Equal(t, map[string]any{"usage_metadata": want}, c.Outputs)
	assert.Equal(t, want, mappingMetadata(c)["usage_metadata"])

	c = mapTestSpan(t, mappingSpan{name: "openai.chat", attrs: map[string]any{"gen_ai.operation.name": "chat"}})
	assert.Nil(t, c.Outputs)
	assert.NotContains(t, mappingMetadata(c), "usage_metadata")
}

func TestMapSpanToolRun(t *testing.T) {
	c := mapTestSpan(t, mappingSpan{
		name:  "execute_tool percentage_change",
		scope: "autogen-core",
		attrs: map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.system": "autogen", "gen_ai.tool.name": "percentage_change",
			"gen_ai.tool.description":    "Calculate the percentage change between two numbers.",
			"gen_ai.tool.call.id":        "call_Qm3tTkbL9xWvZ1pA7cR2yH5e",
			"gen_ai.tool.call.arguments": `{"start":214,"end":398}`, "gen_ai.tool.call.result": "85.98130841121495",
		},
	})
	assert.Equal(t, "tool", c.RunType)
	assert.Equal(t, "percentage_change", c.Name)
	assert.JSONEq(t, `{"start":214,"end":398}`, mappingJSON(t, c.Inputs))
	assert.JSONEq(t, `{"output":85.98130841121495}`, mappingJSON(t, c.Outputs))
	md := mappingMetadata(c)
	assert.Equal(t, "call_Qm3tTkbL9xWvZ1pA7cR2yH5e", md["gen_ai.tool.call.id"])
	assert.Equal(t, "percentage_change", md["gen_ai.tool.name"])
	assert.NotContains(t, md, "gen_ai.tool.call.arguments")
	assert.NotContains(t, md, "gen_ai.tool.call.result")
	assert.NotContains(t, md, "ls_provider")
}

func TestMapSpanTags(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want []string
	}{
		{"comma string", " a, b,,a , c ", []string{"a", "b", "c"}},
		{"array", []any{"x", " y ", "x", ""}, []string{"x", "y"}},
		{"empty", "", nil},
		{"invalid utf-8", "ok,\xff", []string{"ok", "\ufffd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mapTestSpan(t, mappingSpan{name: "s", attrs: map[string]any{"langsmith.span.tags": tt.v}})
			assert.Equal(t, tt.want, c.Tags)
			assert.NotContains(t, mappingMetadata(c), "langsmith.span.tags")
		})
	}
	assert.Nil(t, mapTestSpan(t, mappingSpan{name: "s"}).Tags)
}

func TestMapSpanErrors(t *testing.T) {
	exc := func(typ, msg, st string) mappingEvent {
		a := map[string]any{}
		for k, v := range map[string]string{"exception.type": typ, "exception.message": msg, "exception.stacktrace": st} {
			if v != "" {
				a[k] = v
			}
		}
		return mappingEvent{"exception", a}
	}
	tests := []struct {
		name string
		span mappingSpan
		want string
	}{
		{"ok span", mappingSpan{status: ptrace.StatusCodeOk}, ""},
		{"unset with error.type only is not an error", mappingSpan{attrs: map[string]any{"error.type": "x"}}, ""},
		{"exception event", mappingSpan{status: ptrace.StatusCodeError, events: []mappingEvent{exc("openai.APIConnectionError", "Connection error.", "Traceback (most recent call last):\n  ...")}},
			"openai.APIConnectionError: Connection error.\nTraceback (most recent call last):\n  ..."},
		{"exception without ERROR status still errors", mappingSpan{events: []mappingEvent{exc("ValueError", "bad", "")}}, "ValueError: bad"},
		{"several exceptions joined", mappingSpan{status: ptrace.StatusCodeError, events: []mappingEvent{exc("A", "one", ""), exc("", "two", "st")}}, "A: one\n\ntwo\nst"},
		{"the same exception recorded twice is reported once, with the longer stack", mappingSpan{status: ptrace.StatusCodeError, events: []mappingEvent{exc("E", "m", "inner"), exc("X", "y", ""), exc("E", "m", "outer\ninner")}}, "E: m\nouter\ninner\n\nX: y"},
		{"type only", mappingSpan{events: []mappingEvent{exc("TimeoutError", "", "")}}, "TimeoutError"},
		{"status message fallback", mappingSpan{status: ptrace.StatusCodeError, message: "boom", attrs: map[string]any{"error.type": "E"}}, "boom"},
		{"error.type fallback", mappingSpan{status: ptrace.StatusCodeError, attrs: map[string]any{"error.type": "RateLimitError"}}, "RateLimitError"},
		{"bare ERROR", mappingSpan{status: ptrace.StatusCodeError}, "span status is ERROR"},
		{"invalid utf-8", mappingSpan{status: ptrace.StatusCodeError, message: "b\xffd"}, "b\ufffdd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mapTestSpan(t, tt.span)
			assert.Equal(t, tt.want, c.Error)
			for _, e := range c.Events {
				assert.NotEqual(t, "exception", e["name"])
			}
		})
	}
}

func TestMapSpanEventsAndStreaming(t *testing.T) {
	c := mapTestSpan(t, mappingSpan{
		name: "openai.chat",
		attrs: map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.is_streaming": true,
			"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"hi"}],"finish_reason":"stop"}]`,
		},
		events: []mappingEvent{
			{"gen_ai.user.message", map[string]any{"content": "the prompt, carried only by this event"}},
			{"gen_ai.content.completion.chunk", nil},
			{"gen_ai.content.completion.chunk", nil},
			{"custom.step", map[string]any{"k": "v", "n": 2}},
			{"llm.content.completion.chunk", nil},
			{"exception", map[string]any{"exception.message": "late"}},
		},
	})
	want := []map[string]any{
		{"name": "new_token", "time": "2025-06-01T12:00:00.323456Z"},
		{"name": "custom.step", "time": "2025-06-01T12:00:00.523456Z", "kwargs": map[string]any{"k": "v", "n": int64(2)}},
	}
	assert.Equal(t, want, c.Events)
	assert.Equal(t, 3, mappingMetadata(c)["stream_chunks"])
	assert.JSONEq(t, `{"messages":[{"role":"user","content":"the prompt, carried only by this event"}]}`, mappingJSON(t, c.Inputs))
	assert.Equal(t, "late", c.Error)

	plain := mapTestSpan(t, mappingSpan{name: "s"})
	assert.Nil(t, plain.Events)
	assert.NotContains(t, mappingMetadata(plain), "stream_chunks")
}

func TestMapSpanTraceability(t *testing.T) {
	c := mapTestSpan(t, mappingSpan{name: "s", kind: ptrace.SpanKindClient, scope: "sc", version: "1.2", status: ptrace.StatusCodeOk})
	md := mappingMetadata(c)
	assert.Equal(t, "sc", md["otel.scope.name"])
	assert.Equal(t, "1.2", md["otel.scope.version"])
	assert.Equal(t, "client", md["otel.span_kind"])
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", md["otel.trace_id"])
	assert.Equal(t, "00f067aa0ba902b7", md["otel.span_id"])
	assert.Equal(t, "OK", md["otel.status_code"])
	assert.NotContains(t, md, "otel.parent_span_id")
	assert.Equal(t, runtimeSDK, c.Extra["runtime"])
	assert.NotContains(t, c.Extra, "invocation_params")
}

func TestMapSpanInvalidUTF8Everywhere(t *testing.T) {
	bad := "x\xc3\x28y"
	c := mapTestSpan(t, mappingSpan{
		name:     bad,
		resource: map[string]any{"service.name": bad},
		attrs: map[string]any{
			"custom" + bad:            bad,
			"langsmith.metadata.k":    bad,
			"gen_ai.operation.name":   "chat",
			"gen_ai.request.model":    bad,
			"gen_ai.input.messages":   `[{"role":"user","parts":[{"type":"text","content":"` + bad + `"}]}]`,
			"gen_ai.tool.definitions": `[` + bad,
		},
		events: []mappingEvent{{"ev" + bad, map[string]any{"a": bad}}},
	})
	b, err := json.Marshal(c)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "\xc3\x28")
	assert.Contains(t, string(b), "x\ufffd(y")
	assert.Equal(t, "x\ufffd(y", asJSON(t, c.Inputs)["messages"].([]any)[0].(map[string]any)["content"])
	assert.Equal(t, []any{"[x\ufffd(y"}, c.Extra["invocation_params"].(map[string]any)["tools"])
}

func TestMapSpanHugeValuePassesThrough(t *testing.T) {
	huge := strings.Repeat("a", 4<<20)
	c := mapTestSpan(t, mappingSpan{name: "s", attrs: map[string]any{"input.value": huge}})
	assert.Len(t, c.Inputs["input"], len(huge))
}

func TestMapSpanDeterministic(t *testing.T) {
	first := mappingJSON(t, mapTestSpan(t, autogenOpenAIChat()))
	for range 5 {
		assert.Equal(t, first, mappingJSON(t, mapTestSpan(t, autogenOpenAIChat())))
	}
}
