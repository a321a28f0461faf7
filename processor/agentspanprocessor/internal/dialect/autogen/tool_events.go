package autogen

import (
	"strings"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/rawjson"
)

// toolPayload is a runtime payload that may hold tool events; valid is set
// when parsePayloads already checked it.
type toolPayload struct {
	raw   string
	valid bool
}

// readTools reads the tool payloads, once.
func (p *agPayloads) readTools() {
	if p.toolsRead {
		return
	}
	p.toolsRead = true
	for _, tp := range p.toolPayloads {
		if tp.valid || rawjson.Valid(tp.raw) {
			p.collectToolEvents(tp.raw, 0)
		}
	}
	p.toolPayloads = nil
}

// toolArgsOf is the JSON arguments the runtime logged for a tool call.
func (p *agPayloads) toolArgsOf(callID string) string {
	p.readTools()
	return p.toolArgs[callID]
}

// toolResultOf is the result the runtime logged for a tool call.
func (p *agPayloads) toolResultOf(callID string) (string, bool) {
	p.readTools()
	res, ok := p.toolResults[callID]
	return res, ok
}

// collectToolEvents finds FunctionCall {id, name, arguments} and
// FunctionExecutionResult {call_id, content, ...} objects anywhere in a
// payload (ToolCallRequestEvent, ToolCallExecutionEvent, summaries, inner
// messages of agent responses), reading the raw JSON v in place.
func (p *agPayloads) collectToolEvents(v string, depth int) {
	if depth > 64 {
		return
	}
	if rawjson.IsArray(v) {
		for e := range rawjson.Elements(v) {
			p.collectToolEvents(e, depth+1)
		}
		return
	}
	if !rawjson.IsObject(v) {
		return
	}
	var id, args, name, callID, content string
	n, nested := 0, 0
	for k, val := range rawjson.Members(v) {
		n++
		switch k {
		case "id":
			id = val
		case "arguments":
			args = val
		case "name":
			name = val
		case "call_id":
			callID = val
		case "content":
			content = val
		}
		if rawjson.IsObject(val) || rawjson.IsArray(val) {
			nested++
		}
	}
	idText, _ := rawjson.String(id)
	argsText, hasArgs := rawjson.String(args)
	nameText, _ := rawjson.String(name)
	if idText != "" && hasArgs && nameText != "" && p.toolArgs[idText] == "" {
		p.toolArgs[idText] = compactJSONString(argsText)
		p.toolNames[idText] = nameText
	}
	callIDText, _ := rawjson.String(callID)
	if contentText, ok := rawjson.String(content); ok && callIDText != "" {
		if _, seen := p.toolResults[callIDText]; !seen {
			p.toolResults[callIDText] = contentText
		}
	}
	if nested == 0 {
		return
	}
	shadowed := shadowedMembers(v, n)
	i := 0
	for _, val := range rawjson.Members(v) {
		if (rawjson.IsObject(val) || rawjson.IsArray(val)) && mayHoldToolEvent(val) && !shadowed(i) {
			p.collectToolEvents(val, depth+1)
		}
		i++
	}
}

// mayHoldToolEvent: a tool event needs an "arguments" or "call_id" key,
// written as such or with \u escapes; other values need no walk.
func mayHoldToolEvent(v string) bool {
	return strings.Contains(v, `"arguments"`) || strings.Contains(v, `"call_id"`) || strings.Contains(v, `\u`)
}

// shadowedMembers tells which members of the object v (n members) a later
// member with the same key replaces: decoded into a map, they are gone.
func shadowedMembers(v string, n int) func(i int) bool {
	var small [16]string
	keys := small[:0]
	if n > len(small) {
		keys = make([]string, 0, n)
	}
	for k := range rawjson.Members(v) {
		keys = append(keys, k)
	}
	dup := false
	if n <= len(small) {
		for i := range keys {
			for j := i + 1; j < len(keys) && !dup; j++ {
				dup = keys[i] == keys[j]
			}
		}
	} else {
		seen := make(map[string]struct{}, n)
		for _, k := range keys {
			seen[k] = struct{}{}
		}
		dup = len(seen) != n
	}
	if !dup {
		return func(int) bool { return false }
	}
	last := make(map[string]int, n)
	for i, k := range keys {
		last[k] = i
	}
	return func(i int) bool { return last[keys[i]] != i }
}
