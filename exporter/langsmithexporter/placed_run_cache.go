package langsmithexporter

import (
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// placedRunCache remembers where recently sent runs sit, so that a span arriving
// after its parent was sent (a late span) is still placed under that parent
// instead of becoming a root. It is bounded: the oldest entries go first.
type placedRunCache struct {
	mu       sync.Mutex
	capacity int
	runs     map[spanKey]placedRun
	order    []spanKey // ring of insertion order
	next     int
	threads  map[pcommon.TraceID]string
	tOrder   []pcommon.TraceID
	tNext    int
}

func newPlacedRunCache(capacity int) *placedRunCache {
	if capacity < 1 {
		capacity = 1
	}
	tcap := capacity/10 + 1
	return &placedRunCache{
		capacity: capacity,
		runs:     make(map[spanKey]placedRun),
		order:    make([]spanKey, 0, min(capacity, 4096)),
		threads:  make(map[pcommon.TraceID]string),
		tOrder:   make([]pcommon.TraceID, 0, min(tcap, 4096)),
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
	if _, ok := c.runs[k]; ok {
		c.runs[k] = p
		return
	}
	if len(c.order) < c.capacity {
		c.order = append(c.order, k)
	} else {
		delete(c.runs, c.order[c.next])
		c.order[c.next] = k
		c.next = (c.next + 1) % c.capacity
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
	if _, ok := c.threads[t]; ok {
		c.threads[t] = id
		return
	}
	if len(c.tOrder) < c.capacity/10+1 {
		c.tOrder = append(c.tOrder, t)
	} else {
		delete(c.threads, c.tOrder[c.tNext])
		c.tOrder[c.tNext] = t
		c.tNext = (c.tNext + 1) % len(c.tOrder)
	}
	c.threads[t] = id
}
