package langsmithexporter

import (
	"strings"
	"unicode/utf8"
)

// truncationMarker flags a field cut down to fit LangSmith's request limit.
const truncationMarker = "otelcol_langsmith_truncated"

// fitRun returns a copy of r, and its encoding, in which the largest
// out-of-band fields (a huge prompt, a huge attribute dump) are replaced by a
// preview until the run fits in limit bytes: a run cut down is worth more than
// a run dropped. ok is false when the run cannot fit even so.
func fitRun(r *run, er *encodedRun, limit int) (*run, *encodedRun, bool) {
	cp := *r
	for er.size+closingSize(boundaryLen) > limit {
		field, size := largestField(er)
		if field == "" {
			return nil, nil, false
		}
		// Leave room for the other parts; a preview is at most half the budget.
		budget := max((limit-(er.size-size))/2, 0)
		if !cutField(&cp, field, size, budget) {
			return nil, nil, false
		}
		next, _, err := encodeRun(&cp)
		if err != nil || next.size >= er.size {
			return nil, nil, false
		}
		er = next
	}
	return &cp, er, true
}

// largestField names the biggest out-of-band part of a run not yet cut.
func largestField(er *encodedRun) (field string, size int) {
	prefix := "post." + er.run.ID + "."
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
	return len(body) < 4096 && strings.Contains(string(body), truncationMarker)
}

// cutField replaces one field of r with a preview of at most budget bytes.
func cutField(r *run, field string, originalBytes, budget int) bool {
	note := func(preview string) map[string]any {
		return map[string]any{truncationMarker: true, "original_bytes": originalBytes, "preview": preview}
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
		r.Events = []map[string]any{{"name": truncationMarker, "kwargs": note(previewOf(r.Events, budget))}}
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
	md, _ := extra["metadata"].(map[string]any)
	kept := map[string]any{truncationMarker: true, "original_extra_bytes": originalBytes}
	used := 0
	for k, v := range md {
		size := len(previewOf(v, 1024+1))
		if size > 1024 || used+size > budget {
			continue
		}
		kept[k] = v
		used += size
	}
	out["metadata"] = kept
	return out
}

// previewOf renders v as JSON and keeps at most n bytes of it.
func previewOf(v any, n int) string {
	body, err := encodeJSON(v)
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
