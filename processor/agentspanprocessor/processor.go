package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/metadata"
)

// agentSpanProcessor buffers spans per trace until the trace is complete and
// emits whole traces, rebuilt by the first matching dialect.
//
// Locking: mu guards buf and out. Output is queued in out under mu in the
// order it was decided and offered by drain under emitMu (never under mu), one
// item at a time; an item leaves out only once the next consumer took it (or
// refused it for good), so a trace always reaches the next consumer before
// its late spans, even across re-offers (redelivery.go).
type agentSpanProcessor struct {
	cfg       *Config
	next      consumer.Traces
	dialects  []dialect.Dialect
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	now       func() time.Time

	mu       sync.Mutex
	buf      *traceBuffer
	out      outbox
	shutdown bool
	full     bool          // refusing new data (admission.go)
	room     chan struct{} // closed when output leaves the outbox (admission.go)
	reported gauges        // buffer sizes last added to the up-down counters
	held     int64         // outputs last reported as awaiting retry

	emitMu sync.Mutex
	// offerCtx goes to the next consumer; Shutdown cancels it once its time is
	// up, so that a consumer blocking on a full queue lets go.
	offerCtx     context.Context
	cancelOffers context.CancelFunc
	// kick wakes the run loop to drain output queued by ConsumeTraces.
	kick chan struct{}
	// lookback reads back what a new Kafka partition continues (nil: off).
	lookback *kafkaLookback
	// forward writes linked traces back to Kafka (kafka::forward_linked_traces);
	// producer is closed at shutdown.
	forward  forwardFunc
	producer *kafkaProducer

	stop chan struct{}
	done chan struct{}
}

var _ processor.Traces = (*agentSpanProcessor)(nil)

func newAgentSpanProcessor(set processor.Settings, cfg *Config, next consumer.Traces, ds []dialect.Dialect) (*agentSpanProcessor, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, fmt.Errorf("agent_span telemetry: %w", err)
	}
	offerCtx, cancel := context.WithCancel(context.Background())
	return &agentSpanProcessor{
		cfg:          cfg,
		next:         next,
		dialects:     ds,
		logger:       set.Logger,
		telemetry:    tb,
		now:          time.Now,
		buf:          newTraceBuffer(cfg),
		out:          outbox{delay: cfg.RetryOnRefusal.InitialInterval},
		offerCtx:     offerCtx,
		cancelOffers: cancel,
		kick:         make(chan struct{}, 1),
	}, nil
}

// Capabilities: spans are moved out of the incoming batch and rewritten.
func (*agentSpanProcessor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

// Start launches the goroutine that looks for complete traces and re-offers
// refused output.
func (p *agentSpanProcessor) Start(ctx context.Context, _ component.Host) error {
	if k := p.cfg.Kafka; k.enabled() {
		opts, err := kafkaClientOpts(ctx, k)
		if err != nil {
			return err
		}
		p.lookback = newKafkaLookback(k.Lookback, p.logger, brokerReadBack(opts))
		if p.buf.forward {
			producer, err := newKafkaProducer(opts)
			if err != nil {
				return fmt.Errorf("kafka: %w", err)
			}
			p.producer, p.forward = producer, producer.forward
		}
	}
	p.stop = make(chan struct{})
	p.done = make(chan struct{})
	p.claimMemoryLimit()
	go p.run(checkInterval(p.cfg))
	return nil
}

// tickInterval checks often enough to honour idle_timeout closely without
// spinning: a fifth of it, between 100ms and 1s (but never above it).
func tickInterval(idle time.Duration) time.Duration {
	d := min(max(idle/5, 100*time.Millisecond), time.Second)
	return min(d, idle)
}

func (p *agentSpanProcessor) run(interval time.Duration) {
	defer close(p.done)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-ticker.C:
			p.mu.Lock()
			p.enqueueLocked(p.buf.tick(p.now()))
			p.mu.Unlock()
		case <-retry.C:
		case <-p.kick:
		}
		if wait, held := p.drain(); held {
			retry.Reset(wait)
		}
	}
}

// Shutdown stops the ticker, flushes every buffered trace and re-offers what
// the next consumer refuses until shutdown_timeout (or ctx) ends; what is
// still refused then is logged with counts and dropped.
func (p *agentSpanProcessor) Shutdown(ctx context.Context) error {
	flushCtx, cancel := context.WithTimeout(ctx, p.cfg.ShutdownTimeout)
	defer cancel()
	// An offer blocked in the next consumer must not outlive the deadline.
	release := context.AfterFunc(flushCtx, p.cancelOffers)
	defer release()
	if p.stop != nil {
		close(p.stop)
		<-p.done
		p.stop = nil
	}
	p.mu.Lock()
	p.shutdown = true
	p.enqueueLocked(p.buf.flushAll(reasonShutdown))
	p.mu.Unlock()
	p.flush(flushCtx)
	p.cancelOffers()
	if p.producer != nil {
		p.producer.close()
	}
	p.releaseMemoryLimit()
	p.telemetry.Shutdown()
	return nil
}

// ConsumeTraces buffers the spans by trace and accepts the data. At the
// budget it waits for the next consumer to take output, or refuses the whole
// request with a retryable error when it is not taking any (admission.go).
// Traces that have to leave early (memory pressure) and late spans are sent
// before it returns, which pushes back on the sender while the next consumer
// is busy. With wait_for_delivery it returns once the next consumer took
// every span of the request (delivery_wait.go).
func (p *agentSpanProcessor) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	chunks := splitByTrace(td)
	if p.buf.forward {
		markKafkaSource(ctx, chunks)
	}
	if p.lookback != nil && len(chunks) > 0 {
		var undo func()
		var err error
		if chunks, undo, err = p.lookback.continueTraces(ctx, chunks); err != nil {
			return err
		}
		if undo != nil {
			if err = p.consumeChunks(ctx, chunks); err != nil {
				undo()
			}
			return err
		}
	}
	return p.consumeChunks(ctx, chunks)
}

// consumeChunks buffers one request's chunks (ConsumeTraces).
func (p *agentSpanProcessor) consumeChunks(ctx context.Context, chunks []traceChunk) error {
	if len(chunks) == 0 {
		return nil
	}
	var size int64
	for _, c := range chunks {
		size += c.bytes
	}
	p.mu.Lock()
	if err := p.enterLocked(ctx, chunks, size); err != nil {
		p.mu.Unlock()
		return err
	}
	now := p.now()
	stalled := p.out.stalled(now)
	var w *deliveryWait
	if p.cfg.WaitForDelivery {
		w = newDeliveryWait(chunks)
	}
	var out []emission
	for _, c := range chunks {
		out = append(out, p.buf.add(c, now, w)...)
	}
	if p.shutdown {
		out = append(out, p.buf.flushAll(reasonShutdown)...)
	}
	p.enqueueLocked(out)
	p.mu.Unlock()
	switch {
	case len(out) == 0:
	case stalled:
		// Waiting for the next consumer would only hold the request: the run
		// loop offers the output once the consumer takes it again.
		p.wake()
	default:
		p.drain()
	}
	if w != nil {
		return p.awaitDelivery(ctx, w)
	}
	return nil
}

// gauges remembers what the buffer gauges last reported.
type gauges struct{ traces, spans int64 }

// enqueueLocked queues emissions and brings the buffer metrics up to date.
func (p *agentSpanProcessor) enqueueLocked(out []emission) {
	for _, e := range out {
		p.out.push(e)
	}
	ctx := context.Background()
	traces, spans := int64(len(p.buf.traces)), int64(p.buf.spans)
	p.telemetry.ProcessorAgentSpanTracesInBuffer.Add(ctx, traces-p.reported.traces)
	p.telemetry.ProcessorAgentSpanSpansInBuffer.Add(ctx, spans-p.reported.spans)
	p.reported = gauges{traces: traces, spans: spans}
	if p.buf.stitched > 0 {
		p.telemetry.ProcessorAgentSpanTracesStitched.Add(ctx, p.buf.stitched)
		p.buf.stitched = 0
	}
	if p.buf.forwardedTraces > 0 {
		p.telemetry.ProcessorAgentSpanTracesForwarded.Add(ctx, p.buf.forwardedTraces)
		p.buf.forwardedTraces = 0
	}
	p.reportHeldLocked()
}

// build turns one emission into output for the next consumer.
func (p *agentSpanProcessor) build(e emission) ptrace.Traces {
	ctx := context.Background()
	var td ptrace.Traces
	switch e.kind {
	case emitTrace:
		td = p.buildTrace(e)
		p.telemetry.ProcessorAgentSpanTracesEmitted.Add(ctx, 1,
			metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", e.reason))))
		if e.reason == reasonPressure {
			p.logger.Debug("Trace emitted early to bound memory",
				zap.String("trace_id", e.target.mergedID.String()), zap.Int("spans", e.spans))
		}
	case emitLate:
		var folded, repeated int
		td, folded, repeated = placeLate(e)
		p.telemetry.ProcessorAgentSpanLateSpans.Add(ctx, int64(e.spans-repeated))
		p.telemetry.ProcessorAgentSpanSpansFolded.Add(ctx, int64(folded))
		if repeated > 0 {
			p.telemetry.ProcessorAgentSpanSpansRepeated.Add(ctx, int64(repeated))
		}
	default:
		td = e.data
	}
	return td
}

// buildTrace assembles a group, stitches it, runs the first matching dialect
// and records the emitted structure for late spans.
func (p *agentSpanProcessor) buildTrace(e emission) ptrace.Traces {
	td, byID := assemble(e.members, e.target.mergedID)
	if len(e.members) > 1 {
		reparentSecondaryRoots(e.members, byID)
	}
	before := parentsOf(td)
	for _, d := range p.dialects {
		if d.Matches(td) {
			p.rewrite(d, td)
			if f, ok := d.(dialect.LateSpanFolder); ok && !p.cfg.KeepPlumbing {
				e.target.folder = f
			}
			break
		}
	}
	e.target.survivor = survivors(before, td)
	return td
}

// rewrite runs a dialect; a bug in one must not take the collector down.
func (p *agentSpanProcessor) rewrite(d dialect.Dialect, td ptrace.Traces) {
	defer func() {
		if r := recover(); r != nil {
			p.logger.Error("Dialect failed; the trace is emitted as the dialect left it",
				zap.String("dialect", d.Name()), zap.Any("panic", r))
		}
	}()
	stats := d.Rewrite(td, dialect.Options{KeepPlumbing: p.cfg.KeepPlumbing})
	ctx := context.Background()
	p.telemetry.ProcessorAgentSpanSpansFolded.Add(ctx, int64(stats.SpansFolded))
	p.telemetry.ProcessorAgentSpanSpansAdded.Add(ctx, int64(stats.SpansAdded))
}
