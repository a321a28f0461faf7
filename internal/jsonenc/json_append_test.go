package jsonenc

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	values := []any{
		nil, true, false, int64(0), int64(-42), math.MaxInt64, 0.0, -0.0, 1.5, 1e-7, 1e-6, 123456789.0, 1e20, 1e21, -2.5e-300, math.MaxFloat64,
		json.Number("12"), json.Number("-0.5e+10"), json.Number(""),
		"", "plain", "quote\" backslash\\ slash/", "ctl \x00\x01\x08\x0c\n\r\t\x1f\x7f", "<html>&amp;</html>",
		"line\u2028sep\u2029", "bad utf8 \xff\xfe end", "\xe2\x82", "snowman ☃ and 🎉",
		[]any{}, []any{nil, "a", int64(1), []any{map[string]any{}}},
		map[string]any{}, map[string]any{"b": int64(1), "a": "x", "": nil, "é": 1.25, "Z": []any{"q"}, "k\"ey": "\n"},
		[]map[string]any{{"name": "e", "kwargs": map[string]any{"x": int64(1)}}},
		[]string{"a", "b\tc"}, map[string]string{"z": "1", "a": "2"},
		struct{ A int }{A: 1}, // unknown: encoding/json does it
	}
	for _, v := range values {
		want, werr := Marshal(v)
		got, gerr := Append(nil, v)
		require.NoError(t, werr, "%#v", v)
		require.NoError(t, gerr, "%#v", v)
		assert.Equal(t, string(want), string(got), "%#v", v)
	}
	for _, bad := range []any{math.NaN(), math.Inf(1), map[string]any{"x": []any{math.Inf(-1)}}, json.Number("1x")} {
		_, werr := Marshal(bad)
		_, gerr := Append(nil, bad)
		assert.Error(t, werr)
		assert.Error(t, gerr, "%#v", bad)
	}
}

// Random strings and floats, byte for byte against encoding/json.
func TestAppendJSONRandomValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "\"", "\\", "\n", "\x00", "\x1f", "\u2028", "é", "🎉", "\xff", "<", "&", " ", "\xe2\x82"}
	for i := 0; i < 5000; i++ {
		var sb strings.Builder
		for n := rng.IntN(12); n > 0; n-- {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		f := math.Float64frombits(rng.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			f = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(60)-30))
		}
		v := map[string]any{sb.String(): []any{sb.String(), f, int64(rng.Uint64())}}
		want, err := Marshal(v)
		require.NoError(t, err)
		got, err := Append(nil, v)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
	}
}

// AppendString's eight-bytes-at-a-time path: every byte value at every
// position of strings long enough to take it, against encoding/json and
// against the byte-by-byte test it stands for.
func TestAppendStringWordPath(t *testing.T) {
	plain := func(b byte) bool { return b >= 0x20 && b < utf8.RuneSelf && b != '"' && b != '\\' }
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 20; pos++ {
			b := []byte(strings.Repeat("abcdefgh", 3)[:20])
			b[pos] = byte(c)
			if pos+1 < len(b) && c >= 0xc0 {
				b[pos+1] = 0x80 | byte(pos) // sometimes valid UTF-8
			}
			s := string(b)
			want, err := Marshal(s)
			require.NoError(t, err)
			require.Equal(t, string(want), string(AppendString(nil, s)), "%q", s)
			for i := 0; i+8 <= len(s); i++ {
				all := true
				for j := i; j < i+8; j++ {
					all = all && plain(s[j])
				}
				require.Equal(t, all, skipPlainWords(s[i:i+8], 0) == 8, "%q at %d", s, i)
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"plain text ", "\"", "\\", "\n", "\x00", "\x7f", "\u2028", "é", "🎉", "\xff", "<>&", "0123456789", "\xe2\x82"}
	for i := 0; i < 5000; i++ {
		var sb strings.Builder
		for n := rng.IntN(30); n > 0; n-- {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		want, err := Marshal(sb.String())
		require.NoError(t, err)
		require.Equal(t, string(want), string(AppendString(nil, sb.String())))
	}
}
