package langsmithtest

import (
	"fmt"
	"time"
)

// RunTypes are the run_type values LangSmith accepts.
var RunTypes = []string{"llm", "chain", "tool", "retriever", "embedding", "prompt", "parser"}

func validRunType(s string) bool {
	for _, t := range RunTypes {
		if s == t {
			return true
		}
	}
	return false
}

// stringField reads an optional string field: present is false for absent or null.
func stringField(m map[string]any, key string) (s string, present bool, err error) {
	v, ok := m[key]
	if !ok || v == nil {
		return "", false, nil
	}
	s, ok = v.(string)
	if !ok {
		return "", true, fmt.Errorf("'%s' must be a string, got %s", key, jsonKind(v))
	}
	return s, true, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	default:
		return "number"
	}
}

func parseRFC3339(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}

// validatePost returns every rule a post payload breaks (nil when valid).
func validatePost(m map[string]any) []string {
	var errs []string
	add := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }

	rawID, _, err := stringField(m, "id")
	id, idOK := canonUUID(rawID)
	switch {
	case err != nil:
		add("%v", err)
	case rawID == "":
		add("'id' is required")
	case !idOK:
		add("invalid 'id': %q is not a UUID", rawID)
	}
	ref := fmt.Sprintf(" for run_id:%s", rawID)

	rawTrace, _, err := stringField(m, "trace_id")
	traceID, traceOK := canonUUID(rawTrace)
	switch {
	case err != nil:
		add("%v%s", err, ref)
	case rawTrace == "":
		add("'trace_id' is required%s", ref)
	case !traceOK:
		add("invalid 'trace_id': %q is not a UUID%s", rawTrace, ref)
	}

	rawParent, hasParent, err := stringField(m, "parent_run_id")
	if rawParent == "" {
		hasParent = false
	}
	parentID, parentOK := canonUUID(rawParent)
	switch {
	case err != nil:
		add("%v%s", err, ref)
	case hasParent && !parentOK:
		add("invalid 'parent_run_id': %q is not a UUID%s", rawParent, ref)
	}

	if name, _, err := stringField(m, "name"); err != nil || name == "" {
		add("'name' is required and must be a non-empty string%s", ref)
	}
	if rt, _, err := stringField(m, "run_type"); err != nil || !validRunType(rt) {
		add("invalid 'run_type' %v: must be one of %v%s", m["run_type"], RunTypes, ref)
	}
	sessName, _, errName := stringField(m, "session_name")
	sessID, _, errID := stringField(m, "session_id")
	switch {
	case errName != nil || errID != nil:
		add("'session_name' and 'session_id' must be strings%s", ref)
	case sessName == "" && sessID == "":
		add("one of 'session_name' or 'session_id' is required%s", ref)
	case sessID != "":
		if _, ok := canonUUID(sessID); !ok {
			add("invalid 'session_id': %q is not a UUID%s", sessID, ref)
		}
	}

	start, startOK := time.Time{}, false
	if s, _, err := stringField(m, "start_time"); err != nil || s == "" {
		add("'start_time' is required as an RFC 3339 string%s", ref)
	} else if start, err = parseRFC3339(s); err != nil {
		add("invalid 'start_time' %q: %v%s", s, err, ref)
	} else {
		startOK = true
	}
	errs = append(errs, checkEndTime(m, start, startOK, ref)...)
	errs = append(errs, checkInlineFields(m, ref)...)

	dotted, _, err := stringField(m, "dotted_order")
	if err != nil || dotted == "" {
		add("'dotted_order' is required%s", ref)
		return errs
	}
	if !idOK || !traceOK || (hasParent && !parentOK) {
		return errs
	}
	segs, err := parseDottedOrder(dotted)
	if err != nil {
		add("%v%s", err, ref)
		return errs
	}
	errs = append(errs, checkDottedOrder(segs, id, traceID, parentID, hasParent, start, startOK, ref)...)
	return errs
}

// checkDottedOrder applies the dotted_order invariants of §3.3.
func checkDottedOrder(segs []segment, id, traceID, parentID string, hasParent bool, start time.Time, startOK bool, ref string) []string {
	var errs []string
	add := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	last := segs[len(segs)-1]
	if last.id != id {
		add("invalid 'dotted_order': last run id %s does not match id%s", last.id, ref)
	}
	if segs[0].id != traceID {
		add("invalid 'dotted_order': first run id %s does not match trace_id %s%s", segs[0].id, traceID, ref)
	}
	if !hasParent {
		if len(segs) != 1 {
			add("dotted_order must contain a single part for root runs%s parent_run_id:None", ref)
		}
		if traceID != id {
			add("trace_id %s must equal id for root runs%s", traceID, ref)
		}
	} else {
		if len(segs) < 2 {
			add("dotted_order must contain at least two parts for child runs%s", ref)
		} else if segs[len(segs)-2].id != parentID {
			add("invalid 'dotted_order': parent run id %s does not match parent_run_id %s%s", segs[len(segs)-2].id, parentID, ref)
		}
	}
	for i := 1; i < len(segs); i++ {
		if segs[i].ts.Before(segs[i-1].ts) {
			add("dotted_order has timestamp %s earlier than parent timestamp %s%s", pyTime(segs[i].ts), pyTime(segs[i-1].ts), ref)
		}
	}
	if startOK && !start.Truncate(time.Microsecond).Equal(last.ts) {
		add("'start_time' %s does not match the dotted_order timestamp %s%s", start.UTC().Format(time.RFC3339Nano), pyTime(last.ts), ref)
	}
	return errs
}

func checkEndTime(m map[string]any, start time.Time, startOK bool, ref string) []string {
	s, present, err := stringField(m, "end_time")
	if err != nil {
		return []string{fmt.Sprintf("invalid 'end_time': %v%s", err, ref)}
	}
	if !present {
		return nil
	}
	end, err := parseRFC3339(s)
	if err != nil {
		return []string{fmt.Sprintf("invalid 'end_time' %q: %v%s", s, err, ref)}
	}
	if startOK && end.Before(start) {
		return []string{fmt.Sprintf("'end_time' %s is earlier than 'start_time' %s%s", s, start.Format(time.RFC3339Nano), ref)}
	}
	return nil
}

// checkInlineFields checks the JSON types of the out-of-band-capable fields and tags.
func checkInlineFields(m map[string]any, ref string) []string {
	var errs []string
	for _, f := range []string{"inputs", "outputs", "extra", "serialized", "events", "error"} {
		if v, ok := m[f]; ok && v != nil {
			if err := checkFieldValue(f, v); err != nil {
				errs = append(errs, fmt.Sprintf("%v%s", err, ref))
			}
		}
	}
	if v, ok := m["tags"]; ok && v != nil {
		arr, isArr := v.([]any)
		if !isArr {
			errs = append(errs, fmt.Sprintf("'tags' must be an array of strings%s", ref))
		}
		for _, t := range arr {
			if _, isStr := t.(string); !isStr {
				errs = append(errs, fmt.Sprintf("'tags' must be an array of strings%s", ref))
				break
			}
		}
	}
	return errs
}

// checkFieldValue enforces the JSON type of a run field (inline or out-of-band part).
func checkFieldValue(field string, v any) error {
	switch field {
	case "inputs", "outputs", "extra", "serialized":
		if _, ok := v.(map[string]any); !ok {
			return fmt.Errorf("'%s' must be a JSON object, got %s", field, jsonKind(v))
		}
	case "events":
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("'events' must be a JSON array, got %s", jsonKind(v))
		}
		for i, e := range arr {
			if _, ok := e.(map[string]any); !ok {
				return fmt.Errorf("'events[%d]' must be a JSON object, got %s", i, jsonKind(e))
			}
		}
	case "error":
		if _, ok := v.(string); !ok {
			return fmt.Errorf("'error' must be a JSON string, got %s", jsonKind(v))
		}
	}
	return nil
}

// runFromPayload converts a validated post payload into a Run.
func runFromPayload(m map[string]any, apiKey, tenantID string) Run {
	str := func(k string) string { s, _, _ := stringField(m, k); return s }
	r := Run{
		ID: str("id"), TraceID: str("trace_id"), ParentRunID: str("parent_run_id"),
		DottedOrder: str("dotted_order"), Name: str("name"), RunType: str("run_type"),
		StartTime: str("start_time"), EndTime: str("end_time"), SessionName: str("session_name"),
		SessionID: str("session_id"), Error: str("error"), APIKey: apiKey, TenantID: tenantID,
	}
	r.Inputs, _ = m["inputs"].(map[string]any)
	r.Outputs, _ = m["outputs"].(map[string]any)
	r.Extra, _ = m["extra"].(map[string]any)
	if tags, ok := m["tags"].([]any); ok {
		for _, t := range tags {
			r.Tags = append(r.Tags, t.(string))
		}
	}
	if evs, ok := m["events"].([]any); ok {
		for _, e := range evs {
			r.Events = append(r.Events, e.(map[string]any))
		}
	}
	return r
}
