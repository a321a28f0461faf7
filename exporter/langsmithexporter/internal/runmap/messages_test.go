package runmap

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// mappingEvent is a span event for table tests.
type mappingEvent struct {
	name  string
	attrs map[string]any
}

func messagesOf(t *testing.T, runType string, attrs map[string]any, events ...mappingEvent) messageContent {
	t.Helper()
	span := ptrace.NewSpan()
	require.NoError(t, span.Attributes().FromRaw(attrs))
	for i, e := range events {
		ev := span.Events().AppendEmpty()
		ev.SetName(e.name)
		ev.SetTimestamp(pcommon.Timestamp(1_700_000_000_000_000_000 + int64(i)*1000))
		require.NoError(t, ev.Attributes().FromRaw(e.attrs))
	}
	return mapMessages(runType, span.Attributes(), span.Events(), keySet{})
}

func TestMapMessagesDialects(t *testing.T) {
	tests := []struct {
		name        string
		runType     string
		attrs       map[string]any
		events      []mappingEvent
		wantIn      string
		wantOut     string
		wantUsedEvs []int
	}{
		{
			name:    "semconv 0.62: text, tool calls, tool responses, system instructions",
			runType: "llm",
			attrs: map[string]any{
				"gen_ai.system_instructions": `[{"type":"text","content":"Be brief."}]`,
				"gen_ai.input.messages": `[
					{"role":"system","parts":[{"type":"text","content":"You are a planner."}]},
					{"role":"user","parts":[{"type":"text","content":"Compute it"}],"name":"user"},
					{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"percentage_change","arguments":{"start":214,"end":398}}]},
					{"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":"85.98"},{"type":"tool_call_response","id":"call_2","response":{"ok":true}}]}]`,
				"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"reasoning","content":"think"},{"type":"text","content":"It rose 86%."}],"finish_reason":"stop"}]`,
			},
			wantIn: `{"messages":[
				{"role":"system","content":"Be brief."},
				{"role":"system","content":"You are a planner."},
				{"role":"user","content":"Compute it","name":"user"},
				{"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function","function":{"name":"percentage_change","arguments":"{\"end\":398,\"start\":214}"}}]},
				{"role":"tool","content":"85.98","tool_call_id":"call_1"},
				{"role":"tool","content":"{\"ok\":true}","tool_call_id":"call_2"}]}`,
			wantOut: `{"messages":[{"role":"assistant","finish_reason":"stop",
				"content":[{"type":"reasoning","reasoning":"think"},{"type":"text","text":"It rose 86%."}]}]}`,
		},
		{
			name:    "semconv output: tool call and refusal",
			runType: "llm",
			attrs: map[string]any{
				"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"tool_call","name":"percentage_change","id":"call_Q","arguments":{"start":214,"end":398}}],"finish_reason":"tool_call"},
					{"role":"assistant","parts":[{"type":"refusal","content":"no"}],"finish_reason":"stop"}]`,
			},
			wantOut: `{"messages":[
				{"role":"assistant","content":"","finish_reason":"tool_call","tool_calls":[{"id":"call_Q","type":"function","function":{"name":"percentage_change","arguments":"{\"end\":398,\"start\":214}"}}]},
				{"role":"assistant","content":"","refusal":"no","finish_reason":"stop"}]}`,
		},
		{
			name:    "openllmetry <=0.54 indexed prompt and completion with tool calls",
			runType: "llm",
			attrs: map[string]any{
				"gen_ai.prompt.0.role": "system", "gen_ai.prompt.0.content": "You are a planner.",
				"gen_ai.prompt.1.role": "user", "gen_ai.prompt.1.content": "Compute it",
				"gen_ai.prompt.2.role":            "assistant",
				"gen_ai.prompt.2.tool_calls.0.id": "call_1", "gen_ai.prompt.2.tool_calls.0.name": "percentage_change",
				"gen_ai.prompt.2.tool_calls.0.arguments": `{"start": 214, "end": 398}`,
				"gen_ai.prompt.3.role":                   "tool", "gen_ai.prompt.3.content": "85.98", "gen_ai.prompt.3.tool_call_id": "call_1",
				// Index 10 sorts after 3 numerically, not lexically.
				"gen_ai.prompt.10.role": "user", "gen_ai.prompt.10.content": "and then?",
				"gen_ai.prompt.prompt_filter_results": `[]`,
				"gen_ai.completion.0.finish_reason":   "tool_calls", "gen_ai.completion.0.role": "assistant",
				"gen_ai.completion.0.tool_calls.0.id": "call_2", "gen_ai.completion.0.tool_calls.0.name": "lookup",
				"gen_ai.completion.0.tool_calls.0.arguments": `{"q":"x"}`,
				"gen_ai.completion.0.tool_calls.1.id":        "call_3", "gen_ai.completion.0.tool_calls.1.name": "noargs",
			},
			wantIn: `{"messages":[
				{"role":"system","content":"You are a planner."},
				{"role":"user","content":"Compute it"},
				{"role":"assistant","content":"","tool_calls":[{"id":"call_1","type":"function","function":{"name":"percentage_change","arguments":"{\"start\": 214, \"end\": 398}"}}]},
				{"role":"tool","content":"85.98","tool_call_id":"call_1"},
				{"role":"user","content":"and then?"}]}`,
			wantOut: `{"messages":[{"role":"assistant","content":"","finish_reason":"tool_calls","tool_calls":[
				{"id":"call_2","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"x\"}"}},
				{"id":"call_3","type":"function","function":{"name":"noargs","arguments":"{}"}}]}]}`,
		},
		{
			name:    "indexed .message.role/.message.content, refusal, legacy function_call, multimodal content",
			runType: "llm",
			attrs: map[string]any{
				"gen_ai.prompt.0.message.role": "user", "gen_ai.prompt.0.message.content": `[{"type":"text","text":"what is this"},{"type":"image_url","image_url":{"url":"https://x/y.png"}}]`,
				"gen_ai.prompt.1.role": "user", "gen_ai.prompt.1.content": `[1, 2]`,
				"gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.refusal": "I can't", "gen_ai.completion.0.finish_reason": "stop",
				"gen_ai.completion.1.message.role": "assistant", "gen_ai.completion.1.function_call.name": "f", "gen_ai.completion.1.function_call.arguments": `{}`,
			},
			wantIn: `{"messages":[
				{"role":"user","content":[{"type":"text","text":"what is this"},{"type":"image_url","image_url":{"url":"https://x/y.png"}}]},
				{"role":"user","content":"[1, 2]"}]}`,
			wantOut: `{"messages":[
				{"role":"assistant","content":"","refusal":"I can't","finish_reason":"stop"},
				{"role":"assistant","content":"","tool_calls":[{"id":"","type":"function","function":{"name":"f","arguments":"{}"}}]}]}`,
		},
		{
			name:    "JSON-string gen_ai.prompt / gen_ai.completion",
			runType: "llm",
			attrs: map[string]any{
				"gen_ai.prompt":     `{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":null,"tool_calls":[{"id":"c","name":"t","args":{"a":1}}]}]}`,
				"gen_ai.completion": `[{"role":"assistant","content":"hello"}]`,
			},
			wantIn: `{"messages":[{"role":"user","content":"hi"},
				{"role":"assistant","content":"","tool_calls":[{"id":"c","type":"function","function":{"name":"t","arguments":"{\"a\":1}"}}]}]}`,
			wantOut: `{"messages":[{"role":"assistant","content":"hello"}]}`,
		},
		{
			name:    "JSON-string gen_ai.completion as OpenAI choices object is kept",
			runType: "llm",
			attrs: map[string]any{
				"gen_ai.completion": `{"choices":[{"message":{"role":"assistant","content":"x"}}]}`,
			},
			wantOut: `{"choices":[{"message":{"role":"assistant","content":"x"}}]}`,
		},
		{
			name:    "message and choice events",
			runType: "llm",
			events: []mappingEvent{
				{"gen_ai.system.message", map[string]any{"content": "sys"}},
				{"gen_ai.user.message", map[string]any{"content": "hi"}},
				{"unrelated", map[string]any{"k": "v"}},
				{"gen_ai.assistant.message", map[string]any{"tool_calls": []any{map[string]any{"id": "c1", "type": "function", "function": map[string]any{"name": "t", "arguments": `{"a":1}`}}}}},
				{"gen_ai.tool.message", map[string]any{"content": "42", "id": "c1"}},
				{"gen_ai.choice", map[string]any{"index": 0, "finish_reason": "stop", "message.role": "assistant", "message.content": "done"}},
			},
			wantIn: `{"messages":[{"role":"system","content":"sys"},{"role":"user","content":"hi"},
				{"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function","function":{"name":"t","arguments":"{\"a\":1}"}}]},
				{"role":"tool","content":"42","tool_call_id":"c1"}]}`,
			wantOut:     `{"messages":[{"role":"assistant","content":"done","finish_reason":"stop"}]}`,
			wantUsedEvs: []int{0, 1, 3, 4, 5},
		},
		{
			name:    "choice event with JSON message and flattened tool calls; gen_ai.event.content message",
			runType: "llm",
			events: []mappingEvent{
				{"gen_ai.user.message", map[string]any{"gen_ai.event.content": `{"content":"full"}`}},
				{"gen_ai.choice", map[string]any{"message": `{"role":"assistant","content":"a"}`, "finish_reason": "stop"}},
				{"gen_ai.choice", map[string]any{"tool_calls.0.id": "c9", "tool_calls.0.function.name": "f", "tool_calls.0.function.arguments": "{}"}},
			},
			wantIn: `{"messages":[{"role":"user","content":"full"}]}`,
			wantOut: `{"messages":[{"role":"assistant","content":"a","finish_reason":"stop"},
				{"role":"assistant","content":"","tool_calls":[{"id":"c9","type":"function","function":{"name":"f","arguments":"{}"}}]}]}`,
			wantUsedEvs: []int{0, 1, 2},
		},
		{
			name:    "gen_ai.content.prompt / completion events",
			runType: "llm",
			events: []mappingEvent{
				{"gen_ai.content.prompt", map[string]any{"gen_ai.prompt": `[{"role":"user","content":"q"}]`}},
				{"gen_ai.content.completion", map[string]any{"gen_ai.completion": `[{"role":"assistant","content":"a"}]`}},
			},
			wantIn:      `{"messages":[{"role":"user","content":"q"}]}`,
			wantOut:     `{"messages":[{"role":"assistant","content":"a"}]}`,
			wantUsedEvs: []int{0, 1},
		},
		{
			name:    "empty gen_ai.content.prompt event is not a prompt",
			runType: "llm",
			events:  []mappingEvent{{"gen_ai.content.prompt", map[string]any{"gen_ai.prompt": nil}}},
		},
		{
			name:    "attributes win over events; unused events stay events",
			runType: "llm",
			attrs:   map[string]any{"gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "attr"},
			events:  []mappingEvent{{"gen_ai.user.message", map[string]any{"content": "event"}}},
			wantIn:  `{"messages":[{"role":"user","content":"attr"}]}`,
		},
		{
			name:    "OpenInference messages with tool calls",
			runType: "llm",
			attrs: map[string]any{
				"llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "hi",
				"llm.input_messages.1.message.role": "tool", "llm.input_messages.1.message.content": "3", "llm.input_messages.1.message.tool_call_id": "c1",
				"llm.input_messages.2.message.role":                            "user",
				"llm.input_messages.2.message.contents.0.message_content.type": "text", "llm.input_messages.2.message.contents.0.message_content.text": "look",
				"llm.input_messages.2.message.contents.1.message_content.type": "image", "llm.input_messages.2.message.contents.1.message_content.image.image.url": "https://i",
				"llm.output_messages.0.message.role":                                      "assistant",
				"llm.output_messages.0.message.tool_calls.0.tool_call.id":                 "c2",
				"llm.output_messages.0.message.tool_calls.0.tool_call.function.name":      "f",
				"llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": `{"x":1}`,
				"input.value": `{"ignored": true}`,
			},
			wantIn: `{"messages":[{"role":"user","content":"hi"},{"role":"tool","content":"3","tool_call_id":"c1"},
				{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"https://i"}}]}]}`,
			wantOut: `{"messages":[{"role":"assistant","content":"","tool_calls":[{"id":"c2","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}}]}]}`,
		},
		{
			name:    "OpenInference input.value / output.value",
			runType: "chain",
			attrs:   map[string]any{"input.value": `{"question":"q"}`, "input.mime_type": "application/json", "output.value": "plain answer"},
			wantIn:  `{"question":"q"}`,
			wantOut: `{"output":"plain answer"}`,
		},
		{
			name:    "Traceloop entity input/output",
			runType: "chain",
			attrs: map[string]any{
				"traceloop.entity.input":  `{"inputs":{"topic":"cats"},"tags":[],"metadata":{},"kwargs":{}}`,
				"traceloop.entity.output": `"a string"`,
			},
			wantIn:  `{"inputs":{"topic":"cats"},"tags":[],"metadata":{},"kwargs":{}}`,
			wantOut: `{"output":"\"a string\""}`,
		},
		{
			name:    "Traceloop entity array input is wrapped",
			runType: "chain",
			attrs:   map[string]any{"traceloop.entity.input": `[1,2]`},
			wantIn:  `{"input":[1,2]}`,
		},
		{
			name:    "semconv tool call arguments and result",
			runType: "tool",
			attrs: map[string]any{
				"gen_ai.tool.name": "percentage_change", "gen_ai.tool.call.arguments": `{"start":214,"end":398}`,
				"gen_ai.tool.call.result": `85.98`, "input.value": `{"not":"this"}`,
			},
			wantIn:  `{"start":214,"end":398}`,
			wantOut: `{"output":85.98}`,
		},
		{
			name:    "AutoGen base_tool tool_args; raw result text",
			runType: "tool",
			attrs:   map[string]any{"tool_name": "percentage_change", "tool_args": `{"start": 214, "end": 398}`, "gen_ai.tool.call.result": "not json"},
			wantIn:  `{"start":214,"end":398}`,
			wantOut: `{"output":"not json"}`,
		},
		{
			name:    "OpenInference tool_arguments, non-object",
			runType: "tool",
			attrs:   map[string]any{"tool_arguments": `"just text"`, "output.value": "r"},
			wantIn:  `{"input":"just text"}`,
			wantOut: `{"output":"r"}`,
		},
		{
			name:    "agent chain spans with semconv messages",
			runType: "chain",
			attrs: map[string]any{
				"gen_ai.input.messages":  `[{"role":"user","parts":[{"type":"text","content":"plan"}]}]`,
				"gen_ai.output.messages": `[{"role":"assistant","parts":[{"type":"text","content":"ok"}],"finish_reason":"stop"}]`,
			},
			wantIn:  `{"messages":[{"role":"user","content":"plan"}]}`,
			wantOut: `{"messages":[{"role":"assistant","content":"ok","finish_reason":"stop"}]}`,
		},
		{
			name:    "OpenInference retriever documents",
			runType: "retriever",
			attrs: map[string]any{
				"input.value":                            "query",
				"retrieval.documents.0.document.content": "doc a", "retrieval.documents.0.document.metadata": `{"src":"a"}`,
				"retrieval.documents.1.document.content": "doc b", "retrieval.documents.1.document.score": 0.5,
			},
			wantIn: `{"input":"query"}`,
			wantOut: `{"documents":[{"page_content":"doc a","type":"Document","metadata":{"src":"a"}},
				{"page_content":"doc b","type":"Document","metadata":{"score":0.5}}]}`,
		},
		{
			name:    "malformed JSON is kept as raw text",
			runType: "llm",
			attrs: map[string]any{
				"gen_ai.input.messages":  `[{"role":"user","parts":[`,
				"gen_ai.output.messages": `{"broken`,
			},
			wantIn:  `{"input":"[{\"role\":\"user\",\"parts\":["}`,
			wantOut: `{"output":"{\"broken"}`,
		},
		{
			name:    "malformed tool arguments are kept",
			runType: "tool",
			attrs:   map[string]any{"gen_ai.tool.call.arguments": `{"a":`},
			wantIn:  `{"input":"{\"a\":"}`,
		},
		{
			name:    "odd shapes do not panic",
			runType: "llm",
			attrs: map[string]any{
				"gen_ai.input.messages":  `[42, "text", {"role":"user","parts":[7, {"type":"image","uri":"u"}]}, {"parts":"no"}]`,
				"gen_ai.output.messages": `{"role":"assistant","parts":[{"type":"text","content":{"x":1}}]}`,
			},
			wantIn: `{"messages":[{"role":"user","content":"42"},{"role":"user","content":"text"},
				{"role":"user","content":[{"type":"text","text":"7"},{"type":"image","uri":"u"}]},{"role":"user","content":"","parts":"no"}]}`,
			wantOut: `{"messages":[{"role":"assistant","content":"{\"x\":1}"}]}`,
		},
		{
			name:    "no content at all",
			runType: "chain",
			attrs:   map[string]any{"gen_ai.agent.name": "A"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := messagesOf(t, tt.runType, tt.attrs, tt.events...)
			assertMappingJSON(t, tt.wantIn, got.inputs, "inputs")
			assertMappingJSON(t, tt.wantOut, got.outputs, "outputs")
			var used []int
			for i := range len(tt.events) {
				if got.usedEvents[i] {
					used = append(used, i)
				}
			}
			assert.Equal(t, tt.wantUsedEvs, used, "used events")
		})
	}
}

func assertMappingJSON(t *testing.T, want string, got map[string]any, what string) {
	t.Helper()
	if want == "" {
		assert.Nil(t, got, what)
		return
	}
	assert.JSONEq(t, want, mappingJSON(t, got), what)
}

func TestMapMessagesInvalidUTF8(t *testing.T) {
	bad := "caf\xe9 \xff"
	got := messagesOf(t, "llm", map[string]any{
		"gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": bad,
		"gen_ai.completion": "[{\"role\":\"assistant\",\"content\":\"ok \xfe\"}]",
	})
	assert.JSONEq(t, `{"messages":[{"role":"user","content":"caf\ufffd \ufffd"}]}`, mappingJSON(t, got.inputs))
	assert.JSONEq(t, `{"messages":[{"role":"assistant","content":"ok \ufffd"}]}`, mappingJSON(t, got.outputs))
}

func TestToolArgumentsMarkUsed(t *testing.T) {
	span := ptrace.NewSpan()
	require.NoError(t, span.Attributes().FromRaw(map[string]any{"tool_args": `{"a":1}`, "gen_ai.tool.call.result": "r"}))
	used := keySet{}
	mapMessages("tool", span.Attributes(), span.Events(), used)
	assert.Equal(t, keySet{"tool_args": true, "gen_ai.tool.call.result": true}, used)

	// On a chain span that has its own inputs, tool arguments are not used
	// and stay available for metadata.
	require.NoError(t, span.Attributes().FromRaw(map[string]any{"tool_args": `{"a":1}`, "input.value": "x"}))
	used = keySet{}
	got := mapMessages("chain", span.Attributes(), span.Events(), used)
	assert.Empty(t, used)
	assert.Equal(t, map[string]any{"input": "x"}, got.inputs)
}
