package autogen

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// joinTools names tool spans and gives them the arguments and result that
// AutoGen leaves elsewhere: the arguments in the tool_call part of the LLM
// call that asked for the tool (matched by call id), the result in the next
// LLM call's tool message or in the runtime's ToolCallExecutionEvent payload.
func (r *autogenRewrite) joinTools() {
	for _, n := range r.tree.Nodes {
		if r.infoOf(n).role != roleTool {
			continue
		}
		attrs := n.Span.Attributes()
		legacy := n.Scope.Scope().Name() == "base_tool"
		name := n.Attr(attrGenAIToolName)
		if name == "" {
			name = n.Attr("tool_name")
		}
		if name == "" {
			name = strings.TrimSpace(strings.TrimPrefix(n.Name(), "execute_tool"))
		}
		if name != "" {
			attrs.PutStr(attrGenAIToolName, name)
			n.Span.SetName(name)
		}
		if d := n.Attr("tool_description"); d != "" && !n.HasAttr(attrGenAIToolDesc) {
			attrs.PutStr(attrGenAIToolDesc, d)
		}
		attrs.PutStr(attrGenAIOperation, "execute_tool")
		attrs.PutStr(attrLangsmithSpanKind, "tool")
		if legacy || !n.HasAttr("gen_ai.tool.type") {
			attrs.PutStr("gen_ai.tool.type", "function")
		}

		callID := n.Attr(attrGenAIToolCallID)
		args := ""
		if legacy {
			args = compactJSONString(n.Attr("tool_args"))
		}
		if req := r.requestingCall(n, callID, name, args); req != nil {
			if callID == "" {
				callID = req.id
			}
			if args == "" {
				args = req.args
			}
		}
		if args == "" && callID != "" {
			args = r.payloads.toolArgsOf(callID)
		}
		if callID != "" && !n.HasAttr(attrGenAIToolCallID) {
			attrs.PutStr(attrGenAIToolCallID, callID)
		}
		if args != "" && !n.HasAttr(attrGenAIToolCallArgs) {
			attrs.PutStr(attrGenAIToolCallArgs, args)
		}
		if callID == "" || n.HasAttr(attrGenAIToolCallResult) {
			continue
		}
		if res, ok := r.toolResult(n, callID); ok {
			attrs.PutStr(attrGenAIToolCallResult, res)
		}
	}
}

// requestingCall finds the tool_call part for this tool span: by call id
// anywhere in the trace (ids are unique), else (pre-0.6.2 tool spans carry
// no id) the latest call of the same tool, in the same turn, before it.
func (r *autogenRewrite) requestingCall(tool *dialect.Node, callID, name, args string) *agToolCall {
	turn := r.nearestTurn(tool)
	var byName, sameArgs *agToolCall
	for _, n := range r.llmSpans() {
		for _, c := range r.toolCallsOf(n) {
			if callID != "" {
				if c.id == callID {
					return &c
				}
				continue
			}
			if c.name != name || n.Span.StartTimestamp() > tool.Span.StartTimestamp() || r.nearestTurn(n) != turn {
				continue
			}
			// Spans come in start order: the latest call wins, preferring one
			// with the same arguments (parallel calls of one tool).
			byName = &c
			if args != "" && jsonEqual(c.args, args) {
				sameArgs = &c
			}
		}
	}
	if sameArgs != nil {
		return sameArgs
	}
	return byName
}

// toolResult finds the result fed back to the model or logged by the runtime.
func (r *autogenRewrite) toolResult(tool *dialect.Node, callID string) (string, bool) {
	for _, n := range r.llmSpans() {
		if n.Span.StartTimestamp() < tool.Span.StartTimestamp() {
			continue
		}
		if res, ok := r.toolResponsesOf(n)[callID]; ok {
			return res, true
		}
	}
	return r.payloads.toolResultOf(callID)
}

// llmSpans returns the model-call spans in start order (cached).
func (r *autogenRewrite) llmSpans() []*dialect.Node {
	if r.llmCache == nil {
		r.llmCache = []*dialect.Node{}
		for _, n := range r.tree.Live() {
			if role := r.infoOf(n).role; role == roleLLM || role == roleSelector {
				r.llmCache = append(r.llmCache, n)
			}
		}
	}
	return r.llmCache
}

func (r *autogenRewrite) toolCallsOf(n *dialect.Node) []agToolCall {
	if c, ok := r.callCache[n]; ok {
		return c
	}
	c := llmToolCalls(n)
	r.callCache[n] = c
	return c
}

func (r *autogenRewrite) toolResponsesOf(n *dialect.Node) map[string]string {
	if c, ok := r.respCache[n]; ok {
		return c
	}
	c := llmToolResponses(n)
	r.respCache[n] = c
	return c
}

// jsonEqual compares two JSON texts by value (214 equals 214.0).
func jsonEqual(a, b string) bool {
	if a == b {
		return true
	}
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
