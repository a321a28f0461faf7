package langsmithexporter

import (
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// placedRunCache remembers where recently sent runs sit, so that a span arriving
// after its parent was sent (a late span) is still placed under that parent
// instead of becoming a root. It is bounded: the oldest entries go first.
type placedRunCache struct {
	mu         sync.Mutex
	runs       map[spanKey]placedRun
	runOrder   fifoKeys[spanKey]
	threads    map[pcommon.TraceID]string
	traceOrder fifoKeys[pcommon.TraceID]
}

func newPlacedRunCache(capacity int) *placedRunCache {
	return &placedRunCache{
		runs:     make(map[spanKey]placedRun),
		runOrder: newFIFOKeys[spanKey](capacity),
		threads:  make(map[pcommon.TraceID]string),
		// A trace has many spans; a tenth as many thread ids is plenty.
		traceOrder: newFIFOKeys[pcommon.TraceID](capacity/10 + 1),
	}
}

func (c *placedRunCache) get(k spanKey) (placedRun, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.runs[k]
	return p, ok
}

func (c *placedRunCache) put(k spanKey, p placedRun) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.runs[k]; !ok {
		if old, evicted := c.runOrder.push(k); evicted {
			delete(c.runs, old)
		}
	}
	c.runs[k] = p
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
		if old, evicted := c.traceOrder.push(t); evicted {
			delete(c.threads, old)
		}
	}
	c.threads[t] = id
}
