package langsmithtest

import (
	"fmt"
	"sort"
	"strings"
)

// Check verifies the whole store as LangSmith would render it: every parent stored, every
// trace_id equal to the stored root of its dotted_order, children's dotted_order extending their
// parent's, no trace above the per-trace cap. It returns nil when consistent.
func (s *Server) Check() []string {
	runs := s.Runs()
	return checkRuns(runs, s.lim.maxRunsPerTrace)
}

func checkRuns(runs []Run, maxRunsPerTrace int) []string {
	byID := make(map[string]Run, len(runs))
	for _, r := range runs {
		id, _ := canonUUID(r.ID)
		byID[id] = r
	}
	var problems []string
	add := func(r Run, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("run %s (%s): ", r.ID, r.Name)+fmt.Sprintf(format, args...))
	}
	traceSizes := map[string]int{}
	for _, r := range runs {
		trace, _ := canonUUID(r.TraceID)
		traceSizes[trace]++
		if r.ParentRunID != "" {
			pid, _ := canonUUID(r.ParentRunID)
			parent, ok := byID[pid]
			switch {
			case !ok:
				add(r, "parent_run_id %s is not a stored run", r.ParentRunID)
			case !strings.HasPrefix(strings.ToLower(r.DottedOrder), strings.ToLower(parent.DottedOrder)+"."):
				add(r, "dotted_order does not start with its parent's dotted_order %q", parent.DottedOrder)
			}
		}
		segs, err := parseDottedOrder(r.DottedOrder)
		if err != nil { // cannot happen for stored runs; reported rather than trusted
			add(r, "%v", err)
			continue
		}
		root, ok := byID[segs[0].id]
		switch {
		case !ok:
			add(r, "root run %s of its dotted_order is not stored", segs[0].id)
		case root.ParentRunID != "":
			add(r, "first run %s of its dotted_order is not a root run", segs[0].id)
		case trace != segs[0].id:
			add(r, "trace_id %s is not the id of its root run %s", r.TraceID, segs[0].id)
		}
	}
	var big []string
	for trace, n := range traceSizes {
		if n > maxRunsPerTrace {
			big = append(big, fmt.Sprintf("trace %s has %d runs, above %d", trace, n, maxRunsPerTrace))
		}
	}
	sort.Strings(big)
	return append(problems, big...)
}
