package runmap

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// usageSpellings lists, per usage_metadata field, the attributes that carry
// it in each dialect, most specific first. Fields are "a" or "a.b" paths
// into usage_metadata.
var usageSpellings = []struct {
	field string
	keys  []string
}{
	{"input_tokens", []string{"gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt", "llm.usage.prompt_tokens"}},
	{"output_tokens", []string{"gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion", "llm.usage.completion_tokens"}},
	{"total_tokens", []string{"gen_ai.usage.total_tokens", "llm.usage.total_tokens", "llm.token_count.total"}},
	{"input_token_details.cache_read", []string{"gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens", "llm.token_count.prompt_details.cache_read"}},
	{"input_token_details.cache_creation", []string{"gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens", "llm.token_count.prompt_details.cache_write"}},
	{"input_token_details.audio", []string{"gen_ai.usage.input_tokens_details.audio", "llm.token_count.prompt_details.audio"}},
	{"output_token_details.reasoning", []string{"gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens", "llm.usage.reasoning_tokens", "gen_ai.usage.details.reasoning_tokens", "llm.token_count.completion_details.reasoning"}},
	{"output_token_details.audio", []string{"gen_ai.usage.output_tokens_details.audio", "llm.token_count.completion_details.audio"}},
}

// usageMetadata builds LangSmith's usage_metadata from token attributes of
// any dialect, then lets an explicit langsmith.usage_metadata JSON override
// field by field. It returns nil unless the span reports input, output or
// total tokens: details alone (openllmetry always sets cache_read = 0) say
// nothing about the call.
func usageMetadata(attrs pcommon.Map) map[string]any {
	usage := map[string]any{}
	for _, s := range usageSpellings {
		for _, k := range s.keys {
			v, ok := attrs.Get(k)
			if !ok {
				continue
			}
			if n, ok := tokenCount(valueToAny(v)); ok {
				setUsage(usage, s.field, n)
				break
			}
		}
	}
	if v, ok := attrs.Get("langsmith.usage_metadata"); ok {
		if obj, ok := decodeStructured(valueToAny(v)).(map[string]any); ok {
			mergeExplicitUsage(usage, obj)
		}
	}
	in, hasIn := usage["input_tokens"].(int64)
	out, hasOut := usage["output_tokens"].(int64)
	_, hasTotal := usage["total_tokens"].(int64)
	if !hasIn && !hasOut && !hasTotal {
		return nil
	}
	// LangSmith needs both counts as ints; one side known means the other
	// was reported as nothing (an embedding has no output tokens).
	if hasIn || hasOut {
		usage["input_tokens"], usage["output_tokens"] = in, out
		if !hasTotal {
			usage["total_tokens"] = in + out
		}
	}
	return usage
}

func setUsage(usage map[string]any, field string, n int64) {
	group, name, nested := strings.Cut(field, ".")
	if !nested {
		usage[field] = n
		return
	}
	details, _ := usage[group].(map[string]any)
	if details == nil {
		details = map[string]any{}
		usage[group] = details
	}
	details[name] = n
}

// mergeExplicitUsage takes the token fields of langsmith.usage_metadata
// (only ints, as LangSmith requires) and its optional cost fields.
func mergeExplicitUsage(usage, explicit map[string]any) {
	for k, v := range explicit {
		switch k {
		case "input_tokens", "output_tokens", "total_tokens":
			if n, ok := tokenCount(v); ok {
				usage[k] = n
			}
		case "input_token_details", "output_token_details":
			details, ok := v.(map[string]any)
			if !ok {
				continue
			}
			for dk, dv := range details {
				if n, ok := tokenCount(dv); ok {
					setUsage(usage, k+"."+dk, n)
				}
			}
		case "input_cost", "output_cost", "total_cost":
			if f, ok := costValue(v); ok {
				usage[k] = f
			}
		case "input_cost_details", "output_cost_details":
			if details, ok := v.(map[string]any); ok {
				usage[k] = details
			}
		}
	}
}

// tokenCount accepts an int, a float with an integral value, a JSON number
// or a numeric string; negative and fractional counts are rejected.
func tokenCount(v any) (int64, bool) {
	var f float64
	switch n := v.(type) {
	case int64:
		return n, n >= 0
	case float64:
		f = n
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, i >= 0
		}
		parsed, err := n.Float64()
		if err != nil {
			return 0, false
		}
		f = parsed
	case string:
		s := strings.TrimSpace(n)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, i >= 0
		}
		parsed, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, false
		}
		f = parsed
	default:
		return 0, false
	}
	if f < 0 || f != math.Trunc(f) || f > math.MaxInt64/2 {
		return 0, false
	}
	return int64(f), true
}

func costValue(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, !math.IsNaN(n) && !math.IsInf(n, 0)
	case int64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil && !math.IsInf(f, 0)
	}
	return 0, false
}
