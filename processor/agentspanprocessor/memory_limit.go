package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"math"
	"os"
	"runtime/debug"
	"sync"

	"go.uber.org/zap"
)

// This file implements auto_memory_limit. With the Go runtime's default
// GOGC=100 the heap grows to twice what is live before a collection, so a
// collector whose live heap is agent_span's budget plus the exporter's queue
// and caches peaks far above it (about 300 MiB at saturation with the 64 MiB
// default). When nobody set a soft limit (GOMEMLIMIT), the processors set one
// derived from their budgets: the runtime then collects earlier instead of
// letting the heap double. It is soft: a live heap above it costs GC CPU
// (capped by the runtime at about half), never an out-of-memory kill.

// memoryLimitHeadroom is what the collector holds beside agent_span's budget
// at saturation: the exporter's queue and caches, the receiver's requests,
// the runtime (bench/README.md, heap profiles).
const memoryLimitHeadroom = 72 << 20

// softLimit tracks the budgets of the processors that own the limit.
var softLimit struct {
	sync.Mutex
	budgets map[*agentSpanProcessor]int64
}

// autoMemoryLimit returns the soft limit for these budgets: twice their sum
// (the budget is itself an estimate of heap held) plus the headroom.
func autoMemoryLimit(budgets map[*agentSpanProcessor]int64) int64 {
	var sum int64
	for _, b := range budgets {
		sum += b
	}
	return 2*sum + memoryLimitHeadroom
}

// claimMemoryLimit sets the soft limit from p's budget unless the user set
// one (GOMEMLIMIT, or a limit already in place that no processor set).
func (p *agentSpanProcessor) claimMemoryLimit() {
	if !p.cfg.AutoMemoryLimit || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	softLimit.Lock()
	defer softLimit.Unlock()
	if len(softLimit.budgets) == 0 && debug.SetMemoryLimit(-1) != math.MaxInt64 {
		return // set by the embedding program: not ours to change
	}
	if softLimit.budgets == nil {
		softLimit.budgets = map[*agentSpanProcessor]int64{}
	}
	softLimit.budgets[p] = p.cfg.MaxBufferedBytes
	limit := autoMemoryLimit(softLimit.budgets)
	debug.SetMemoryLimit(limit)
	p.logger.Info("Go soft memory limit set from max_buffered_bytes (set GOMEMLIMIT or auto_memory_limit: false to choose another)",
		zap.Int64("limit_mib", limit>>20))
}

// releaseMemoryLimit gives p's share back; the last one lifts the limit.
func (p *agentSpanProcessor) releaseMemoryLimit() {
	softLimit.Lock()
	defer softLimit.Unlock()
	if _, ok := softLimit.budgets[p]; !ok {
		return
	}
	delete(softLimit.budgets, p)
	if len(softLimit.budgets) == 0 {
		debug.SetMemoryLimit(math.MaxInt64)
		return
	}
	debug.SetMemoryLimit(autoMemoryLimit(softLimit.budgets))
}
