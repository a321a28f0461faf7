package langsmithtest

import (
	"fmt"
	"strings"
)

// validatePatch checks a patch payload against the run it updates.
func validatePatch(m map[string]any, run Run) []string {
	ref := fmt.Sprintf(" for run_id:%s", run.ID)
	var errs []string
	for _, k := range []string{"trace_id", "parent_run_id", "dotted_order"} {
		s, present, err := stringField(m, k)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%v%s", err, ref))
			continue
		}
		if present && !strings.EqualFold(s, storedField(run, k)) {
			errs = append(errs, fmt.Sprintf("patch '%s' %q differs from the posted run's %q%s", k, s, storedField(run, k), ref))
		}
	}
	start, err := parseRFC3339(run.StartTime)
	errs = append(errs, checkEndTime(m, start, err == nil, ref)...)
	errs = append(errs, checkInlineFields(m, ref)...)
	return errs
}

func storedField(run Run, k string) string {
	switch k {
	case "trace_id":
		return run.TraceID
	case "parent_run_id":
		return run.ParentRunID
	default:
		return run.DottedOrder
	}
}

// applyPatch updates run from a validated patch. It reports a conflict (409) when the patch sets
// a field the run already has, as LangSmith refuses "updating it again with more outputs".
func applyPatch(run *Run, m map[string]any) (conflict bool) {
	has := func(k string) bool { v, ok := m[k]; return ok && v != nil }
	if (has("end_time") && run.EndTime != "") || (has("outputs") && run.Outputs != nil) ||
		(has("error") && run.Error != "") || (has("inputs") && run.Inputs != nil) {
		return true
	}
	patched := runFromPayload(m, run.APIKey, run.TenantID)
	if has("end_time") {
		run.EndTime = patched.EndTime
	}
	if has("outputs") {
		run.Outputs = patched.Outputs
	}
	if has("inputs") {
		run.Inputs = patched.Inputs
	}
	if has("error") {
		run.Error = patched.Error
	}
	run.Events = append(run.Events, patched.Events...)
	run.Tags = append(run.Tags, patched.Tags...)
	if patched.Extra != nil {
		if run.Extra == nil {
			run.Extra = map[string]any{}
		}
		for k, v := range patched.Extra {
			run.Extra[k] = v
		}
	}
	return false
}
