package langsmithtest

import (
	"fmt"
	"sort"
)

// store holds what the server accepted and saw; every method expects Server.mu held.
type store struct {
	runs        []Run
	index       map[string]int // canonical run id -> position in runs
	traceCounts map[string]int // canonical trace id -> stored runs
	requests    []Request
	violations  []string
	changed     chan struct{} // closed and replaced whenever runs change
}

func newStore() *store {
	return &store{index: map[string]int{}, traceCounts: map[string]int{}, changed: make(chan struct{})}
}

func (st *store) notify() {
	close(st.changed)
	st.changed = make(chan struct{})
}

func (st *store) reset() {
	changed := st.changed
	*st = *newStore()
	close(changed)
}

// ingest applies a parsed batch atomically: either every operation is stored or none is.
func (st *store) ingest(b *ingestBatch, lim limits, apiKey, tenantID string) *apiError {
	var violations []string
	pending := map[string]*Run{} // runs posted by this request, by canonical id
	var order []string
	patches := map[string]*Run{} // copies of stored runs patched by this request
	for _, op := range b.ops {
		if op.event == "post" {
			if errs := validatePost(op.payload); len(errs) > 0 {
				violations = append(violations, errs...)
				continue
			}
			if name, _ := op.payload["name"].(string); lim.refuseNames[name] {
				violations = append(violations, fmt.Sprintf("run_id:%s name %q is refused by this server (RefuseRunNames)", op.id, name))
				continue
			}
			if _, dup := st.index[op.id]; dup || pending[op.id] != nil {
				return errConflict
			}
			run := runFromPayload(op.payload, apiKey, tenantID)
			pending[op.id] = &run
			order = append(order, op.id)
			continue
		}
		target := pending[op.id]
		if target == nil {
			target = patches[op.id]
		}
		if target == nil {
			pos, ok := st.index[op.id]
			if !ok {
				violations = append(violations, fmt.Sprintf("patch for run_id:%s which was never posted", op.id))
				continue
			}
			c := cloneRun(st.runs[pos])
			target = &c
			patches[op.id] = target
		}
		if errs := validatePatch(op.payload, *target); len(errs) > 0 {
			violations = append(violations, errs...)
			continue
		}
		if applyPatch(target, op.payload) {
			return errConflict
		}
	}
	if len(violations) > 0 {
		return badRequest(violations...)
	}
	for id, names := range b.attachments {
		target := pending[id]
		if target == nil {
			target = patches[id]
		}
		if target != nil { // the parser guarantees a post or patch of the run came first
			target.Attachments = append(target.Attachments, names...)
		}
	}
	if aerr := st.checkTraceSizes(order, pending, lim); aerr != nil {
		return aerr
	}
	for _, id := range order {
		run := pending[id]
		trace, _ := canonUUID(run.TraceID)
		st.index[id] = len(st.runs)
		st.traceCounts[trace]++
		st.runs = append(st.runs, *run)
	}
	for id, run := range patches {
		st.runs[st.index[id]] = *run
	}
	if len(order) > 0 || len(patches) > 0 {
		st.notify()
	}
	return nil
}

// checkTraceSizes refuses runs that would take a trace above LangSmith's per-trace cap.
func (st *store) checkTraceSizes(order []string, pending map[string]*Run, lim limits) *apiError {
	added := map[string]int{}
	for _, id := range order {
		trace, _ := canonUUID(pending[id].TraceID)
		added[trace]++
	}
	var violations []string
	for trace, n := range added {
		if total := st.traceCounts[trace] + n; total > lim.maxRunsPerTrace {
			violations = append(violations, fmt.Sprintf("trace %s would have %d runs, above the limit of %d runs per trace", trace, total, lim.maxRunsPerTrace))
		}
	}
	if len(violations) > 0 {
		sort.Strings(violations)
		return badRequest(violations...)
	}
	return nil
}
