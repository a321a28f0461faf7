package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
)

// This file delivers output to the next consumer: in order, one item at a
// time, holding an item the consumer refuses and offering it again with
// backoff. Nothing behind a refused item is offered before it, so late spans
// never overtake their trace.

// Values of the reason attribute of spans_dropped.
const (
	dropPermanent = "permanent_error"
	dropShutdown  = "shutdown_timeout"
)

// offerStallAfter is how long one offer may block in the next consumer (a
// sending_queue with block_on_overflow) before the processor treats the
// consumer as refusing and starts refusing new data at its budget.
const offerStallAfter = time.Second

// refusalLogInterval: a consumer that keeps refusing (a full queue frees a
// slot now and then) is logged at most this often, not at every refusal.
const refusalLogInterval = time.Minute

// outboxItem is one output on its way: an emission until it is built, then
// the rebuilt trace (or late spans), kept until the next consumer takes it.
type outboxItem struct {
	e        emission
	td       ptrace.Traces
	built    bool
	spans    int
	bytes    int64
	refusals int
	// waits are released once the next consumer took (or refused for good)
	// the item (delivery_wait.go).
	waits []*deliveryWait
	// forward: the item is written back to Kafka, not offered to the next
	// consumer (kafka_forward.go).
	forward bool
	route   forwardRoute
}

// outbox is the ordered output not yet taken by the next consumer. It is
// guarded by the processor's mu.
type outbox struct {
	items []*outboxItem
	spans int
	bytes int64
	// retryAt is set while the head waits for a re-offer after a refusal.
	retryAt time.Time
	// delay is the backoff applied at the next refusal.
	delay time.Duration
	// offerStart is when the offer in progress began (zero when none is).
	offerStart time.Time
	// lastLog is when a refusal was last logged; unlogged counts those since.
	lastLog  time.Time
	unlogged int
}

func (o *outbox) push(e emission) {
	it := &outboxItem{e: e, spans: e.spans, waits: e.waits, forward: e.kind == emitForward, route: e.route}
	if e.kind == emitTrace {
		for _, m := range e.members {
			it.bytes += m.bytes
		}
	} else {
		it.bytes = estimateBytes(e.data)
	}
	o.items = append(o.items, it)
	o.spans += it.spans
	o.bytes += it.bytes
}

func (o *outbox) pop() {
	it := o.items[0]
	o.items[0] = nil
	o.items = o.items[1:]
	o.spans -= it.spans
	o.bytes -= it.bytes
}

// waiting reports whether the head was refused and awaits its re-offer.
func (o *outbox) waiting() bool { return !o.retryAt.IsZero() }

// stalled reports whether the next consumer is not taking output: it refused
// the head, or an offer has been blocked in it for a while.
func (o *outbox) stalled(now time.Time) bool {
	return o.waiting() || (!o.offerStart.IsZero() && now.Sub(o.offerStart) >= offerStallAfter)
}

// retryIn is how long until the next consumer is offered output again.
func (o *outbox) retryIn(now time.Time) time.Duration {
	if o.waiting() {
		return max(o.retryAt.Sub(now), 0)
	}
	return o.delay
}

// maxOfferSpans bounds the spans of the items joined into one offer.
const maxOfferSpans = 8192

// ready returns the items to offer now as one, if any is due: the head, and
// with join the items behind it up to maxOfferSpans. Joining them lets a
// consumer that answers only once the data is sent (a sending_queue with
// wait_for_result, under wait_for_delivery) send a batch per round trip
// instead of one trace; otherwise each output holds one trace.
func (o *outbox) ready(now time.Time, join bool) ([]*outboxItem, bool) {
	if len(o.items) == 0 || (o.waiting() && now.Before(o.retryAt)) {
		return nil, false
	}
	n, spans := 1, o.items[0].spans
	join = join && !o.items[0].forward // forwards go one by one, each to its key
	for join && n < len(o.items) && !o.items[n].forward && spans+o.items[n].spans <= maxOfferSpans {
		spans += o.items[n].spans
		n++
	}
	return o.items[:n:n], true
}

// join replaces the first n items, built, by one item holding all of them.
func (o *outbox) join(n int) {
	if n < 2 {
		return
	}
	head := o.items[0]
	rs := head.td.ResourceSpans()
	for _, it := range o.items[1:n] {
		it.td.ResourceSpans().MoveAndAppendTo(rs)
		head.spans += it.spans
		head.bytes += it.bytes
		head.waits = append(head.waits, it.waits...)
	}
	clear(o.items[1:n])
	o.items = append(o.items[:1], o.items[n:]...)
}

// drain offers queued output in order until the outbox is empty or the next
// consumer refuses. held reports that output waits for a re-offer in wait.
func (p *agentSpanProcessor) drain() (wait time.Duration, held bool) {
	p.emitMu.Lock()
	defer p.emitMu.Unlock()
	for {
		p.mu.Lock()
		now := p.now()
		items, ok := p.out.ready(now, p.cfg.WaitForDelivery)
		if !ok {
			wait, held = p.out.retryIn(now), len(p.out.items) > 0
			p.mu.Unlock()
			return wait, held
		}
		p.out.offerStart = now
		p.mu.Unlock()

		for _, it := range items {
			p.ensureBuilt(it)
		}
		p.mu.Lock()
		p.out.join(len(items))
		it := p.out.items[0]
		p.mu.Unlock()
		err := p.offer(it)

		p.mu.Lock()
		p.out.offerStart = time.Time{}
		p.settleLocked(it, err)
		p.mu.Unlock()
	}
}

// ensureBuilt builds an item before its first offer.
func (p *agentSpanProcessor) ensureBuilt(it *outboxItem) {
	if it.built {
		return
	}
	it.td, it.built = p.build(it.e), true
	it.e = emission{} // the members' data now lives in it.td
	n := it.td.SpanCount()
	p.mu.Lock()
	p.out.spans += n - it.spans
	it.spans = n
	p.mu.Unlock()
}

// offer hands a built item to the next consumer.
func (p *agentSpanProcessor) offer(it *outboxItem) error {
	if it.spans == 0 {
		return nil
	}
	if it.refusals > 0 {
		p.telemetry.ProcessorAgentSpanEmissionsRetried.Add(context.Background(), 1)
	}
	if it.forward {
		return p.forward(p.offerCtx, it.route, it.td)
	}
	td := it.td
	if p.next.Capabilities().MutatesData {
		// A consumer may change what it is given even when it refuses it,
		// and the data is not ours after the call: offer a copy.
		td = ptrace.NewTraces()
		it.td.CopyTo(td)
	}
	return p.next.ConsumeTraces(p.offerCtx, td)
}

// settleLocked records the next consumer's answer to the head of the outbox.
func (p *agentSpanProcessor) settleLocked(it *outboxItem, err error) {
	ctx := context.Background()
	n := int64(it.spans)
	switch {
	case err == nil:
		p.out.pop()
		releaseAll(it.waits, nil)
		p.signalRoomLocked()
		p.telemetry.ProcessorAgentSpanSpansEmitted.Add(ctx, n)
		if p.out.waiting() {
			p.logger.Debug("Next consumer accepts output again", zap.Int("refused_offers", it.refusals))
		}
		p.out.retryAt, p.out.delay = time.Time{}, p.cfg.RetryOnRefusal.InitialInterval
	case consumererror.IsPermanent(err):
		p.out.pop()
		// Resending would meet the same answer: the waiting requests end
		// with it, as a permanent error.
		releaseAll(it.waits, err)
		p.signalRoomLocked()
		p.telemetry.ProcessorAgentSpanNextConsumerErrors.Add(ctx, n)
		p.countDropped(dropPermanent, n)
		p.logger.Error("Next consumer refused output for good; dropping it", zap.Int64("spans", n), zap.Error(err))
		// A permanent error says nothing about the consumer's availability.
		p.out.retryAt, p.out.delay = time.Time{}, p.cfg.RetryOnRefusal.InitialInterval
	default:
		it.refusals++
		p.telemetry.ProcessorAgentSpanNextConsumerErrors.Add(ctx, n)
		p.out.unlogged++
		if now := p.now(); p.out.lastLog.IsZero() || now.Sub(p.out.lastLog) >= refusalLogInterval {
			p.logger.Warn("Next consumer refused output; holding it and offering it again with backoff",
				zap.Int("refused_offers", p.out.unlogged), zap.Int("queued_outputs", len(p.out.items)),
				zap.Int("queued_spans", p.out.spans), zap.Error(err))
			p.out.lastLog, p.out.unlogged = now, 0
		}
		p.out.retryAt = p.now().Add(p.out.delay)
		p.out.delay = min(2*p.out.delay, p.cfg.RetryOnRefusal.MaxInterval)
	}
	p.reportHeldLocked()
	if len(p.out.items) == 0 {
		p.setFullLocked(false)
	}
}

// flush offers output until none is left or ctx ends; what the next consumer
// still refuses then is dropped, logged with counts.
func (p *agentSpanProcessor) flush(ctx context.Context) {
	for {
		wait, held := p.drain()
		if !held {
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			p.dropHeld(ctx.Err())
			return
		case <-t.C:
		}
	}
}

// dropHeld gives up on the output still queued at the end of shutdown.
func (p *agentSpanProcessor) dropHeld(cause error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	outputs, spans := len(p.out.items), int64(p.out.spans)
	for len(p.out.items) > 0 {
		releaseAll(p.out.items[0].waits, errNotSent)
		p.out.pop()
	}
	p.out.retryAt = time.Time{}
	p.signalRoomLocked()
	p.countDropped(dropShutdown, spans)
	p.reportHeldLocked()
	p.logger.Error("Shutdown ended while the next consumer still refused output; dropping it",
		zap.Int("outputs", outputs), zap.Int64("spans", spans),
		zap.Duration("shutdown_timeout", p.cfg.ShutdownTimeout), zap.NamedError("cause", cause))
}

func (p *agentSpanProcessor) countDropped(reason string, spans int64) {
	p.telemetry.ProcessorAgentSpanSpansDropped.Add(context.Background(), spans,
		metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", reason))))
}

// reportHeldLocked updates emissions_awaiting_retry: everything queued is
// held while the head waits for its re-offer.
func (p *agentSpanProcessor) reportHeldLocked() {
	var held int64
	if p.out.waiting() {
		held = int64(len(p.out.items))
	}
	if held != p.held {
		p.telemetry.ProcessorAgentSpanEmissionsAwaitingRetry.Add(context.Background(), held-p.held)
		p.held = held
	}
}

// wake asks the run loop to drain; a pending wake-up is enough.
func (p *agentSpanProcessor) wake() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}
