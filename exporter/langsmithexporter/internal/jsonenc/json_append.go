// Package jsonenc writes the JSON of run fields: an appending encoder for the
// values runs are made of, byte for byte what encoding/json writes, shared by
// the mapping (which writes some messages straight from their text) and the
// run encoder.
package jsonenc

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// This file is the run encoder's hot path: an appending JSON encoder for the
// values runs are made of (map[string]any, []any, strings, numbers, bools),
// written without reflection. Its output is byte for byte what Marshal
// (encoding/json without HTML escaping) writes for the same value, which
// TestAppendJSONMatchesEncodingJSON checks; any other type is handed to
// encoding/json, so nothing changes for values it does not know.

// errUnsupportedFloat mirrors encoding/json's refusal of NaN and infinities.
var errUnsupportedFloat = errors.New("json: unsupported value: NaN or infinite float")

// maxAppendDepth bounds recursion like encoding/json's cycle check does.
const maxAppendDepth = 1000

// keyBufs pools the key slices used to sort map keys.
var keyBufs = sync.Pool{New: func() any { s := make([]string, 0, 32); return &s }}

// Append appends the JSON encoding of v to dst.
func Append(dst []byte, v any) ([]byte, error) {
	return appendValue(dst, v, 0)
}

func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	if depth > maxAppendDepth {
		return encodeFallback(dst, v) // encoding/json decides about cycles
	}
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return AppendString(dst, x), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case float64:
		return appendFloat(dst, x)
	case json.Number:
		if x == "" {
			return append(dst, '0'), nil
		}
		if !isValidNumber(string(x)) {
			return encodeFallback(dst, v)
		}
		return append(dst, x...), nil
	case json.RawMessage:
		// Only the mapping makes these, always compact and valid: what
		// encoding/json writes for them.
		if x == nil {
			return append(dst, "null"...), nil
		}
		return append(dst, x...), nil
	case map[string]any:
		if x == nil {
			return append(dst, "null"...), nil
		}
		keysp := keyBufs.Get().(*[]string)
		keys := (*keysp)[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		var err error
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, k)
			dst = append(dst, ':')
			if dst, err = appendValue(dst, x[k], depth+1); err != nil {
				break
			}
		}
		clear(keys)
		*keysp = keys[:0]
		keyBufs.Put(keysp)
		if err != nil {
			return dst, err
		}
		return append(dst, '}'), nil
	case []any:
		return appendArray(dst, x, depth, appendValue)
	case []map[string]any:
		return appendArray(dst, x, depth, func(dst []byte, e map[string]any, depth int) ([]byte, error) {
			return appendValue(dst, e, depth)
		})
	case []string:
		return appendArray(dst, x, depth, func(dst []byte, e string, _ int) ([]byte, error) {
			return AppendString(dst, e), nil
		})
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, s := range x {
			m[k] = s
		}
		return appendValue(dst, m, depth)
	}
	return encodeFallback(dst, v)
}

// appendArray writes a JSON array (null for a nil slice, as encoding/json
// does), each element by appendElem one level deeper.
func appendArray[T any](dst []byte, xs []T, depth int, appendElem func([]byte, T, int) ([]byte, error)) ([]byte, error) {
	if xs == nil {
		return append(dst, "null"...), nil
	}
	dst = append(dst, '[')
	for i, e := range xs {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendElem(dst, e, depth+1); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

// Marshal marshals v without HTML escaping (LangSmith shows the text as
// sent) and without the encoder's trailing newline. encoding/json replaces
// invalid UTF-8 with U+FFFD, so the result is always valid UTF-8.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// encodeFallback lets encoding/json encode a type this encoder does not know.
func encodeFallback(dst []byte, v any) ([]byte, error) {
	b, err := Marshal(v)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}

// appendFloat formats like encoding/json: shortest representation, 'e'
// notation below 1e-6 and from 1e21 on, with a two-digit minimum exponent.
func appendFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, errUnsupportedFloat
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(dst) - start
		if n >= 4 && dst[len(dst)-4] == 'e' && dst[len(dst)-3] == '-' && dst[len(dst)-2] == '0' {
			dst[len(dst)-2] = dst[len(dst)-1]
			dst = dst[:len(dst)-1]
		}
	}
	return dst, nil
}

const hexDigits = "0123456789abcdef"

// AppendString writes s as a JSON string the way encoding/json does with
// HTML escaping off: invalid UTF-8 becomes U+FFFD, U+2028 and U+2029 are
// escaped, control characters use \n, \r, \t or \u00XX (and \b, \f).
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// isValidNumber reports whether s is a JSON number literal (as encoding/json
// checks json.Number values before writing them).
func isValidNumber(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
		if s == "" {
			return false
		}
	}
	switch {
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = s[1:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = s[2:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
			if s == "" {
				return false
			}
		}
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	return s == ""
}
