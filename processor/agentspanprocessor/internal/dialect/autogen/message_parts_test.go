package autogen

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/dialecttest"
)

// FuzzMessageParts checks the in-place part reads against decoding the
// message list into maps, on every message attribute of every recording and
// odd shapes.
func FuzzMessageParts(f *testing.F) {
	for _, name := range recordings.Names() {
		for _, s := range dialecttest.AllSpans(recordings.MustLoad(f, name)) {
			for _, key := range []string{attrGenAIInputMessages, attrGenAIOutputMessages} {
				if v, ok := s.Attributes().Get(key); ok {
					f.Add(v.Str())
				}
			}
		}
	}
	for _, s := range []string{
		``, `null`, `{}`, `[null]`, `[1]`, `[{"parts":null}]`, `[{"parts":[1]}]`, `[{"parts":{"type":"text"}}]`,
		`[{"parts":[{"type":"text","content":""}]},{"parts":[{"type":"text","content":"b"},{"type":"text","content":"c"}]},{"parts":[{"type":"text","content":"d"}]}]`,
		`[{"parts":[{"type":"text","content":{"x":[1, 2]}},{"type":"text","content":null}]}]`,
		`[{"parts":[{"type":"tool_call","id":"c1","name":"f","arguments":{"a": 1}},{"type":"tool_call","id":7,"arguments":"{ \"b\" : 2 }"},{"type":"tool_call","arguments":"not json"},{"type":"tool_call","arguments":null}]}]`,
		`[{"parts":[{"type":"tool_call_response","id":"c1","response":"42"},{"type":"tool_call_response","id":"","response":"x"},{"type":"tool_call_response","id":"c2","response":{"r":[1]}},{"type":"tool_call_response","id":"c1","response":"last"}]}]`,
		`[{"parts":[{"type":"text","type":"tool_call","id":"d"}],"parts":[{"type":"text","content":"dup"}]}]`,
		"[{\"parts\":[{\"type\":\"text\",\"content\":\"bad \xff \\ud800 utf8\"}]}]",
		`[{"parts":[{"type":"text","content":"a"}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		require.Equal(t, refMessageToolCalls(s), messageToolCalls(s), "tool calls")
		got := map[string]string{}
		messageToolResponses(s, got)
		require.Equal(t, refMessageToolResponses(s), got, "tool responses")
		require.Equal(t, refMessageAnswerText(s), messageAnswerText(s), "answer text")
	})
}

// TestMessagePartsReadFields guards the fuzz target's premise: the reads do
// find calls, responses and text.
func TestMessagePartsReadFields(t *testing.T) {
	s := `[{"parts":[{"type":"text","content":"hi "},{"type":"tool_call","id":"c1","name":"f","arguments":{"a": 1}}]},` +
		`{"parts":[{"type":"tool_call_response","id":"c1","response":"42"},{"type":"text","content":"later"}]}]`
	require.Equal(t, []agToolCall{{id: "c1", name: "f", args: `{"a":1}`}}, messageToolCalls(s))
	got := map[string]string{}
	messageToolResponses(s, got)
	require.Equal(t, map[string]string{"c1": "42"}, got)
	require.Equal(t, "hi ", messageAnswerText(s))
	require.Empty(t, messageAnswerText(strings.Replace(s, "[{", "[1,{", 1)), "not a list of objects")
}
