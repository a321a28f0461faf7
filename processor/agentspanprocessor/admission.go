package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"context"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// This file decides whether a request may enter the buffer. The budget
// (max_traces, max_buffered_bytes) covers the buffer and the output not yet
// taken by the next consumer: ConsumeTraces returns before traces complete,
// so without counting the outbox, a consumer slower than the senders (the
// rewrite and export at saturation) would let output pile up without bound.
// At the budget:
//   - while the next consumer takes output, a request waits for room, as it
//     would in a synchronous pipeline: the senders are slowed to the pace
//     output leaves (each sender waits with one request, as it would for any
//     slow receiver). It also waits while the output queued for the consumer
//     exceeds an eighth of the budget, so that a consumer slower than the
//     senders does not fill the whole budget with a backlog.
//   - while it does not (it refused the head, or an offer has blocked for
//     over offerStallAfter), waiting would only hold requests: the request is
//     refused with an error the OTLP receiver turns into a retryable answer,
//     and the apps' exporters keep the data and send it again.

// Bounds of the retry delay suggested to the senders.
const (
	minRetryAfter = time.Second
	maxRetryAfter = time.Minute
)

// admission is the answer to a request at the door.
type admission int

const (
	admit admission = iota
	waitForRoom
	refuse
)

// outboxShare: while the next consumer takes output, output waiting for it
// may fill 1/outboxShare of the budget before requests wait. Queued output
// does not make the consumer faster; the rest of the budget is for traces
// still being collected (a long agent run can be buffered for minutes).
const outboxShare = 8

// admitLocked decides on a request of the given chunks and estimated size:
// within the budget it enters; beyond it, it waits while the next consumer
// takes output and is refused while it does not.
func (p *agentSpanProcessor) admitLocked(chunks []traceChunk, size int64, now time.Time) admission {
	traces := len(p.buf.traces) + len(p.out.items)
	for _, c := range chunks {
		if _, buffered := p.buf.traces[c.traceID]; !buffered {
			traces++
		}
	}
	stalled := p.out.stalled(now)
	overBudget := traces > p.cfg.MaxTraces || p.buf.bytes+p.out.bytes+size > p.cfg.MaxBufferedBytes
	backlog := !stalled && p.out.bytes > p.cfg.MaxBufferedBytes/outboxShare
	switch {
	case !overBudget && !backlog:
	case len(p.out.items) == 0 && !stalled:
		// Nothing to wait for: the buffer makes room by emitting its oldest
		// traces early (trace_buffer.go).
	case !stalled:
		return waitForRoom
	default:
		return refuse
	}
	p.setFullLocked(false)
	return admit
}

// refuseLocked counts a refused request and returns the error for it.
func (p *agentSpanProcessor) refuseLocked(chunks []traceChunk, now time.Time) error {
	spans := 0
	for _, c := range chunks {
		spans += c.spans
	}
	p.setFullLocked(true)
	p.telemetry.ProcessorAgentSpanSpansRefused.Add(context.Background(), int64(spans))
	return bufferFullError(p.out.retryIn(now))
}

// roomLocked returns a channel closed when output next leaves the outbox.
func (p *agentSpanProcessor) roomLocked() <-chan struct{} {
	if p.room == nil {
		p.room = make(chan struct{})
	}
	return p.room
}

// signalRoomLocked wakes the requests waiting for room.
func (p *agentSpanProcessor) signalRoomLocked() {
	if p.room != nil {
		close(p.room)
		p.room = nil
	}
}

// setFullLocked keeps the buffer_full gauge at 1 while requests are refused.
func (p *agentSpanProcessor) setFullLocked(full bool) {
	if full == p.full {
		return
	}
	p.full = full
	delta := int64(1)
	if !full {
		delta = -1
	}
	p.telemetry.ProcessorAgentSpanBufferFull.Add(context.Background(), delta)
}

// bufferFullError is a gRPC UNAVAILABLE status with RetryInfo: the OTLP gRPC
// receiver returns it as is, the OTLP/HTTP receiver answers 503 with
// Retry-After. (A consumererror.NewOTLPGRPCError would carry the same status
// but hide it behind Unwrap, doubling the message the sender sees.)
func bufferFullError(retryIn time.Duration) error {
	delay := min(max(retryIn.Round(time.Second), minRetryAfter), maxRetryAfter)
	st := status.New(codes.Unavailable,
		"agent_span buffer is full and the next component is not accepting data; retry later")
	if withInfo, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(delay)}); err == nil {
		st = withInfo
	}
	return st.Err()
}

// maxRoomWait bounds how long a request waits for room before it is refused
// anyway: under the OpenTelemetry SDKs' default export timeout (10s), so that
// the sender gets an answer it retries rather than a timeout.
const maxRoomWait = 5 * time.Second

// enterLocked returns once the request may enter the buffer, waiting for room
// (mu released meanwhile) while the next consumer takes output, or the
// retryable error refusing it.
func (p *agentSpanProcessor) enterLocked(ctx context.Context, chunks []traceChunk, size int64) error {
	var deadline time.Time
	for {
		now := p.now()
		switch p.admitLocked(chunks, size, now) {
		case admit:
			return nil
		case refuse:
			return p.refuseLocked(chunks, now)
		}
		if deadline.IsZero() {
			deadline = now.Add(maxRoomWait)
			p.wake()
		} else if !now.Before(deadline) {
			return p.refuseLocked(chunks, now)
		}
		room := p.roomLocked()
		p.mu.Unlock()
		// Checked again at least every offerStallAfter: a consumer that stops
		// taking output turns the wait into a refusal.
		t := time.NewTimer(offerStallAfter)
		var cancelled bool
		select {
		case <-room:
		case <-t.C:
		case <-ctx.Done():
			cancelled = true
		}
		t.Stop()
		p.mu.Lock()
		if cancelled {
			return p.refuseLocked(chunks, p.now())
		}
	}
}
