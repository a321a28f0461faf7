package autogen

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/dialecttest"
)

// oddPayloads are shapes the recordings do not have: nulls, wrong types,
// duplicate keys, escapes, invalid UTF-8, content-less messages.
var oddPayloads = []string{
	`{}`,
	`{"message":null,"messages":null,"result":null,"response":null,"name":null}`,
	`{"message":{"type":"StopMessage","content":"done","source":"MaxMessageTermination"}}`,
	`{"message":{"type":"StopMessage","type":"TextMessage","content":"x"}}`,
	`{"message":{"type":"StopMessage"},"message":"text"}`,
	`{"message":{"type":"StopMessage","content":{"a": [1, 2]},"source":7}}`,
	`{"message":{"type":"Stop\u004dessage","content":"\ud83d\ude00 \u00e9"}}`,
	`{"messages":[{"content":"task","source":"user"},null,{"content":""},{"content":null},{"content":[{"x":1}]},{"source":"a"}]}`,
	`{"messages":[{"content":"task"},"not an object"]}`,
	`{"messages":[{"content":"a"}],"messages":[{"content":"b"}]}`,
	`{"messages":{"content":"a"}}`,
	`{"messages":[{"content":"bad \xff utf8","source":"A"}]}`,
	`{"response":{"chat_message":{"content":"hi","source":"A"}},"name":"A"}`,
	`{"response":{"chat_message":null},"name":"A"}`,
	`{"response":{"chat_message":"str"},"name":"A"}`,
	`{"response":{"chat_message":{"content":5}},"name":"A"}`,
	`{"response":{"chat_message":{"content":null}},"name":{"n":1}}`,
	`{"response":{},"name":"A"}`,
	`{"response":null,"agent_response":{"chat_message":{"content":"x"}},"agent_name":"B"}`,
	`{"agent_response":{"chat_message":{"content":"old"}},"agent_name":"B"}`,
	`{"agent_response":"x","agent_name":"B"}`,
	`{"result":{"messages":[{"content":"r","source":"S"}],"stop_reason":"max"},"name":"inner"}`,
	`{"result":null,"name":"inner"}`,
	`{"result":[1],"response":{"chat_message":{"content":"y"}},"name":"A"}`,
	`{"result":{"messages":null,"stop_reason":{"r":1}}}`,
	`{"content":[{"id":"c1","name":"t","arguments":"{ \"a\" : 1 }"},{"call_id":"c1","content":"42"}]}`,
	`{"content":[{"id":"c2","name":"t","arguments":"not json"},{"call_id":"c2","content":7}]}`,
	`{"x":{"id":"c3","name":"t","arguments":"","y":{"id":"c3","name":"u","arguments":"{}"}}}`,
	`{"a":{"id":"c4","name":"t","arguments":"{}"},"a":{"call_id":"c4","content":"r"}}`,
	`{"id":"c5","name":"t","arguments":"{}","id":5}`,
	"{\"messages\" : [ {\"content\" : \"spaced\" , \"source\" : \"user\" } ] , \"name\" : \"n\" }\n",
	`{"messages":[{"content":"a"}`,
}

// FuzzPayloadReader checks the in-place payload reads against decoding into
// maps with encoding/json, the way the rules read payloads before.
func FuzzPayloadReader(f *testing.F) {
	for _, name := range recordings.Names() {
		for _, s := range dialecttest.AllSpans(recordings.MustLoad(f, name)) {
			if v, ok := s.Attributes().Get(attrRuntimeMessage); ok && strings.HasPrefix(v.Str(), "{") {
				f.Add(v.Str())
			}
		}
	}
	for _, p := range oddPayloads {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if !strings.HasPrefix(raw, "{") { // parsePayloads reads objects only
			return
		}
		var top map[string]json.RawMessage
		refOK := json.Unmarshal([]byte(raw), &top) == nil
		p, ok := readPayload(raw)
		require.Equal(t, refOK, ok, "validity")
		if !ok {
			return
		}
		reason, stop := refTerminationReason(top)
		require.Equal(t, stop, p.isStop, "stop message")
		if stop {
			require.Equal(t, reason, p.stopReason)
		}
		require.Equal(t, refStopSource(top), p.stopSource, "stop source")
		require.Equal(t, refTaskTexts(top), p.taskTexts(), "task")
		agent, text, respOK := refAgentResponse(top)
		gotAgent, gotText, gotOK := p.agentResponse()
		require.Equal(t, []any{agent, text, respOK}, []any{gotAgent, gotText, gotOK}, "agent response")
		name, msgs, stopReason, trOK := refTeamResponse(top)
		gotName, gotMsgs, gotStop, gotTrOK := p.teamResponse()
		require.Equal(t, []any{name, msgs, stopReason, trOK}, []any{gotName, gotMsgs, gotStop, gotTrOK}, "team response")
		require.Equal(t, refDelivered(top), p.delivered(), "delivered")

		want := refToolEvents(raw)
		got := &agPayloads{toolArgs: map[string]string{}, toolNames: map[string]string{}, toolResults: map[string]string{}}
		got.collectToolEvents(raw, 0)
		if want.ambiguous {
			// The reference visits map members in random order: with one id
			// in several objects, any of them may win. Which ids are found
			// does not depend on it.
			require.ElementsMatch(t, keysOf(want.toolArgs), keysOf(got.toolArgs), "tool calls")
			require.ElementsMatch(t, keysOf(want.toolResults), keysOf(got.toolResults), "tool results")
			return
		}
		require.Equal(t, want.toolArgs, got.toolArgs, "tool arguments")
		require.Equal(t, want.toolNames, got.toolNames, "tool names")
		require.Equal(t, want.toolResults, got.toolResults, "tool results")
	})
}

func keysOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestPayloadReaderSeesToolEvents guards the fuzz target's premise: the
// odd payloads do exercise the tool walk and the stop/response reads.
func TestPayloadReaderSeesToolEvents(t *testing.T) {
	got := &agPayloads{toolArgs: map[string]string{}, toolNames: map[string]string{}, toolResults: map[string]string{}}
	got.collectToolEvents(`{"content":[{"id":"c1","name":"t","arguments":"{ \"a\" : 1 }"},{"call_id":"c1","content":"42"}]}`, 0)
	require.Equal(t, map[string]string{"c1": `{"a":1}`}, got.toolArgs)
	require.Equal(t, map[string]string{"c1": "42"}, got.toolResults)

	// A shadowed duplicate is not walked (decoded into a map, it is gone).
	got = &agPayloads{toolArgs: map[string]string{}, toolNames: map[string]string{}, toolResults: map[string]string{}}
	got.collectToolEvents(`{"a":{"id":"c4","name":"t","arguments":"{}"},"a":{"call_id":"c4","content":"r"}}`, 0)
	require.Empty(t, got.toolArgs)
	require.Equal(t, map[string]string{"c4": "r"}, got.toolResults)

	p, ok := readPayload(`{"message":{"type":"StopMessage","content":"done","source":"MaxMessageTermination"}}`)
	require.True(t, ok)
	require.Equal(t, []string{"done", "MaxMessageTermination"}, []string{p.stopReason, p.stopSource})
}
