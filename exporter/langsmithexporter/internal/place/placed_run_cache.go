package place

import (
	"sync"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/fifo"
)

// placedRunCache remembers where recently sent runs sit, so that a span arriving
// after its parent was sent (a late span) is still placed under that parent
// instead of becoming a root. It is bounded: the oldest entries go first.
type placedRunCache struct {
	mu         sync.Mutex
	runs       map[spanKey]*placedRun
	runOrder   fifo.Keys[spanKey]
	threads    map[pcommon.TraceID]string
	traceOrder fifo.Keys[pcommon.TraceID]
	// runsPerTrace counts the runs placed in each LangSmith trace, which
	// takes at most MaxRunsPerTrace.
	runsPerTrace map[uuid.UUID]int
	countOrder   fifo.Keys[uuid.UUID]
}

func newPlacedRunCache(capacity int) *placedRunCache {
	return &placedRunCache{
		runs:     make(map[spanKey]*placedRun),
		runOrder: fifo.NewKeys[spanKey](capacity),
		threads:  make(map[pcommon.TraceID]string),
		// A trace has many spans; a tenth as many traces is plenty.
		traceOrder:   fifo.NewKeys[pcommon.TraceID](capacity/10 + 1),
		runsPerTrace: make(map[uuid.UUID]int),
		countOrder:   fifo.NewKeys[uuid.UUID](capacity/10 + 1),
	}
}

func (c *placedRunCache) get(k spanKey) (*placedRun, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.runs[k]
	return p, ok
}

// put records where the run of span k sits; traceRunID is p.traceRunID(),
// which the caller already has.
func (c *placedRunCache) put(k spanKey, p *placedRun, traceRunID uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.runs[k]; !ok {
		if old, evicted := c.runOrder.Push(k); evicted {
			delete(c.runs, old)
		}
		if _, counted := c.runsPerTrace[traceRunID]; !counted {
			if old, evicted := c.countOrder.Push(traceRunID); evicted {
				delete(c.runsPerTrace, old)
			}
		}
		c.runsPerTrace[traceRunID]++
	}
	c.runs[k] = p
}

// runsIn returns how many runs were placed in a LangSmith trace.
func (c *placedRunCache) runsIn(traceRunID uuid.UUID) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runsPerTrace[traceRunID]
}

func (c *placedRunCache) threadID(t pcommon.TraceID) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.threads[t]
	return v, ok
}

func (c *placedRunCache) putThreadID(t pcommon.TraceID, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.threads[t]; !ok {
		if old, evicted := c.traceOrder.Push(t); evicted {
			delete(c.threads, old)
		}
	}
	c.threads[t] = id
}
