package runmap

import (
	"encoding/json"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/jsonenc"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/rawjson"
)

// This file converts semconv messages (gen_ai.input.messages /
// gen_ai.output.messages, JSON text with "parts") to LangSmith's message
// format straight from their text: the fields semconvMessage reads are
// picked out in place and the result is written as JSON, byte for byte what
// encoding the decoded path's []any gives (TestSemconvTextMatchesDecoded).
// Decoding every message into map[string]any and encoding it again was the
// mapping's main cost. Whatever is not a message with parts (OpenAI-style
// messages, bare strings) goes through the decoded path, one element at a
// time.

// semconvMessagesText is semconvMessages for attributes holding JSON arrays
// as text; ok is false for anything else, which the caller then decodes.
// The messages are returned as encoded JSON, nil when there are none.
func semconvMessagesText(attrs pcommon.Map, key, systemKey string, output bool) (msgs json.RawMessage, ok bool) {
	var system, list string
	hasSystem, hasList := false, false
	if systemKey != "" {
		if v, present := attrs.Get(systemKey); present {
			if system, ok = jsonArrayText(v); !ok {
				return nil, false
			}
			hasSystem = true
		}
	}
	if v, present := attrs.Get(key); present {
		if list, ok = jsonArrayText(v); !ok {
			return nil, false
		}
		hasList = true
	}
	w := semconvWriters.Get().(*semconvWriter)
	defer w.release()
	w.buf = append(w.buf, '[')
	if hasSystem {
		w.message(semconvFields{role: "system", parts: system}, false)
	}
	if hasList {
		for e := range rawjson.Elements(list) {
			w.element(e, output)
		}
	}
	if w.count == 0 {
		return nil, true
	}
	return append(json.RawMessage(nil), append(w.buf, ']')...), true
}

// jsonArrayText returns a string attribute's text when it holds a JSON array,
// trimmed as decodeStructured trims it.
func jsonArrayText(v pcommon.Value) (string, bool) {
	if v.Type() != pcommon.ValueTypeStr {
		return "", false
	}
	t := strings.TrimSpace(validUTF8(v.Str()))
	if !rawjson.IsArray(t) || !rawjson.Valid(t) {
		return "", false
	}
	return t, true
}

// semconvFields are the members of a message that semconvMessage reads, as
// raw JSON (the last of duplicate keys, as encoding/json keeps).
type semconvFields struct {
	role         string // decoded; "" when absent or not a string
	name         string // decoded; "" when absent or not a string
	finishReason string // raw; "" when absent
	parts        string // raw array
}

// semconvBlock is one content block: a text or reasoning block, or a part
// passed through as it is (decoded, as semconvMessage keeps it).
type semconvBlock struct {
	typ  string // "text", "reasoning", or "" for a part passed through
	text string
	part any
}

type semconvCall struct{ id, name, args string }

type semconvResponse struct{ content, id string }

// semconvWriter writes messages into buf; its scratch slices are reused
// from message to message and, through semconvWriters, from span to span.
type semconvWriter struct {
	buf       []byte
	count     int
	blocks    []semconvBlock
	calls     []semconvCall
	responses []semconvResponse
}

var semconvWriters = sync.Pool{New: func() any { return &semconvWriter{buf: make([]byte, 0, 4096)} }}

// maxPooledWriterBuf: a writer whose buffer grew beyond it (a huge message
// list) is left to the garbage collector.
const maxPooledWriterBuf = 1 << 20

func (w *semconvWriter) release() {
	if cap(w.buf) > maxPooledWriterBuf {
		return
	}
	w.buf, w.count = w.buf[:0], 0
	clear(w.blocks)
	w.blocks, w.calls, w.responses = w.blocks[:0], w.calls[:0], w.responses[:0]
	semconvWriters.Put(w)
}

// element writes one element of the message list: a message with parts
// here, anything else through normalizeMessages.
func (w *semconvWriter) element(raw string, output bool) {
	if rawjson.IsObject(raw) {
		f := semconvFields{}
		for k, v := range rawjson.Members(raw) {
			switch k {
			case "role":
				f.role, _ = rawjson.String(v)
			case "name":
				f.name, _ = rawjson.String(v)
			case "finish_reason":
				f.finishReason = v
			case "parts":
				f.parts = v
			}
		}
		if rawjson.IsArray(f.parts) {
			if f.role == "" {
				f.role = defaultRole(output)
			}
			w.message(f, output)
			return
		}
	}
	for _, m := range normalizeMessages([]any{decodedRaw(raw)}, output) {
		w.value(m)
	}
}

// message is semconvMessage: text and reasoning parts become content
// blocks, tool calls the message's tool_calls, tool call responses messages
// of their own, other parts pass through as blocks.
func (w *semconvWriter) message(f semconvFields, output bool) {
	w.blocks, w.calls, w.responses = w.blocks[:0], w.calls[:0], w.responses[:0]
	var refusal string
	hasRefusal := false
	for raw := range rawjson.Elements(f.parts) {
		if !rawjson.IsObject(raw) {
			w.blocks = append(w.blocks, semconvBlock{typ: "text", text: rawStringify(raw)})
			continue
		}
		var typ, content, id, name, args, response string
		for k, v := range rawjson.Members(raw) {
			switch k {
			case "type":
				typ = v
			case "content":
				content = v
			case "id":
				id = v
			case "name":
				name = v
			case "arguments":
				args = v
			case "response":
				response = v
			}
		}
		t, _ := rawjson.String(typ)
		switch t {
		case "text", "reasoning":
			w.blocks = append(w.blocks, semconvBlock{typ: t, text: rawStringify(content)})
		case "refusal":
			refusal, hasRefusal = rawStringify(content), true
		case "tool_call":
			w.calls = append(w.calls, semconvCall{id: rawStringify(id), name: rawStringify(name), args: rawArguments(args)})
		case "tool_call_response":
			w.responses = append(w.responses, semconvResponse{content: rawStringify(response), id: rawStringify(id)})
		default:
			w.blocks = append(w.blocks, semconvBlock{part: decodedRaw(raw)})
		}
	}
	if len(w.blocks) > 0 || len(w.calls) > 0 || hasRefusal || len(w.responses) == 0 {
		// Keys in encoding/json's (sorted) order.
		w.open()
		w.buf = append(w.buf, `{"content":`...)
		w.content()
		if f.finishReason != "" && !rawjson.IsNull(f.finishReason) {
			w.buf = append(w.buf, `,"finish_reason":`...)
			w.rawValue(f.finishReason)
		}
		if f.name != "" {
			w.buf = append(w.buf, `,"name":`...)
			w.buf = jsonenc.AppendString(w.buf, f.name)
		}
		if hasRefusal {
			w.buf = append(w.buf, `,"refusal":`...)
			w.buf = jsonenc.AppendString(w.buf, refusal)
		}
		w.buf = append(w.buf, `,"role":`...)
		w.buf = jsonenc.AppendString(w.buf, f.role)
		if len(w.calls) > 0 {
			w.buf = append(w.buf, `,"tool_calls":[`...)
			for i, c := range w.calls {
				if i > 0 {
					w.buf = append(w.buf, ',')
				}
				w.buf = append(w.buf, `{"function":{"arguments":`...)
				w.buf = jsonenc.AppendString(w.buf, c.args)
				w.buf = append(w.buf, `,"name":`...)
				w.buf = jsonenc.AppendString(w.buf, c.name)
				w.buf = append(w.buf, `},"id":`...)
				w.buf = jsonenc.AppendString(w.buf, c.id)
				w.buf = append(w.buf, `,"type":"function"}`...)
			}
			w.buf = append(w.buf, ']')
		}
		w.buf = append(w.buf, '}')
	}
	for _, r := range w.responses {
		w.open()
		w.buf = append(w.buf, `{"content":`...)
		w.buf = jsonenc.AppendString(w.buf, r.content)
		w.buf = append(w.buf, `,"role":"tool","tool_call_id":`...)
		w.buf = jsonenc.AppendString(w.buf, r.id)
		w.buf = append(w.buf, '}')
	}
}

// content is blockContent: "" for no block, a lone text block's text, else
// the list of blocks.
func (w *semconvWriter) content() {
	switch {
	case len(w.blocks) == 0:
		w.buf = append(w.buf, `""`...)
		return
	case len(w.blocks) == 1 && w.blocks[0].typ == "text":
		w.buf = jsonenc.AppendString(w.buf, w.blocks[0].text)
		return
	}
	w.buf = append(w.buf, '[')
	for i, b := range w.blocks {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		switch b.typ {
		case "text":
			w.buf = append(w.buf, `{"text":`...)
			w.buf = jsonenc.AppendString(w.buf, b.text)
			w.buf = append(w.buf, `,"type":"text"}`...)
		case "reasoning":
			w.buf = append(w.buf, `{"reasoning":`...)
			w.buf = jsonenc.AppendString(w.buf, b.text)
			w.buf = append(w.buf, `,"type":"reasoning"}`...)
		default:
			w.appendAny(b.part)
		}
	}
	w.buf = append(w.buf, ']')
}

// open starts the next message of the list.
func (w *semconvWriter) open() {
	if w.count > 0 {
		w.buf = append(w.buf, ',')
	}
	w.count++
}

// value writes one whole message built by the decoded path.
func (w *semconvWriter) value(m any) {
	w.open()
	w.appendAny(m)
}

// rawValue writes a raw JSON value as encoding it after decoding would.
func (w *semconvWriter) rawValue(raw string) {
	if s, ok := rawjson.String(raw); ok {
		w.buf = jsonenc.AppendString(w.buf, s)
		return
	}
	w.appendAny(decodedRaw(raw))
}

// appendAny writes a decoded value; values decoded from valid JSON always
// encode, so an error (which cannot happen) writes null.
func (w *semconvWriter) appendAny(v any) {
	start := len(w.buf)
	var err error
	if w.buf, err = jsonenc.Append(w.buf, v); err != nil {
		w.buf = append(w.buf[:start], "null"...)
	}
}

// decodedRaw decodes a raw JSON value the way parseJSON does.
func decodedRaw(raw string) any {
	v, _ := parseJSON(raw)
	return v
}

// rawStringify is stringify of a raw JSON value ("" when absent).
func rawStringify(raw string) string {
	if s, ok := rawjson.String(raw); ok {
		return s
	}
	if raw == "" {
		return ""
	}
	return stringify(decodedRaw(raw))
}

// rawArguments is toolCall's arguments of a raw JSON value: a string as it
// is, "{}" when absent or null, anything else as JSON.
func rawArguments(raw string) string {
	if raw == "" || rawjson.IsNull(raw) {
		return "{}"
	}
	if s, ok := rawjson.String(raw); ok {
		return s
	}
	return marshalJSON(decodedRaw(raw))
}
