package runmap

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/tracetest"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/jsonenc"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
)

// assertSemconvTextMatchesDecoded checks that converting semconv messages from
// their text writes the same bytes as the decoded path encoded.
func assertSemconvTextMatchesDecoded(t *testing.T, attrs pcommon.Map, what string) {
	t.Helper()
	for _, c := range []struct {
		key, systemKey string
		output         bool
	}{
		{"gen_ai.input.messages", "gen_ai.system_instructions", false},
		{"gen_ai.output.messages", "", true},
	} {
		want, err := jsonenc.Append(nil, semconvMessagesDecoded(attrs, c.key, c.systemKey, c.output))
		require.NoError(t, err)
		got, err := jsonenc.Append(nil, semconvMessages(attrs, c.key, c.systemKey, c.output))
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "%s %s", what, c.key)
		legacy, err := jsonenc.Marshal(semconvMessages(attrs, c.key, c.systemKey, c.output))
		require.NoError(t, err)
		require.Equal(t, string(want), string(legacy), "%s %s through encoding/json", what, c.key)
	}
}

func semconvAttrs(t *testing.T, input, system, output any) pcommon.Map {
	t.Helper()
	raw := map[string]any{}
	for k, v := range map[string]any{"gen_ai.input.messages": input, "gen_ai.system_instructions": system, "gen_ai.output.messages": output} {
		if v != nil {
			raw[k] = v
		}
	}
	m := pcommon.NewMap()
	require.NoError(t, m.FromRaw(raw))
	return m
}

func TestSemconvTextMatchesDecodedShapes(t *testing.T) {
	inputs := []any{
		`[]`, `  [ ]  `, `[{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]`,
		`[{"role":"system","parts":[{"content":"a\nb \u00e9 \ud83c\udf89 \ud800 <&>","type":"text"}]},{"role":"user","parts":[]}]`,
		`[{"parts":[{"type":"text","content":"one"},{"type":"text","content":"two"},{"type":"reasoning","content":"why"}]}]`,
		`[{"role":"assistant","name":"Planner","finish_reason":"stop","parts":[{"type":"tool_call","id":"c1","name":"calc","arguments":{"b":[1,2.50],"a":"x"}},{"type":"tool_call","id":"c2","name":"f","arguments":"{\"x\": 1}"},{"type":"tool_call","id":3,"name":null}]}]`,
		`[{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":{"ok":true}},{"type":"tool_call_response","id":"c2","response":"done"}]}]`,
		`[{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":"r"},{"type":"text","content":"and text"}]}]`,
		`[{"role":"assistant","finish_reason":{"z":1,"a":null},"parts":[{"type":"refusal","content":"no"}]}]`,
		`[{"role":"assistant","finish_reason":null,"name":"","parts":[{"type":"image","url":"u","z":{"y":1,"b":2}},{"type":"text","content":7}]}]`,
		`[{"role":5,"name":["x"],"parts":[{"type":5,"content":"c"},"bare",3,null,{"content":"no type"}]}]`,
		`[{"role":"user","role":"system","parts":[{"type":"text","content":"dup"}],"parts":[{"type":"text","content":"last"}]}]`,
		`[{"role":"user","content":"openai style","tool_calls":[{"id":"t","function":{"name":"f","arguments":"{}"}}]}]`,
		`["bare string", 42, null, {"role":"user","parts":{"not":"a list"}}, {"role":"user","parts":null}]`,
		`[{"role":"user","parts":[{"type":"text","content":"x"}]}`, // malformed
		`{"role":"user","parts":[{"type":"text","content":"an object"}]}`,
		`not json`, "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"bad \xff utf8\"}]}]",
		"\u00a0[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"unicode space\"}]}]\n",
		[]any{map[string]any{"role": "user", "parts": []any{map[string]any{"type": "text", "content": "a slice attribute"}}}},
	}
	systems := []any{nil, `[{"type":"text","content":"be brief"}]`, `[]`, `"a string"`, `{"o":1}`, `[ "bare" ]`}
	for i, in := range inputs {
		for j, sys := range systems {
			attrs := semconvAttrs(t, in, sys, in)
			assertSemconvTextMatchesDecoded(t, attrs, strings.Repeat("#", i)+"/"+strings.Repeat("#", j))
		}
	}
}

// Every semconv message attribute of every recording, raw and as agent_span
// rewrites it.
func TestSemconvTextMatchesDecodedOnRecordings(t *testing.T) {
	for _, name := range recordings.Names() {
		for _, td := range []ptrace.Traces{recordings.MustLoad(t, name), tracetest.Rewritten(t, name)} {
			spanwalk.Each(td, func(_ pcommon.Resource, _ pcommon.InstrumentationScope, s ptrace.Span) {
				assertSemconvTextMatchesDecoded(t, s.Attributes(), name+" "+s.Name())
			})
		}
	}
}

// Random semconv messages, as JSON text in random key order and spacing.
func TestSemconvTextMatchesDecodedRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	texts := []any{"", "plain", "q\"uote\\ \n\t\u2028 é 🎉", nil, json.Number("1.50"), true, []any{"x"}, map[string]any{"k": "v"}}
	pick := func(l []any) any { return l[rng.IntN(len(l))] }
	types := []any{"text", "reasoning", "refusal", "tool_call", "tool_call_response", "image", "", 1, nil}
	for range 2000 {
		var msgs []any
		for range rng.IntN(4) {
			var parts []any
			for range rng.IntN(4) {
				p := map[string]any{}
				for _, k := range []string{"type", "content", "id", "name", "arguments", "response", "extra"} {
					if rng.IntN(3) > 0 {
						p[k] = pick(texts)
						if k == "type" {
							p[k] = pick(types)
						}
					}
				}
				parts = append(parts, p)
			}
			m := map[string]any{"parts": parts}
			for _, k := range []string{"role", "name", "finish_reason"} {
				if rng.IntN(2) == 0 {
					m[k] = pick(texts)
				}
			}
			msgs = append(msgs, m)
		}
		b, err := json.MarshalIndent(msgs, "", strings.Repeat(" ", rng.IntN(2)))
		require.NoError(t, err)
		assertSemconvTextMatchesDecoded(t, semconvAttrs(t, string(b), nil, string(b)), string(b))
	}
}
