package jsonenc

import (
	"encoding/json"
	"math/rand"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// An Object built by appending members, then Sorted, encodes like the map the
// same assignments give, through Append and through encoding/json.
func TestObjectEncodesLikeMap(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	keys := []string{"a", "b", "otel.span_id", "thread_id", "z<", "é", "a\u2028", ""}
	values := []any{"s", "", nil, true, int64(3), 1.5, map[string]any{"k": "v"}, []any{"x"}, json.Number("2")}
	for i := 0; i < 2000; i++ {
		o := Object{} // a nil Object is null, as a nil map is
		want := map[string]any{}
		for n := r.Intn(12); n > 0; n-- {
			k, v := keys[r.Intn(len(keys))], values[r.Intn(len(values))]
			o = append(o, AnyMember(k, v))
			want[k] = v
		}
		unsorted := slices.Clone(o)
		sorted := o.Sorted()
		require.Equal(t, unsorted, o, "Sorted leaves its input as it was")
		o = sorted
		require.Len(t, o, len(want))
		require.Equal(t, want, o.Map())
		wantJSON, err := Append(nil, want)
		require.NoError(t, err)
		got, err := Append(nil, o)
		require.NoError(t, err)
		require.Equal(t, string(wantJSON), string(got))
		std, err := Marshal(map[string]any{"metadata": o})
		require.NoError(t, err)
		wantStd, err := Marshal(map[string]any{"metadata": want})
		require.NoError(t, err)
		require.Equal(t, string(wantStd), string(std))
	}
	require.Equal(t, -1, Object{StrMember("a", "x")}.Index("b"))
	require.Equal(t, 1, Object{StrMember("a", "x"), StrMember("a", "y")}.Index("a"))
	require.True(t, StrMember("a", "").IsStr())
	require.False(t, AnyMember("a", nil).IsStr())
}
