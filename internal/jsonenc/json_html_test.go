package jsonenc

import (
	"encoding/json"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonTestStrings cover every escaping rule: HTML characters, quotes,
// backslashes, control characters, U+2028/9, invalid and multi-byte UTF-8.
var jsonTestStrings = []string{
	"", "plain", `a "quoted" \ back\slash`, "<b>&amp;</b>", "tab\tnl\nret\rbs\bff\f", "\x00\x01\x1f\x7f",
	"line\u2028sep\u2029", "caf\u00e9 \u65e5\u672c \U0001F600", "bad\xffutf8\xc3", "\xe2\x80", "x</script>y",
}

func jsonTestValue(r *rand.Rand, depth int) any {
	switch k := r.Intn(11); {
	case depth > 3 || k < 3:
		return jsonTestStrings[r.Intn(len(jsonTestStrings))] + strings.Repeat("z", r.Intn(3))
	case k == 3:
		return r.Intn(2) == 0
	case k == 4:
		return []float64{0, -1.5, 1e-7, 1e21, 123456789, 3.14159, 1e-300, -0.0}[r.Intn(8)]
	case k == 5:
		return r.Int63() - r.Int63()
	case k == 6:
		return nil
	case k == 7:
		out := []any{}
		for i := r.Intn(4); i > 0; i-- {
			out = append(out, jsonTestValue(r, depth+1))
		}
		return out
	case k == 8:
		var out []map[string]any
		for i := r.Intn(3); i > 0; i-- {
			out = append(out, jsonTestMap(r, depth+1))
		}
		return out
	case k == 9:
		return json.RawMessage(`{"b": [1, 2], "a":"<x>"}`)
	default:
		return jsonTestMap(r, depth)
	}
}

func jsonTestMap(r *rand.Rand, depth int) map[string]any {
	out := map[string]any{}
	for i := r.Intn(20); i > 0; i-- {
		out[jsonTestStrings[r.Intn(len(jsonTestStrings))]+string(rune('a'+r.Intn(26)))] = jsonTestValue(r, depth+1)
	}
	return out
}

// AppendHTML against json.Marshal on random values of the shapes dialects
// write, and on the edge cases of each type.
func TestAppendHTMLMatchesJSONMarshal(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 5000; i++ {
		v := jsonTestValue(r, 0)
		want, wantErr := json.Marshal(v)
		got, err := AppendHTML(nil, v)
		require.Equal(t, wantErr == nil, err == nil, "%#v", v)
		if err == nil {
			require.Equal(t, string(want), string(got), "%#v", v)
		}
	}
	for _, v := range []any{
		map[string]string{"b": "<1>", "a": "x\xff"}, []string{"a", "<"}, []string(nil), map[string]any(nil),
		[]map[string]any(nil), 42, int64(-7), math.NaN(), []any{math.Inf(1)}, struct{ A string }{"&"},
	} {
		want, wantErr := json.Marshal(v)
		got, err := AppendHTML(nil, v)
		assert.Equal(t, wantErr == nil, err == nil, "%#v", v)
		if err == nil {
			assert.Equal(t, string(want), string(got), "%#v", v)
		}
	}
}

func FuzzAppendHTMLString(f *testing.F) {
	for _, s := range jsonTestStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := []map[string]any{{s: s, "k": []any{s}}}
		want, err := json.Marshal(v)
		require.NoError(t, err)
		got, err := AppendHTML(nil, v)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
	})
}
