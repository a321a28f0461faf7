package rawjson

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var validCases = []string{
	``, ` `, `null`, ` true `, `false`, `nul`, `nulls`, `truex`, `0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e`, `1e+`,
	`1E-07`, `-12.5e10`, `1 2`, `"`, `"a`, `"a"`, `"\"`, `"\\"`, `"\u00e9"`, `"\u00g9"`, `"\u00e"`, `"\x"`,
	"\"tab\there\"", "\"nl\n\"", "\"\xff\xfe\"", `"\/\b\f\n\r\t"`, `{}`, `{ }`, `[]`, `[ ]`, `[1,]`, `[,1]`, `[1 2]`,
	`{"a":1,}`, `{"a" 1}`, `{"a":}`, `{a:1}`, `{"a":1 "b":2}`, `{"a":[{"b":null}],"c":"d"}`, `[[[]]]`, `[[]`,
	`{"a":1}}`, "\t[\r\n1\n]\r\n", `[1,2,3`, `{"a":"b"`, `[-]`, `[--1]`, `[1e5,1E+5,0.0e-0]`,
	"\x00", `[tru]`, `[fals]`, `{"a":nul}`,
}

func TestValidMatchesEncodingJSON(t *testing.T) {
	for _, s := range validCases {
		require.Equal(t, json.Valid([]byte(s)), Valid(s), "%q", s)
	}
	// encoding/json's nesting limit: 10000 levels pass, 10001 do not.
	for _, n := range []int{10000, 10001} {
		for _, open := range []string{"[", `{"a":`} {
			closing := "]"
			if open != "[" {
				closing = "}"
			}
			s := strings.Repeat(open, n) + "1" + strings.Repeat(closing, n)
			require.Equal(t, json.Valid([]byte(s)), Valid(s), "depth %d %s", n, open)
		}
	}
	require.True(t, Valid(`{"a":[1,"x",{"b":null}]}`))
	require.False(t, Valid(`{"a":[1,"x",{"b":null}]`))
}

func FuzzValid(f *testing.F) {
	for _, s := range validCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		require.Equal(t, json.Valid([]byte(s)), Valid(s), "%q", s)
	})
}
