package encode

import (
	"strings"
	"unicode/utf8"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/jsonenc"
)

// TruncationMarker flags a field cut down to fit LangSmith's request limit.
const TruncationMarker = "otelcol_langsmith_truncated"

// FitRun returns a copy of r, and its encoding, in which the largest
// out-of-band fields (a huge prompt, a huge attribute dump) are replaced by a
// preview until the run fits in limit bytes: a run cut down is worth more than
// a run dropped. ok is false when the run cannot fit even so.
func FitRun(r *runmap.Run, er *EncodedRun, limit int) (*runmap.Run, *EncodedRun, bool) {
	cp := *r
	for er.Size+ClosingSize(BoundaryLen) > limit {
		field, size := largestField(er)
		if field == "" {
			return nil, nil, false
		}
		// Leave room for the other parts; a preview is at most half the budget.
		budget := max((limit-(er.Size-size))/2, 0)
		if !cutField(&cp, field, size, budget) {
			return nil, nil, false
		}
		next, _, err := Run(&cp)
		if err != nil || next.Size >= er.Size {
			return nil, nil, false
		}
		er = next
	}
	return &cp, er, true
}

// largestField names the biggest out-of-band part of a run not yet cut.
func largestField(er *EncodedRun) (field string, size int) {
	prefix := "post." + er.Run.ID + "."
	for _, p := range er.parts {
		f, ok := strings.CutPrefix(p.name, prefix)
		if !ok || len(p.body) <= size || alreadyCut(p.body) {
			continue
		}
		field, size = f, len(p.body)
	}
	return field, size
}

func alreadyCut(body []byte) bool {
	return len(body) < 4096 && strings.Contains(string(body), TruncationMarker)
}

// cutField replaces one field of r with a preview of at most budget bytes.
func cutField(r *runmap.Run, field string, originalBytes, budget int) bool {
	note := func(preview string) map[string]any {
		return map[string]any{TruncationMarker: true, "original_bytes": originalBytes, "preview": preview}
	}
	switch field {
	case "inputs":
		r.Inputs = note(previewOf(r.Inputs, budget))
	case "outputs":
		cut := note(previewOf(r.Outputs, budget))
		// Token usage drives cost: keep it whatever else is cut.
		if u, ok := r.Outputs["usage_metadata"]; ok {
			cut["usage_metadata"] = u
		}
		r.Outputs = cut
	case "events":
		r.Events = []map[string]any{{"name": TruncationMarker, "kwargs": note(previewOf(r.Events, budget))}}
	case "extra":
		r.Extra = cutExtra(r.Extra, originalBytes, budget)
	case "error":
		r.Error = truncateUTF8(r.Error, budget) + "\n[truncated by otelcol-langsmith]"
	default:
		return false
	}
	return true
}

// cutExtra keeps the small metadata values (model, provider, usage, thread
// id: what LangSmith needs for cost and grouping) and drops the big ones.
func cutExtra(extra map[string]any, originalBytes, budget int) map[string]any {
	out := map[string]any{}
	kept := map[string]any{TruncationMarker: true, "original_extra_bytes": originalBytes}
	used := 0
	keep := func(k string, v any) {
		size := len(previewOf(v, 1024+1))
		if size > 1024 || used+size > budget {
			return
		}
		kept[k] = v
		used += size
	}
	// The mapping writes metadata as a jsonenc.Object.
	switch md := extra["metadata"].(type) {
	case jsonenc.Object:
		for _, m := range md {
			keep(m.Key, m.Any())
		}
	case map[string]any:
		for k, v := range md {
			keep(k, v)
		}
	}
	out["metadata"] = kept
	return out
}

// previewOf renders v as JSON and keeps at most n bytes of it.
func previewOf(v any, n int) string {
	body, err := jsonenc.Marshal(v)
	if err != nil {
		return ""
	}
	return truncateUTF8(string(body), n)
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
