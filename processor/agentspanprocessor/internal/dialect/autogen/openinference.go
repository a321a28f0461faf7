package autogen

import (
	"encoding/json"
	"maps"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/indexedattr"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// The same AutoGen program instrumented with OpenInference
// (openinference-instrumentation-autogen-agentchat and -openai) instead of
// OpenLLMetry. AutoGen's own spans are unchanged; OpenInference adds spans
// that repeat what the dialect already rebuilds:
//
//	<Team>.run_stream               CHAIN  the team run (its TaskResult has the stop reason)
//	<Agent>.on_messages_stream      AGENT  inside invoke_agent: the turn again
//	<Client>.create                 LLM    wrapping the openai instrumentor's ChatCompletion
//	ChatCompletion                  LLM    the model call, with full usage
//	<Agent>.<tool>                  TOOL   wrapping execute_tool
//
// Kept are AutoGen's turns and tools and one LLM span per model call (the
// innermost), moved to where the wrapper was; the repeats are folded after
// lending their content (tool arguments/result, the team's stop reason). The
// kept LLM spans are rewritten from OpenInference's llm.* attributes into the
// gen_ai.* ones OpenLLMetry uses, so the output speaks one vocabulary.

const (
	attrOIKind        = "openinference.span.kind"
	oiScopePrefix     = "openinference.instrumentation"
	attrOIInputValue  = "input.value"
	attrOIOutputValue = "output.value"
)

func isOpenInference(n *dialect.Node) bool {
	return strings.HasPrefix(n.Scope.Scope().Name(), oiScopePrefix) && n.HasAttr(attrOIKind)
}

// foldOpenInference folds OpenInference's repeats of AutoGen's spans and
// normalises its LLM spans; it returns how many spans it folded.
func (r *autogenRewrite) foldOpenInference() int {
	folded := 0
	drop := func(n *dialect.Node) {
		if r.opts.KeepPlumbing {
			return
		}
		for _, c := range append([]*dialect.Node(nil), n.Children...) {
			r.tree.SetParent(c, n.Parent, n.Span.ParentSpanID())
		}
		r.infoOf(n).role = roleOther
		r.tree.Remove(n)
		folded++
	}
	for _, n := range append([]*dialect.Node(nil), r.tree.Nodes...) {
		if n.Removed || !isOpenInference(n) {
			continue
		}
		switch n.Attr(attrOIKind) {
		case "LLM":
			if hasChildKind(n, "LLM") { // a client wrapper around the HTTP-level call
				drop(n)
			}
		case "AGENT":
			if p := n.Parent; p != nil && r.infoOf(p).role == roleTurn {
				drop(n)
			}
		case "TOOL":
			if tool := childWithRole(r, n, roleTool); tool != nil {
				lendToolContent(n, tool)
				drop(n)
			}
		case "CHAIN":
			if n.HasAttr("team_id") {
				r.oiTeamResults = append(r.oiTeamResults, oiTeamResult(n))
				drop(n)
			}
		}
	}
	for _, n := range r.tree.Live() {
		if isOpenInference(n) && n.Attr(attrOIKind) == "LLM" {
			normalizeOpenInferenceLLM(n)
			r.infoOf(n).role = roleLLM
		}
	}
	return folded
}

func hasChildKind(n *dialect.Node, kind string) bool {
	for _, c := range n.Children {
		if c.Attr(attrOIKind) == kind {
			return true
		}
	}
	return false
}

func childWithRole(r *autogenRewrite, n *dialect.Node, role agRole) *dialect.Node {
	for _, c := range n.Children {
		if r.infoOf(c).role == role {
			return c
		}
	}
	return nil
}

// lendToolContent gives execute_tool the arguments and result OpenInference
// recorded on its wrapper.
func lendToolContent(from, to *dialect.Node) {
	attrs := to.Span.Attributes()
	if v := from.Attr(attrOIInputValue); v != "" && !to.HasAttr(attrGenAIToolCallArgs) {
		attrs.PutStr(attrGenAIToolCallArgs, compactJSONString(v))
	}
	if v, ok := from.Span.Attributes().Get(attrOIOutputValue); ok && !to.HasAttr(attrGenAIToolCallResult) {
		attrs.PutStr(attrGenAIToolCallResult, v.AsString())
	}
}

// oiTeam is what a <Team>.run_stream span says about its run.
type oiTeam struct {
	node       *dialect.Node
	teamID     string
	stopReason string
}

func oiTeamResult(n *dialect.Node) oiTeam {
	t := oiTeam{node: n, teamID: strings.ToLower(n.Attr("team_id"))}
	var out map[string]json.RawMessage
	if v := n.Attr(attrOIOutputValue); len(v) <= maxPayloadBytes && json.Unmarshal([]byte(v), &out) == nil {
		t.stopReason = rawString(out["stop_reason"])
	}
	return t
}

// applyOpenInferenceTeams gives each team run the stop reason of the
// run_stream span that wrapped it (the run that started inside it).
func (r *autogenRewrite) applyOpenInferenceTeams() {
	for _, ot := range r.oiTeamResults {
		if ot.stopReason == "" || ot.teamID == "" {
			continue
		}
		base := r.teamKey(ot.node.Span.TraceID(), ot.teamID)
		key := base
		for i, at := range r.runStarts[base] {
			if at >= ot.node.Span.StartTimestamp() && at <= ot.node.Span.EndTimestamp() {
				key = runKeyAt(base, i)
				break
			}
		}
		if t, ok := r.teams[key]; ok && t.termination == "" {
			t.termination = ot.stopReason
			t.terminated = true
		}
	}
}

// normalizeOpenInferenceLLM rewrites OpenInference's llm.* attributes of a
// model call into gen_ai.* and drops the originals.
func normalizeOpenInferenceLLM(n *dialect.Node) {
	attrs := n.Span.Attributes()
	if in := oiMessages(n, "llm.input_messages."); len(in) > 0 {
		putMessages(attrs, attrGenAIInputMessages, in)
	}
	if out := oiMessages(n, "llm.output_messages."); len(out) > 0 {
		if fr := n.Attr("llm.finish_reason"); fr != "" {
			out[len(out)-1]["finish_reason"] = fr
		}
		putMessages(attrs, attrGenAIOutputMessages, out)
	}
	// A slice, not a map: attributes are written in the same order every time.
	for _, k := range [...]struct{ from, to string }{
		{"llm.token_count.prompt", "gen_ai.usage.input_tokens"},
		{"llm.token_count.completion", "gen_ai.usage.output_tokens"},
		{"llm.token_count.total", "gen_ai.usage.total_tokens"},
		{"llm.token_count.prompt_details.cache_read", "gen_ai.usage.cache_read.input_tokens"},
		{"llm.token_count.completion_details.reasoning", "gen_ai.usage.reasoning_tokens"},
	} {
		if v, ok := attrs.Get(k.from); ok {
			v.CopyTo(attrs.PutEmpty(k.to))
		}
	}
	if m := n.Attr("llm.model_name"); m != "" {
		attrs.PutStr("gen_ai.response.model", m)
	}
	var params map[string]any
	if json.Unmarshal([]byte(n.Attr("llm.invocation_parameters")), &params) == nil {
		if m, ok := params["model"].(string); ok && m != "" {
			attrs.PutStr("gen_ai.request.model", m)
		}
	}
	if p := n.Attr("llm.system"); p != "" {
		attrs.PutStr(attrGenAIProvider, strings.ToLower(p))
	} else if p := n.Attr("llm.provider"); p != "" {
		attrs.PutStr(attrGenAIProvider, strings.ToLower(p))
	}
	attrs.PutStr(attrGenAIOperation, "chat")
	if p := n.Attr(attrGenAIProvider); p != "" {
		n.Span.SetName(p + ".chat") // as OpenLLMetry names it: exporters show the model instead
	}
	attrs.RemoveIf(func(k string, _ pcommon.Value) bool {
		return strings.HasPrefix(k, "llm.") || k == attrOIInputValue || k == attrOIOutputValue ||
			k == "input.mime_type" || k == "output.mime_type" || k == attrOIKind
	})
}

// oiMessages converts llm.input_messages.<i>.message.* to semconv messages.
func oiMessages(n *dialect.Node, prefix string) []map[string]any {
	var out []map[string]any
	for _, g := range legacyIndexed(n.Span.Attributes(), prefix) {
		role := g["message.role"]
		var parts []map[string]any
		if c := g["message.content"]; c != "" {
			parts = append(parts, map[string]any{"type": "text", "content": c})
		}
		for _, tc := range indexedattr.Group(maps.All(g), "message.tool_calls.") {
			var args any = tc["tool_call.function.arguments"]
			var decoded any
			if json.Unmarshal([]byte(tc["tool_call.function.arguments"]), &decoded) == nil {
				args = decoded
			}
			parts = append(parts, map[string]any{"type": "tool_call", "id": tc["tool_call.id"],
				"name": tc["tool_call.function.name"], "arguments": args})
		}
		if id := g["message.tool_call_id"]; id != "" {
			parts = []map[string]any{{"type": "tool_call_response", "id": id, "response": g["message.content"]}}
		}
		if parts == nil {
			parts = []map[string]any{}
		}
		out = append(out, map[string]any{"role": role, "parts": parts})
	}
	return out
}
