package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"container/list"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// emittedTrace is what the processor remembers of a trace it has emitted, so
// that spans arriving later can be attached where the exporter expects them.
type emittedTrace struct {
	// mergedID is the trace id the trace went out with (the primary's id
	// when several traces were stitched together).
	mergedID pcommon.TraceID
	// survivor maps every span id that went into the trace (emitted or
	// folded by a dialect) to the nearest ancestor that was emitted; an
	// emitted span maps to itself. Only the emitter, under emitMu, touches it,
	// and only after the trace itself was emitted (the emission queue is FIFO).
	survivor survivorIndex
	// folder folds late plumbing spans the way the trace's dialect folded
	// its plumbing; nil when no dialect rewrote the trace or plumbing is kept.
	folder dialect.LateSpanFolder
}

// emittedCache is a bounded LRU from every original trace id of an emitted
// trace to its structure. Stitched traces share one *emittedTrace.
type emittedCache struct {
	capacity int
	order    *list.List // front = most recently used; values are pcommon.TraceID
	items    map[pcommon.TraceID]*cacheItem
}

type cacheItem struct {
	trace *emittedTrace
	elem  *list.Element
}

func newEmittedCache(capacity int) *emittedCache {
	return &emittedCache{capacity: capacity, order: list.New(), items: map[pcommon.TraceID]*cacheItem{}}
}

// add remembers id, evicting the least recently used entries beyond capacity.
func (c *emittedCache) add(id pcommon.TraceID, t *emittedTrace) {
	if c.capacity <= 0 {
		return
	}
	if it, ok := c.items[id]; ok {
		it.trace = t
		c.order.MoveToFront(it.elem)
		return
	}
	c.items[id] = &cacheItem{trace: t, elem: c.order.PushFront(id)}
	for c.order.Len() > c.capacity {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(pcommon.TraceID))
	}
}

// get returns the emitted trace that id went into, marking it recently used.
func (c *emittedCache) get(id pcommon.TraceID) (*emittedTrace, bool) {
	it, ok := c.items[id]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(it.elem)
	return it.trace, true
}

func (c *emittedCache) len() int { return len(c.items) }
