package rawjson

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeRaw builds the value of v with this package's readers alone, the
// way encoding/json decodes it with UseNumber (last duplicate key wins).
func decodeRaw(t testing.TB, v string) any {
	switch {
	case IsObject(v):
		m := map[string]any{}
		for k, val := range Members(v) {
			m[k] = decodeRaw(t, val)
		}
		return m
	case IsArray(v):
		l := []any{}
		for e := range Elements(v) {
			l = append(l, decodeRaw(t, e))
		}
		return l
	case IsString(v):
		s, ok := String(v)
		require.True(t, ok, v)
		return s
	case IsNull(v):
		return nil
	case v == "true", v == "false":
		return v == "true"
	}
	return json.Number(v)
}

func decodeStd(t testing.TB, v string) any {
	dec := json.NewDecoder(strings.NewReader(v))
	dec.UseNumber()
	var out any
	require.NoError(t, dec.Decode(&out))
	return out
}

var samples = []string{
	`{}`, `[]`, `""`, `0`, `-1.5e+10`, `true`, `false`, `null`,
	` { "a" : [ 1 , 2 , { "b" : null } ] , "c" : "d" } `,
	"{\n\t\"k\":\r\n\"v\"}",
	`{"a":1,"a":2}`,
	`{"r\u006fle":"x","esc":"\"\\\/\b\f\n\r\t\u00e9\ud83c\udf89","lone":"\ud800x","bad":"\udc00\ud800"}`,
	`[{"role": "system", "parts": [{"content": "hi\nthere", "type": "text"}]}, "s", 3, [[]], {}]`,
	`{"nested":{"deep":[{"x":[1,{"y":"]}\"{["}]}]}}`,
	"\"bad utf8 \xff\xfe end\"", "\"\xe2\x82\"", `"snowman ☃ 🎉"`, "\"\u2028\"",
}

func TestReadersMatchEncodingJSON(t *testing.T) {
	for _, s := range samples {
		require.True(t, Valid(s), s)
		assert.Equal(t, decodeStd(t, s), decodeRaw(t, strings.TrimSpace(s)), s)
	}
}

// Random documents, compared with encoding/json.
func TestReadersRandomDocuments(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "\"", "\\", "\n", "\x00", "\u2028", "é", "🎉", "\xff", "{", "]", ",", ":", " "}
	genString := func() string {
		var sb strings.Builder
		for i := rng.IntN(8); i > 0; i-- {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return sb.String()
	}
	var gen func(depth int) any
	gen = func(depth int) any {
		switch n := rng.IntN(7); {
		case n == 0 && depth < 4:
			m := map[string]any{}
			for i := rng.IntN(4); i > 0; i-- {
				m[genString()] = gen(depth + 1)
			}
			return m
		case n == 1 && depth < 4:
			l := []any{}
			for i := rng.IntN(4); i > 0; i-- {
				l = append(l, gen(depth+1))
			}
			return l
		case n == 2:
			return rng.NormFloat64() * 1e6
		case n == 3:
			return nil
		case n == 4:
			return rng.IntN(2) == 0
		}
		return genString()
	}
	for range 3000 {
		b, err := json.MarshalIndent(gen(0), "", " ")
		require.NoError(t, err)
		s := string(b)
		assert.Equal(t, decodeStd(t, s), decodeRaw(t, s), s)
	}
}

func TestStringRejectsNonStrings(t *testing.T) {
	for _, v := range []string{``, `"`, `1`, `{}`, `"a\x"`, `"\u12"`} {
		_, ok := String(v)
		assert.False(t, ok, v)
	}
	s, ok := String(`"plain"`)
	assert.True(t, ok)
	assert.Equal(t, "plain", s)
}

func FuzzReaders(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !Valid(s) {
			return
		}
		assert.Equal(t, decodeStd(t, s), decodeRaw(t, strings.TrimSpace(s)))
	})
}

// TestSkipStringMatchesByteLoop checks the quote-to-quote skipString against
// the byte-at-a-time loop it replaced, on strings dense in quotes and
// backslashes, terminated or not.
func TestSkipStringMatchesByteLoop(t *testing.T) {
	byteLoop := func(s string, i int) int {
		for i++; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return len(s)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte{'"', '\\', 'a', 'n'}
	for range 20000 {
		b := make([]byte, 1+rng.IntN(12))
		b[0] = '"'
		for i := 1; i < len(b); i++ {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(b)
		require.Equal(t, byteLoop(s, 0), skipString(s, 0), "%q", s)
	}
}
