package jsonenc

import (
	"cmp"
	"slices"
	"strings"
)

// Object is a JSON object held as its members instead of a map[string]any:
// the mapping builds each run's metadata (15 to 30 keys) this way, appending
// members without hashing them and without boxing string values, and sorts
// them once (Sorted). It is written member by member in its order, so an
// Object from Sorted encodes byte for byte like the map[string]any with the
// same entries (encoding/json sorts map keys).
type Object []Member

// Member is one member of an Object. A string value is held in Str (storing
// a string in an interface allocates), any other value in Value.
type Member struct {
	Key   string
	Str   string
	Value any // strValue when the value is Str
}

// strTag marks a Member whose value is its Str.
type strTag struct{}

var strValue any = strTag{}

// StrMember is a member with a string value.
func StrMember(key, s string) Member { return Member{Key: key, Str: s, Value: strValue} }

// AnyMember is a member with any value; a string is kept unboxed.
func AnyMember(key string, v any) Member {
	if s, ok := v.(string); ok {
		return StrMember(key, s)
	}
	return Member{Key: key, Value: v}
}

// IsStr reports whether the member's value is its Str.
func (m Member) IsStr() bool { return m.Value == strValue }

// Any is the member's value as an interface value.
func (m Member) Any() any {
	if m.IsStr() {
		return m.Str
	}
	return m.Value
}

// Sorted returns o's members ordered by key in a new Object of their exact
// size, without the members whose key a later member repeats: the last one
// set wins, as with map assignments. o is left as it was.
func (o Object) Sorted() Object {
	// Sorting positions (no pointers, so no write barriers) rather than the
	// members, with the position as tie-break to keep the last of a key.
	var buf [64]int32
	idx := buf[:0]
	if len(o) > len(buf) {
		idx = make([]int32, 0, len(o))
	}
	for i := range o {
		idx = append(idx, int32(i))
	}
	slices.SortFunc(idx, func(a, b int32) int {
		if c := strings.Compare(o[a].Key, o[b].Key); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	n := 0
	for j := range idx {
		if j+1 == len(idx) || o[idx[j+1]].Key != o[idx[j]].Key {
			n++
		}
	}
	out := make(Object, 0, n)
	for j, i := range idx {
		if j+1 == len(idx) || o[idx[j+1]].Key != o[i].Key {
			out = append(out, o[i])
		}
	}
	return out
}

// Index is the position of the last member named key, or -1.
func (o Object) Index(key string) int {
	for i := len(o) - 1; i >= 0; i-- {
		if o[i].Key == key {
			return i
		}
	}
	return -1
}

// Map returns o's members as a map (the last member of a key wins).
func (o Object) Map() map[string]any {
	m := make(map[string]any, len(o))
	for _, e := range o {
		m[e.Key] = e.Any()
	}
	return m
}

// MarshalJSON writes o's members in their order, for encoding/json.
func (o Object) MarshalJSON() ([]byte, error) {
	return appendObject(nil, o, 0)
}

// appendObject writes o's members in their order.
func appendObject(dst []byte, o Object, depth int) ([]byte, error) {
	if o == nil {
		return append(dst, "null"...), nil
	}
	dst = append(dst, '{')
	var err error
	for i, m := range o {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, m.Key)
		dst = append(dst, ':')
		if m.IsStr() {
			dst = AppendString(dst, m.Str)
			continue
		}
		if dst, err = appendValue(dst, m.Value, depth+1, false); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}
