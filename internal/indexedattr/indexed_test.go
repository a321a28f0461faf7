package indexedattr

import (
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGroupOrdersByIndexAndSkipsOtherKeys(t *testing.T) {
	attrs := map[string]string{
		"gen_ai.prompt.10.role":               "user",
		"gen_ai.prompt.2.role":                "system",
		"gen_ai.prompt.2.tool_calls.0.name":   "t",
		"gen_ai.prompt.prompt_filter_results": "x",
		"gen_ai.prompt.-1.role":               "bad",
		"gen_ai.prompt.3":                     "no field",
		"gen_ai.completion.0.content":         "other family",
	}
	got := Group(maps.All(attrs), "gen_ai.prompt.")
	assert.Equal(t, []map[string]string{
		{"role": "system", "tool_calls.0.name": "t"},
		{"role": "user"},
	}, got)
	assert.Equal(t, []map[string]string{{"name": "t"}}, Group(maps.All(got[0]), "tool_calls."))
	assert.Empty(t, Group(maps.All(attrs), "llm.input_messages."))
}
