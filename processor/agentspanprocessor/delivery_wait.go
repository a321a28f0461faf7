package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// This file implements wait_for_delivery: ConsumeTraces returns only once
// every span of the request has been taken by the next consumer. A receiver
// that commits what it read when the call returns (the kafka receiver) then
// never commits spans still buffered here, so a collector killed with them
// loses nothing: the partition's next owner reads them again.
//
// A request's spans go to one or more places (a buffered trace, an emission,
// an outbox item); each place holds the request's deliveryWait once per chunk
// it took and releases it when its spans leave. When the caller gives up
// (its context ends: the partition was revoked, the receiver stops), the
// buffered traces holding its spans are withdrawn, not emitted: whoever reads
// the request again assembles them whole, and a fragment emitted here would
// compete with that whole trace for the same run ids.

// Errors a waiting request ends with when its spans did not leave.
var (
	errWithdrawn = errors.New("agent_span: a request sharing this trace gave up before it was complete; the trace was withdrawn to be sent again")
	errNotSent   = errors.New("agent_span: shutdown ended before the next consumer took the spans")
)

// deliveryWait is one request waiting for its spans to leave. Its fields are
// guarded by the processor's mu.
type deliveryWait struct {
	pending int
	err     error // the first failure, else nil
	done    chan struct{}
	// traces are the trace ids of the request's chunks, to find what to
	// withdraw.
	traces []pcommon.TraceID
}

func newDeliveryWait(chunks []traceChunk) *deliveryWait {
	w := &deliveryWait{pending: len(chunks), done: make(chan struct{})}
	for _, c := range chunks {
		w.traces = append(w.traces, c.traceID)
	}
	return w
}

// release records that one place holding the request's spans let them go,
// with err when they did not reach the next consumer.
func (w *deliveryWait) release(err error) {
	if w.err == nil {
		w.err = err
	}
	w.pending--
	if w.pending == 0 {
		close(w.done)
	}
}

// releaseAll releases every wait of a place.
func releaseAll(waits []*deliveryWait, err error) {
	for _, w := range waits {
		w.release(err)
	}
}

// awaitDelivery blocks until the request's spans left or ctx ends; then the
// buffered traces holding them are withdrawn.
func (p *agentSpanProcessor) awaitDelivery(ctx context.Context, w *deliveryWait) error {
	select {
	case <-w.done:
		return w.err
	case <-ctx.Done():
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if w.pending == 0 {
		return w.err
	}
	p.withdrawLocked(w)
	return context.Cause(ctx)
}

// withdrawLocked removes from the buffer every group holding spans of w,
// releasing the waits of all their spans with errWithdrawn. Output already
// queued for the next consumer stays: it is whole, and a copy of it sent
// again by the next reader meets LangSmith's 409.
func (p *agentSpanProcessor) withdrawLocked(w *deliveryWait) {
	var spans int
	for _, id := range w.traces {
		t := p.buf.traces[id]
		if t == nil || !holds(t.group, w) {
			continue
		}
		spans += t.group.spans
		for _, m := range p.buf.withdrawGroup(t.group) {
			releaseAll(m.waits, errWithdrawn)
			m.waits = nil
		}
	}
	if spans > 0 {
		p.telemetry.ProcessorAgentSpanSpansWithdrawn.Add(context.Background(), int64(spans))
		p.enqueueLocked(nil)
		p.signalRoomLocked()
	}
}

func holds(g *traceGroup, w *deliveryWait) bool {
	for _, m := range g.members {
		for _, x := range m.waits {
			if x == w {
				return true
			}
		}
	}
	return false
}

// collectWaits gathers the waits of a group's members as they leave.
func collectWaits(members []*bufferedTrace) []*deliveryWait {
	var waits []*deliveryWait
	for _, m := range members {
		waits = append(waits, m.waits...)
		m.waits = nil
	}
	return waits
}
