// Package rawjson reads fields out of JSON text in place: the members of an
// object, the elements of an array, the text of a string, without decoding the
// rest into Go values. The components read a few fields of large JSON
// attributes (messages, runtime payloads); decoding each whole document into
// map[string]any was their main cost.
//
// The input must be valid JSON (check it once with Valid): the readers below
// find token boundaries and do not validate again.
package rawjson

import (
	"iter"
	"strings"
)

// IsObject, IsArray, IsString and IsNull tell a value's kind from its first
// byte; v is a value as yielded by Members or Elements (no leading space).
func IsObject(v string) bool { return v != "" && v[0] == '{' }
func IsArray(v string) bool  { return v != "" && v[0] == '[' }
func IsString(v string) bool { return v != "" && v[0] == '"' }
func IsNull(v string) bool   { return v == "null" }

// Members yields the key (unescaped) and raw value of each member of the
// object v, in order; nothing when v is not an object. Duplicate keys are all
// yielded: encoding/json keeps the last, so should callers.
func Members(v string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		v = strings.TrimSpace(v)
		if !IsObject(v) {
			return
		}
		i := skipSpace(v, 1)
		for i < len(v) && v[i] == '"' {
			end := skipString(v, i)
			key, _ := String(v[i:end])
			i = skipSpace(v, end)
			i = skipSpace(v, i+1) // ':'
			end = skipValue(v, i)
			if !yield(key, v[i:end]) {
				return
			}
			i = skipSpace(v, end)
			if i < len(v) && v[i] == ',' {
				i = skipSpace(v, i+1)
			}
		}
	}
}

// Elements yields the raw value of each element of the array v, in order;
// nothing when v is not an array.
func Elements(v string) iter.Seq[string] {
	return func(yield func(string) bool) {
		v = strings.TrimSpace(v)
		if !IsArray(v) {
			return
		}
		i := skipSpace(v, 1)
		for i < len(v) && v[i] != ']' {
			end := skipValue(v, i)
			if !yield(v[i:end]) {
				return
			}
			i = skipSpace(v, end)
			if i < len(v) && v[i] == ',' {
				i = skipSpace(v, i+1)
			}
		}
	}
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string token starting at i.
// It jumps from quote to quote with strings.IndexByte (vectorised: message
// texts are long) and checks each quote's escape by the backslashes before it.
func skipString(s string, i int) int {
	for i++; ; {
		q := strings.IndexByte(s[i:], '"')
		if q < 0 {
			return len(s)
		}
		j := i + q
		k := j
		for k > i && s[k-1] == '\\' {
			k--
		}
		if (j-k)%2 == 0 { // an even run of backslashes escapes only itself
			return j + 1
		}
		i = j + 1
	}
}

// skipValue returns the index just past the value starting at i.
func skipValue(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{', '[':
		depth := 0
		for i < len(s) {
			switch s[i] {
			case '"':
				i = skipString(s, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	// A number or a literal: up to the next delimiter.
	for i < len(s) && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' {
		i++
	}
	return i
}
