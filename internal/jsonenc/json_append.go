// Package jsonenc is an appending JSON encoder for the values runs and
// messages are made of, byte for byte what encoding/json writes: without HTML
// escaping for the exporter's run fields (the mapping, which writes some
// messages straight from their text, and the run encoder), with it for the
// message attributes agent_span's dialects write (as json.Marshal did).
package jsonenc

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
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

// member is a map entry, collected with its value so that writing the
// sorted members needs no map lookup.
type member struct {
	key   string
	value any
}

// memberBufs pools the member slices used to sort map keys.
var memberBufs = sync.Pool{New: func() any { s := make([]member, 0, 32); return &s }}

func compareMembers(a, b member) int { return strings.Compare(a.key, b.key) }

// Append appends the JSON encoding of v to dst, without HTML escaping.
func Append(dst []byte, v any) ([]byte, error) {
	return appendValue(dst, v, 0, false)
}

// AppendHTML appends what json.Marshal writes for v: <, > and & escaped as
// \u003c, \u003e and \u0026.
func AppendHTML(dst []byte, v any) ([]byte, error) {
	return appendValue(dst, v, 0, true)
}

func appendValue(dst []byte, v any, depth int, html bool) ([]byte, error) {
	if depth > maxAppendDepth {
		return encodeFallback(dst, v, html) // encoding/json decides about cycles
	}
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendString(dst, x, html), nil
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
			return encodeFallback(dst, v, html)
		}
		return append(dst, x...), nil
	case json.RawMessage:
		// Only the mapping makes these, always compact and valid: what
		// encoding/json writes for them (with HTML escaping, it rewrites them).
		if html {
			return encodeFallback(dst, v, html)
		}
		if x == nil {
			return append(dst, "null"...), nil
		}
		return append(dst, x...), nil
	case map[string]any:
		if x == nil {
			return append(dst, "null"...), nil
		}
		membersp := memberBufs.Get().(*[]member)
		members := (*membersp)[:0]
		for k, v := range x {
			members = append(members, member{k, v})
		}
		// Keys are unique: any sort gives encoding/json's order.
		slices.SortFunc(members, compareMembers)
		dst = append(dst, '{')
		var err error
		for i, m := range members {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, m.key, html)
			dst = append(dst, ':')
			if dst, err = appendValue(dst, m.value, depth+1, html); err != nil {
				break
			}
		}
		clear(members)
		*membersp = members[:0]
		memberBufs.Put(membersp)
		if err != nil {
			return dst, err
		}
		return append(dst, '}'), nil
	case Object:
		if html {
			return encodeFallback(dst, v, html)
		}
		return appendObject(dst, x, depth)
	case []any:
		return appendArray(dst, x, depth, func(dst []byte, e any, depth int) ([]byte, error) {
			return appendValue(dst, e, depth, html)
		})
	case []map[string]any:
		return appendArray(dst, x, depth, func(dst []byte, e map[string]any, depth int) ([]byte, error) {
			return appendValue(dst, e, depth, html)
		})
	case []string:
		return appendArray(dst, x, depth, func(dst []byte, e string, _ int) ([]byte, error) {
			return appendString(dst, e, html), nil
		})
	case map[string]string:
		if x == nil {
			return append(dst, "null"...), nil
		}
		m := make(map[string]any, len(x))
		for k, s := range x {
			m[k] = s
		}
		return appendValue(dst, m, depth, html)
	}
	return encodeFallback(dst, v, html)
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
func encodeFallback(dst []byte, v any, html bool) ([]byte, error) {
	marshal := Marshal
	if html {
		marshal = json.Marshal
	}
	b, err := marshal(v)
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
func AppendString(dst []byte, s string) []byte { return appendString(dst, s, false) }

// appendString is AppendString, with <, > and & escaped as \u00XX when html.
func appendString(dst []byte, s string, html bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if !html {
			// Eight bytes at a time while none needs attention: the text
			// of messages is mostly plain ASCII.
			if i = skipPlainWords(s, i); i >= len(s) {
				break
			}
		}
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && (!html || (b != '<' && b != '>' && b != '&')) {
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

const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// skipPlainWords returns the index of the first 8-byte word of s from i on
// that is not all plain (or of the last bytes that do not fill a word).
func skipPlainWords(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8]
		if !plainWord(uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56) {
			break
		}
	}
	return i
}

// plainWord reports whether the 8 bytes of x are all ASCII that a JSON
// string holds as is (no control character, quote, backslash or non-ASCII
// byte), testing all eight at once. Each test is exact about whether some
// byte matches (it may not tell which one): a byte b has its high bit set,
// or b < 0x20 (b - 0x20 borrows and b's high bit is clear), or b ^ c == 0
// for c a quote or backslash.
func plainWord(x uint64) bool {
	quote := x ^ ('"' * lowBits)
	backslash := x ^ ('\\' * lowBits)
	special := x | // non-ASCII
		(x - 0x20*lowBits) | // below 0x20 (with x's high bit clear, masked below)
		((quote - lowBits) &^ quote) |
		((backslash - lowBits) &^ backslash)
	return special&highBits == 0
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
