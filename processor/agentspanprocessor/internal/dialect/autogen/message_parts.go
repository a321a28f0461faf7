package autogen

import (
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/rawjson"
)

// The tool join and the answer reads look at a few fields of the parts of
// gen_ai.input/output.messages; they read them in place with rawjson instead
// of decoding each message list into maps (what parseMessages and
// messageParts give; message_parts_test.go checks they agree).

// eachPart calls fn with each part object of each message of the JSON
// message list s, with the message's index. Nothing when s is not a list of
// objects; a message whose parts are not a list of objects has none.
func eachPart(s string, fn func(msg int, part string)) {
	if s == "" || len(s) > maxPayloadBytes || !rawjson.Valid(s) {
		return
	}
	i := 0
	eachListObject(s, func(m string) {
		eachListObject(member(m, "parts"), func(p string) { fn(i, p) })
		i++
	})
}

// partFields reads a part's type and the fields a tool join needs (raw).
type partFields struct {
	typ, id, name, arguments, response, content string
}

func readPart(p string) partFields {
	var f partFields
	for k, v := range rawjson.Members(p) {
		switch k {
		case "type":
			f.typ = v
		case "id":
			f.id = v
		case "name":
			f.name = v
		case "arguments":
			f.arguments = v
		case "response":
			f.response = v
		case "content":
			f.content = v
		}
	}
	return f
}

// messageToolCalls are the tool_call parts of a message list.
func messageToolCalls(s string) []agToolCall {
	var out []agToolCall
	eachPart(s, func(_ int, p string) {
		if f := readPart(p); rawText(f.typ) == "tool_call" {
			out = append(out, agToolCall{id: rawText(f.id), name: rawText(f.name), args: argsText(f.arguments)})
		}
	})
	return out
}

// messageToolResponses adds the tool_call_response parts of a message list
// to out, by call id.
func messageToolResponses(s string, out map[string]string) {
	eachPart(s, func(_ int, p string) {
		if f := readPart(p); rawText(f.typ) == "tool_call_response" {
			if id := rawText(f.id); id != "" {
				out[id] = rawText(f.response)
			}
		}
	})
}

// messageAnswerText is the text of the first message of a list that has
// text parts.
func messageAnswerText(s string) string {
	text, at := "", -1
	eachPart(s, func(msg int, p string) {
		if at >= 0 && msg != at {
			return
		}
		if f := readPart(p); rawText(f.typ) == "text" {
			if t := rawText(f.content); t != "" {
				text, at = text+t, msg
			}
		}
	})
	return text
}

// argsText renders tool arguments as a JSON string (OpenAI sends them as a
// JSON-encoded string; the current format decodes them into an object).
func argsText(v string) string {
	if v == "" || rawjson.IsNull(v) {
		return ""
	}
	if s, ok := rawjson.String(v); ok {
		return compactJSONString(s)
	}
	return compactJSONString(v)
}
