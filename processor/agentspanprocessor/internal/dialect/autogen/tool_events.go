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
	// The members are read once and kept: walking Members again (for the
	// duplicate keys and for the nested values) rescanned every nested value.
	var small [16]objMember
	members := small[:0]
	nested := 0
	for k, val := range rawjson.Members(v) {
		members = append(members, objMember{k, val})
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
	last := lastOfDuplicateKeys(members)
	for i, m := range members {
		shadowed := last != nil && last[m.key] != i
		if (rawjson.IsObject(m.val) || rawjson.IsArray(m.val)) && mayHoldToolEvent(m.val) && !shadowed {
			p.collectToolEvents(m.val, depth+1)
		}
	}
}

// objMember is one key and raw value of a JSON object.
type objMember struct{ key, val string }

// mayHoldToolEvent: a tool event needs an "arguments" or "call_id" key,
// written as such or with \u escapes; other values need no walk.
func mayHoldToolEvent(v string) bool {
	return strings.Contains(v, `"arguments"`) || strings.Contains(v, `"call_id"`) || strings.Contains(v, `\u`)
}

// lastOfDuplicateKeys is nil when an object's keys are unique, else the index
// of the last member of each key: decoded into a map, the earlier ones are gone.
func lastOfDuplicateKeys(members []objMember) map[string]int {
	n := len(members)
	dup := false
	if n <= 16 {
		for i := range members {
			for j := i + 1; j < n && !dup; j++ {
				dup = members[i].key == members[j].key
			}
		}
	} else {
		seen := make(map[string]struct{}, n)
		for _, m := range members {
			seen[m.key] = struct{}{}
		}
		dup = len(seen) != n
	}
	if !dup {
		return nil
	}
	last := make(map[string]int, n)
	for i, m := range members {
		last[m.key] = i
	}
	return last
}
