package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"container/list"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Why a trace left the buffer (the `reason` attribute of traces_emitted).
const (
	reasonComplete = "complete"
	reasonTimeout  = "timeout"
	reasonPressure = "pressure"
	reasonShutdown = "shutdown"
)

// bufferedTrace holds the spans received so far for one trace id.
type bufferedTrace struct {
	id    pcommon.TraceID
	data  ptrace.Traces // chunks appended as they arrive
	spans int
	bytes int64
	// plainRoot: a root span (no parent) arrived that does not link to
	// another trace (with stitching off: any root span).
	plainRoot bool
	// links are root spans that link to a span of another trace (stitching).
	links []rootLink
	// waitsOn are trace ids this trace links to that are not known yet.
	waitsOn []pcommon.TraceID
	group   *traceGroup
	// parents tracks missing parents for the completion grace (trace_completion.go).
	parents parentTracking
	// waits are the requests waiting for these spans to leave (delivery_wait.go).
	waits []*deliveryWait
	// source is the kafka record its first spans came in (kafka_forward.go).
	source kafkaSource
}

// traceGroup is the unit of completion and emission: one trace, or several
// traces stitched together by links.
type traceGroup struct {
	members []*bufferedTrace
	first   time.Time // when its oldest member's first span arrived
	last    time.Time // when its newest span arrived
	spans   int
	elem    *list.Element // position in traceBuffer.order
}

// emissionKind says how an emission is turned into output.
type emissionKind int

const (
	// emitTrace: a whole (possibly stitched) trace left the buffer.
	emitTrace emissionKind = iota
	// emitLate: spans of a trace that was already emitted.
	emitLate
	// emitPassthrough: spans that cannot be grouped (no trace id).
	emitPassthrough
	// emitForward: a trace written back to Kafka under the trace it links to
	// (kafka_forward.go).
	emitForward
)

// emission is one unit of output, queued in order and sent outside the lock.
type emission struct {
	kind    emissionKind
	reason  string           // emitTrace only
	members []*bufferedTrace // emitTrace only
	data    ptrace.Traces    // emitLate and emitPassthrough
	spans   int
	// target is the emitted trace this output belongs to (emitTrace: the
	// entry to fill in; emitLate: the entry to place spans against).
	target *emittedTrace
	// rootParents (emitLate) gives stitched secondary roots their parent.
	rootParents map[pcommon.SpanID]pcommon.SpanID
	// waits are the requests waiting for these spans to leave.
	waits []*deliveryWait
	// route is where an emitForward goes.
	route forwardRoute
}

// traceBuffer is the processor's state. It is not safe for concurrent use:
// the processor guards it with a mutex. It never calls out; it returns what
// must be emitted, in order.
type traceBuffer struct {
	cfg     *Config
	traces  map[pcommon.TraceID]*bufferedTrace
	order   *list.List // *traceGroup, oldest first
	waiting map[pcommon.TraceID][]pcommon.TraceID
	spans   int
	bytes   int64
	cache   *emittedCache
	// forward and routes: kafka::forward_linked_traces (kafka_forward.go).
	forward bool
	routes  routeTable

	// stitched counts traces merged into another one, forwardedTraces those
	// forwarded, for metrics.
	stitched        int64
	forwardedTraces int64
}

func newTraceBuffer(cfg *Config) *traceBuffer {
	return &traceBuffer{
		cfg:     cfg,
		traces:  map[pcommon.TraceID]*bufferedTrace{},
		order:   list.New(),
		waiting: map[pcommon.TraceID][]pcommon.TraceID{},
		cache:   newEmittedCache(cfg.EmittedTraceCacheSize),
		forward: cfg.Kafka.enabled() && cfg.Kafka.ForwardLinkedTraces && cfg.StitchLinkedTraces,
		routes:  routeTable{max: cfg.EmittedTraceCacheSize},
	}
}

// add takes one trace's chunk of a request. The chunk's data is moved into
// the buffer or into a returned emission, together with w, the request's
// wait for delivery (nil unless wait_for_delivery).
func (b *traceBuffer) add(c traceChunk, now time.Time, w *deliveryWait) []emission {
	var waits []*deliveryWait
	if w != nil {
		waits = []*deliveryWait{w}
	}
	if c.traceID.IsEmpty() {
		return []emission{{kind: emitPassthrough, data: c.data, spans: c.spans, waits: waits}}
	}
	if target, ok := b.cache.get(c.traceID); ok {
		e := b.lateEmission(c.traceID, c.data, c.spans, target)
		e.waits = waits
		return []emission{e}
	}
	if route, ok := b.forwardRoute(c); ok {
		// Later spans of a forwarded trace follow it (kafka_forward.go).
		return []emission{{kind: emitForward, data: c.data, spans: c.spans, route: route, waits: waits}}
	}

	t := b.traces[c.traceID]
	if t == nil {
		t = b.newTrace(c.traceID, now)
		t.source = c.source
	}
	var out []emission
	newLinks := b.noteRoots(t, c.data)
	t.waits = append(t.waits, waits...)
	t.bytes += c.bytes
	b.bytes += c.bytes
	c.data.ResourceSpans().MoveAndAppendTo(t.data.ResourceSpans())
	t.spans += c.spans
	t.group.spans += c.spans
	t.group.last = now
	b.spans += c.spans

	if b.cfg.StitchLinkedTraces {
		out = append(out, b.stitch(t, newLinks)...)
	}
	if g := t.group; g.elem != nil && g.spans >= b.cfg.MaxSpansPerTrace {
		out = append(out, b.emitGroup(g, reasonPressure))
	}
	for b.order.Len() > 0 && (len(b.traces) > b.cfg.MaxTraces || b.bytes > b.cfg.MaxBufferedBytes) {
		out = append(out, b.emitGroup(b.order.Front().Value.(*traceGroup), reasonPressure))
	}
	return out
}

// newTrace starts buffering a trace id in a group of its own.
func (b *traceBuffer) newTrace(id pcommon.TraceID, now time.Time) *bufferedTrace {
	t := &bufferedTrace{id: id, data: ptrace.NewTraces()}
	g := &traceGroup{members: []*bufferedTrace{t}, first: now, last: now}
	g.elem = b.order.PushBack(g)
	t.group = g
	b.traces[id] = t
	return t
}

// noteRoots records the root spans of a chunk and returns the links of those
// roots that point into other traces.
func (b *traceBuffer) noteRoots(t *bufferedTrace, data ptrace.Traces) []rootLink {
	var newLinks []rootLink
	forEachSpan(data, func(span ptrace.Span) {
		if !span.ParentSpanID().IsEmpty() {
			return
		}
		links := crossTraceLinks(span, t.id)
		if len(links) == 0 || !b.cfg.StitchLinkedTraces {
			t.plainRoot = true
			return
		}
		t.links = append(t.links, links...)
		newLinks = append(newLinks, links...)
	})
	return newLinks
}

// complete reports whether a group may be emitted because it is finished.
func (b *traceBuffer) complete(g *traceGroup) bool {
	for _, m := range g.members {
		if m.plainRoot {
			return true
		}
	}
	return false
}

// tick emits the groups that are complete or have been buffered too long.
func (b *traceBuffer) tick(now time.Time) []emission {
	var out []emission
	for e := b.order.Front(); e != nil; {
		next := e.Next()
		g := e.Value.(*traceGroup)
		switch {
		case now.Sub(g.first) >= b.cfg.MaxTraceDuration:
			out = append(out, b.emitGroup(g, reasonTimeout))
		case b.complete(g) && (now.Sub(g.last) >= b.cfg.IdleTimeout || b.settled(g, now)):
			out = append(out, b.emitGroup(g, reasonComplete))
		}
		e = next
	}
	return out
}

// flushAll emits every buffered group, oldest first.
func (b *traceBuffer) flushAll(reason string) []emission {
	var out []emission
	for b.order.Len() > 0 {
		out = append(out, b.emitGroup(b.order.Front().Value.(*traceGroup), reason))
	}
	return out
}

// emitGroup removes a group from the buffer, remembers it as emitted and
// returns its emission.
func (b *traceBuffer) emitGroup(g *traceGroup, reason string) emission {
	target := &emittedTrace{mergedID: primaryID(g)}
	b.order.Remove(g.elem)
	g.elem = nil
	for _, m := range g.members {
		b.forget(m)
		b.cache.add(m.id, target)
	}
	return emission{kind: emitTrace, reason: reason, members: g.members, spans: g.spans, target: target,
		waits: collectWaits(g.members)}
}

// withdrawGroup removes a group from the buffer without emitting it or
// remembering it as emitted: its spans will be sent again (delivery_wait.go).
func (b *traceBuffer) withdrawGroup(g *traceGroup) []*bufferedTrace {
	b.order.Remove(g.elem)
	g.elem = nil
	for _, m := range g.members {
		b.forget(m)
	}
	return g.members
}

// forget drops a member from the buffer's indexes and counters.
func (b *traceBuffer) forget(m *bufferedTrace) {
	delete(b.traces, m.id)
	for _, w := range m.waitsOn {
		ids := b.waiting[w]
		for i, id := range ids {
			if id == m.id {
				ids = append(ids[:i], ids[i+1:]...)
				break
			}
		}
		if len(ids) == 0 {
			delete(b.waiting, w)
		} else {
			b.waiting[w] = ids
		}
	}
	b.spans -= m.spans
	b.bytes -= m.bytes
}

// lateEmission sends spans of an already emitted trace on their own.
func (b *traceBuffer) lateEmission(id pcommon.TraceID, data ptrace.Traces, spans int, target *emittedTrace) emission {
	var rootParents map[pcommon.SpanID]pcommon.SpanID
	if b.cfg.StitchLinkedTraces {
		// A secondary root links to a span of a trace that went into the
		// same emitted trace: hang it under that span.
		forEachSpan(data, func(span ptrace.Span) {
			if !span.ParentSpanID().IsEmpty() {
				return
			}
			for _, l := range crossTraceLinks(span, id) {
				if lt, ok := b.cache.items[l.target]; ok && lt.trace == target {
					if rootParents == nil {
						rootParents = map[pcommon.SpanID]pcommon.SpanID{}
					}
					rootParents[l.root] = l.targetSpan
					break
				}
			}
		})
	}
	return emission{kind: emitLate, data: data, spans: spans, target: target, rootParents: rootParents}
}

// primaryID is the trace id a group goes out with: the trace whose root has no
// link to another trace, else any trace with a root, else the oldest member.
func primaryID(g *traceGroup) pcommon.TraceID {
	for _, m := range g.members {
		if m.plainRoot && len(m.links) == 0 {
			return m.id
		}
	}
	for _, m := range g.members {
		if m.plainRoot {
			return m.id
		}
	}
	return g.members[0].id
}
