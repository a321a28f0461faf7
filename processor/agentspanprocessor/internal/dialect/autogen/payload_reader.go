package autogen

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/rawjson"
)

// agPayload is what the rules read of one runtime `message` payload, picked
// out in place with rawjson in one pass over its top-level members. Nested
// values stay raw JSON ("" when absent) and are read only when a rule asks:
// decoding whole payloads with encoding/json was the dialect's main cost.
// The reads below give what decoding into map[string]json.RawMessage gave
// (payload_reader_test.go checks them against it).
type agPayload struct {
	message, messages, result string
	response, agentResp       string
	name, agentName           string
	isStop                    bool   // message is a StopMessage
	stopReason, stopSource    string // its content and source
}

// readPayload reads a payload; false when it is not valid JSON.
func readPayload(raw string) (agPayload, bool) {
	var p agPayload
	if !rawjson.Valid(raw) {
		return p, false
	}
	for k, v := range rawjson.Members(raw) { // the last duplicate wins, as in a map
		switch k {
		case "message":
			p.message = v
		case "messages":
			p.messages = v
		case "result":
			p.result = v
		case "response":
			p.response = v
		case "agent_response":
			p.agentResp = v
		case "name":
			p.name = v
		case "agent_name":
			p.agentName = v
		}
	}
	if rawjson.IsObject(p.message) { // GroupChatTermination {message: StopMessage}
		var typ, content, source string
		for k, v := range rawjson.Members(p.message) {
			switch k {
			case "type":
				typ = v
			case "content":
				content = v
			case "source":
				source = v
			}
		}
		if rawText(typ) == "StopMessage" {
			p.isStop, p.stopReason, p.stopSource = true, rawText(content), rawText(source)
		}
	}
	return p, true
}

// taskTexts reads GroupChatStart {messages: [...]}: the string contents.
func (p *agPayload) taskTexts() []string {
	var out []string
	ok := eachListObject(p.messages, func(m string) {
		if s, _ := rawjson.String(member(m, "content")); s != "" {
			out = append(out, s)
		}
	})
	if !ok {
		return nil
	}
	return out
}

// agentResponse reads GroupChatAgentResponse: 0.7+ {response, name}, before
// {agent_response, agent_name}; text only when the payload carries content.
func (p *agPayload) agentResponse() (agent, text string, ok bool) {
	resp, name := p.response, p.name
	if resp == "" {
		resp, name = p.agentResp, p.agentName
	}
	if !rawjson.IsObject(resp) {
		return "", "", false
	}
	chat := member(resp, "chat_message")
	if !rawjson.IsObject(chat) && !rawjson.IsNull(chat) {
		return "", "", false
	}
	agent = rawText(name)
	text, _ = rawjson.String(member(chat, "content"))
	return agent, text, agent != ""
}

// teamResponse reads GroupChatTeamResponse {result: TaskResult, name}; ok
// when result is an object or null.
func (p *agPayload) teamResponse() (name string, msgs []agMessage, stopReason string, ok bool) {
	if !rawjson.IsObject(p.result) && !rawjson.IsNull(p.result) {
		return "", nil, "", false
	}
	return rawText(p.name), payloadMessages(member(p.result, "messages")), rawText(member(p.result, "stop_reason")), true
}

// delivered is what the payload brings a participant: a task
// (GroupChatStart), an inner team's messages (GroupChatTeamResponse) or an
// agent's answer (GroupChatAgentResponse, 0.7+ and before).
func (p *agPayload) delivered() []agMessage {
	switch {
	case p.messages != "":
		return payloadMessages(p.messages)
	case rawjson.IsObject(p.result):
		return payloadMessages(member(p.result, "messages"))
	}
	resp := p.response
	if resp == "" {
		resp = p.agentResp
	}
	if !rawjson.IsObject(resp) && !rawjson.IsNull(resp) {
		return nil
	}
	if chat := member(resp, "chat_message"); rawjson.IsObject(chat) {
		return appendPayloadMessage(nil, chat)
	}
	return nil
}

// payloadMessages reads chat messages {source, content, type}; content-less
// messages (AutoGen before 0.7.2 serialises only base fields) are skipped.
func payloadMessages(raw string) []agMessage {
	var out []agMessage
	if !eachListObject(raw, func(m string) { out = appendPayloadMessage(out, m) }) {
		return nil
	}
	return out
}

func appendPayloadMessage(out []agMessage, m string) []agMessage {
	var content, source string
	hasContent := false
	for k, v := range rawjson.Members(m) {
		switch k {
		case "content":
			content, hasContent = v, true
		case "source":
			source = v
		}
	}
	if !hasContent {
		return out
	}
	text := rawText(content)
	if text == "" {
		return out
	}
	return append(out, agMessage{source: rawText(source), text: strings.ToValidUTF8(text, "\uFFFD")})
}

// eachListObject calls fn with each object element of the array raw; false
// (and no calls) unless raw is null or an array of objects and nulls, which
// is when decoding into []map[string]json.RawMessage succeeds.
func eachListObject(raw string, fn func(m string)) bool {
	if rawjson.IsNull(raw) {
		return true
	}
	if !rawjson.IsArray(raw) {
		return false
	}
	for e := range rawjson.Elements(raw) {
		if !rawjson.IsObject(e) && !rawjson.IsNull(e) {
			return false
		}
	}
	for e := range rawjson.Elements(raw) {
		if rawjson.IsObject(e) {
			fn(e)
		}
	}
	return true
}

// member is the raw value of key in the object obj (the last one), "" when
// absent or obj is not an object.
func member(obj, key string) string {
	found := ""
	for k, v := range rawjson.Members(obj) {
		if k == key {
			found = v
		}
	}
	return found
}

// rawText is rawString for a raw value: a string's text, "" for null or
// absent, other JSON compacted.
func rawText(v string) string {
	if v == "" || rawjson.IsNull(v) {
		return ""
	}
	if s, ok := rawjson.String(v); ok {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, []byte(v)) == nil {
		return buf.String()
	}
	return v
}
