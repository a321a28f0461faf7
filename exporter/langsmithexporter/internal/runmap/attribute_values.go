package runmap

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/jsonenc"
)

// This file reads attribute values robustly: strings repaired to valid UTF-8,
// JSON parsed where it parses and kept as text where it does not.

func isEmptyValue(v pcommon.Value) bool {
	switch v.Type() {
	case pcommon.ValueTypeEmpty:
		return true
	case pcommon.ValueTypeStr:
		return v.Str() == ""
	case pcommon.ValueTypeSlice:
		return v.Slice().Len() == 0
	}
	return false
}

// keySet records the attributes a mapping step consumed.
type keySet map[string]bool

// validUTF8 repairs s; utf8.ValidString checks the usual, valid, case much
// faster than strings.ToValidUTF8 does.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// attrString returns an attribute as text ("" when absent), repaired to
// valid UTF-8.
func attrString(attrs pcommon.Map, key string) string {
	v, ok := attrs.Get(key)
	if !ok || v.Type() == pcommon.ValueTypeEmpty {
		return ""
	}
	if v.Type() == pcommon.ValueTypeStr {
		return validUTF8(v.Str())
	}
	return validUTF8(v.AsString())
}

func firstAttrString(attrs pcommon.Map, keys ...string) string {
	for _, k := range keys {
		if s := strings.TrimSpace(attrString(attrs, k)); s != "" {
			return s
		}
	}
	return ""
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// valueToAny converts an attribute value to a JSON-encodable Go value.
// Non-finite floats become strings because encoding/json rejects them.
func valueToAny(v pcommon.Value) any {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return validUTF8(v.Str())
	case pcommon.ValueTypeBool:
		return v.Bool()
	case pcommon.ValueTypeInt:
		return v.Int()
	case pcommon.ValueTypeDouble:
		f := v.Double()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
		return f
	case pcommon.ValueTypeBytes:
		return base64.StdEncoding.EncodeToString(v.Bytes().AsRaw())
	case pcommon.ValueTypeSlice:
		out := make([]any, 0, v.Slice().Len())
		for _, e := range v.Slice().All() {
			out = append(out, valueToAny(e))
		}
		return out
	case pcommon.ValueTypeMap:
		out := make(map[string]any, v.Map().Len())
		for k, e := range v.Map().All() {
			out[validUTF8(k)] = valueToAny(e)
		}
		return out
	}
	return nil
}

// parseJSON decodes a whole string as JSON, keeping numbers exact.
func parseJSON(s string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(validUTF8(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return v, true
}

// decodeStructured decodes strings that hold a JSON object or array; any
// other value, and malformed JSON, is returned unchanged.
func decodeStructured(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	t := strings.TrimSpace(s)
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return v
	}
	if parsed, ok := parseJSON(t); ok {
		return parsed
	}
	return v
}

// decodeJSONValue decodes any JSON value held in a string (so "42" and
// "true" become a number and a bool); malformed JSON stays a raw string.
func decodeJSONValue(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	if parsed, ok := parseJSON(s); ok {
		return parsed
	}
	return v
}

// marshalJSON renders v as JSON text the way request bodies are encoded
// (jsonenc.Marshal); "" when v cannot be encoded.
func marshalJSON(v any) string {
	b, err := jsonenc.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
