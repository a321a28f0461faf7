package runmap

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestUsageMetadata(t *testing.T) {
	tests := []struct {
		name  string
		attrs map[string]any
		want  string // JSON; "null" when no usage
	}{
		{
			name:  "no tokens",
			attrs: map[string]any{"gen_ai.request.model": "gpt-4o"},
			want:  `null`,
		},
		{
			name:  "details alone are not usage",
			attrs: map[string]any{"gen_ai.usage.cache_read.input_tokens": 0, "gen_ai.usage.reasoning_tokens": 0},
			want:  `null`,
		},
		{
			name: "openllmetry 0.55+ semconv",
			attrs: map[string]any{
				"gen_ai.usage.input_tokens": 236, "gen_ai.usage.output_tokens": 21, "gen_ai.usage.total_tokens": 257,
				"gen_ai.usage.cache_read.input_tokens": 128, "gen_ai.usage.reasoning_tokens": 4,
			},
			want: `{"input_tokens":236,"output_tokens":21,"total_tokens":257,
				"input_token_details":{"cache_read":128},"output_token_details":{"reasoning":4}}`,
		},
		{
			name: "openllmetry <=0.47 deprecated names",
			attrs: map[string]any{
				"gen_ai.usage.prompt_tokens": 10, "gen_ai.usage.completion_tokens": 5, "llm.usage.total_tokens": 15,
				"gen_ai.usage.cache_read_input_tokens": 2,
			},
			want: `{"input_tokens":10,"output_tokens":5,"total_tokens":15,"input_token_details":{"cache_read":2}}`,
		},
		{
			name: "openllmetry 0.48-0.54",
			attrs: map[string]any{
				"gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5, "llm.usage.total_tokens": 15,
				"llm.usage.reasoning_tokens": 3, "gen_ai.usage.cache_creation.input_tokens": 7,
			},
			want: `{"input_tokens":10,"output_tokens":5,"total_tokens":15,
				"input_token_details":{"cache_creation":7},"output_token_details":{"reasoning":3}}`,
		},
		{
			name: "microsoft agent framework",
			attrs: map[string]any{
				"gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5,
				"gen_ai.usage.cache_read.input_tokens": 2, "gen_ai.usage.reasoning.output_tokens": 1,
			},
			want: `{"input_tokens":10,"output_tokens":5,"total_tokens":15,
				"input_token_details":{"cache_read":2},"output_token_details":{"reasoning":1}}`,
		},
		{
			name:  "langsmith documented reasoning key",
			attrs: map[string]any{"gen_ai.usage.input_tokens": 1, "gen_ai.usage.output_tokens": 2, "gen_ai.usage.details.reasoning_tokens": 1},
			want:  `{"input_tokens":1,"output_tokens":2,"total_tokens":3,"output_token_details":{"reasoning":1}}`,
		},
		{
			name: "openinference token counts",
			attrs: map[string]any{
				"llm.token_count.prompt": 30, "llm.token_count.completion": 12, "llm.token_count.total": 42,
				"llm.token_count.prompt_details.cache_read": 5, "llm.token_count.completion_details.audio": 1,
			},
			want: `{"input_tokens":30,"output_tokens":12,"total_tokens":42,
				"input_token_details":{"cache_read":5},"output_token_details":{"audio":1}}`,
		},
		{
			name:  "total computed when absent",
			attrs: map[string]any{"gen_ai.usage.input_tokens": 7, "gen_ai.usage.output_tokens": 8},
			want:  `{"input_tokens":7,"output_tokens":8,"total_tokens":15}`,
		},
		{
			name:  "only input (embedding): output is zero",
			attrs: map[string]any{"gen_ai.usage.input_tokens": 9},
			want:  `{"input_tokens":9,"output_tokens":0,"total_tokens":9}`,
		},
		{
			name:  "only total",
			attrs: map[string]any{"llm.usage.total_tokens": 99},
			want:  `{"total_tokens":99}`,
		},
		{
			name:  "integral doubles and numeric strings",
			attrs: map[string]any{"gen_ai.usage.input_tokens": 12.0, "gen_ai.usage.output_tokens": " 3 ", "gen_ai.usage.total_tokens": "15.0"},
			want:  `{"input_tokens":12,"output_tokens":3,"total_tokens":15}`,
		},
		{
			name: "fractional, negative and garbage counts fall through to the next spelling",
			attrs: map[string]any{
				"gen_ai.usage.input_tokens": 1.5, "gen_ai.usage.prompt_tokens": 4,
				"gen_ai.usage.output_tokens": -3, "gen_ai.usage.completion_tokens": "lots",
				"gen_ai.usage.total_tokens": math.NaN(),
			},
			want: `{"input_tokens":4,"output_tokens":0,"total_tokens":4}`,
		},
		{
			name: "langsmith.usage_metadata overrides field by field",
			attrs: map[string]any{
				"gen_ai.usage.input_tokens": 1, "gen_ai.usage.output_tokens": 2, "gen_ai.usage.cache_read.input_tokens": 0,
				"langsmith.usage_metadata": `{"input_tokens": 100, "output_tokens": 20.0, "input_token_details": {"cache_read": 50, "ephemeral_5m_input_tokens": 3, "bad": "x"},
					"output_token_details": {"reasoning": 5}, "total_cost": 0.25, "bogus": 1}`,
			},
			want: `{"input_tokens":100,"output_tokens":20,"total_tokens":120,"total_cost":0.25,
				"input_token_details":{"cache_read":50,"ephemeral_5m_input_tokens":3},"output_token_details":{"reasoning":5}}`,
		},
		{
			name:  "langsmith.usage_metadata alone",
			attrs: map[string]any{"langsmith.usage_metadata": `{"input_tokens": 3, "output_tokens": 4, "total_tokens": 7}`},
			want:  `{"input_tokens":3,"output_tokens":4,"total_tokens":7}`,
		},
		{
			name:  "malformed langsmith.usage_metadata is ignored",
			attrs: map[string]any{"langsmith.usage_metadata": `{"input_tokens": 3,`, "gen_ai.usage.input_tokens": 1, "gen_ai.usage.output_tokens": 1},
			want:  `{"input_tokens":1,"output_tokens":1,"total_tokens":2}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attrs := pcommon.NewMap()
			require.NoError(t, attrs.FromRaw(tt.attrs))
			got := usageMetadata(attrs)
			assert.JSONEq(t, tt.want, mappingJSON(t, got))
			if got != nil {
				// LangSmith only counts ints.
				for _, k := range []string{"input_tokens", "output_tokens", "total_tokens"} {
					if v, ok := got[k]; ok {
						assert.IsType(t, int64(0), v, k)
					}
				}
			}
		})
	}
}

func TestTokenCount(t *testing.T) {
	good := map[any]int64{int64(5): 5, 5.0: 5, "7": 7, " 8 ": 8, "9.0": 9, int64(0): 0}
	for in, want := range good {
		n, ok := tokenCount(in)
		assert.True(t, ok, "%#v", in)
		assert.Equal(t, want, n, "%#v", in)
	}
	for _, in := range []any{int64(-1), 1.5, "1.5", "abc", "", nil, true, math.Inf(1), "NaN", 1e300, []any{1}} {
		_, ok := tokenCount(in)
		assert.False(t, ok, "%#v", in)
	}
}
