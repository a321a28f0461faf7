package encode

import (
	"encoding/json"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runtest"
)

// FuzzSpanToRun feeds arbitrary attribute values (bad JSON, invalid UTF-8,
// odd numbers) through placement, mapping and encoding: the exporter must
// never panic and must always produce valid JSON parts for LangSmith.
func FuzzSpanToRun(f *testing.F) {
	f.Add("chat", `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`, `[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"t","arguments":{"a":1}}]}]`, "12", int64(3), 1.5, []byte("x"))
	f.Add("execute_tool", "{", "\xff\xfe", "-1", int64(-7), 0.0, []byte{0, 1, 2})
	f.Add("invoke_agent", `{"a":[1,2,{"b":null}]}`, `"just a string"`, "1e309", int64(1<<62), -0.5, []byte(nil))
	tree, mapper := runtest.Stages()
	f.Fuzz(func(t *testing.T, op, in, out, tokens string, n int64, x float64, raw []byte) {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", in)
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName(op)
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(pcommon.TraceID{1})
		s.SetSpanID(pcommon.SpanID{2})
		s.SetParentSpanID(pcommon.SpanID{byte(n)})
		s.SetName(out)
		s.SetStartTimestamp(pcommon.Timestamp(uint64(n)))
		s.SetEndTimestamp(pcommon.Timestamp(uint64(n) / 2))
		a := s.Attributes()
		a.PutStr("gen_ai.operation.name", op)
		a.PutStr("gen_ai.input.messages", in)
		a.PutStr("gen_ai.output.messages", out)
		a.PutStr("gen_ai.prompt.0.content", in)
		a.PutStr("gen_ai.completion.0.tool_calls.0.arguments", out)
		a.PutStr("gen_ai.usage.input_tokens", tokens)
		a.PutInt("gen_ai.usage.output_tokens", n)
		a.PutDouble("gen_ai.request.temperature", x)
		a.PutEmptyBytes("raw").FromRaw(raw)
		a.PutStr("langsmith.metadata.k", in)
		a.PutStr("langsmith.span.tags", out)
		a.PutStr("gen_ai.tool.call.arguments", in)
		ev := s.Events().AppendEmpty()
		ev.SetName("exception")
		ev.Attributes().PutStr("exception.message", out)
		s.Status().SetCode(ptrace.StatusCodeError)

		tree.Annotate(td)
		for _, r := range mapper.Runs(td) {
			er, _, err := Run(r)
			if err != nil {
				t.Fatalf("run could not be encoded: %v", err)
			}
			for _, p := range er.parts {
				if !json.Valid(p.body) {
					t.Fatalf("part %s is not valid JSON: %q", p.name, p.body)
				}
			}
		}
	})
}
