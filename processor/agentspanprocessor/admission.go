package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// This file decides whether a request may enter the buffer. While the next
// consumer takes output, a full buffer makes room by emitting its oldest
// traces early (trace_buffer.go). While it does not, that would only move
// traces into the outbox and grow memory, so the request is refused instead,
// with an error the OTLP receiver turns into a retryable answer: the apps'
// exporters keep the data and send it again.

// Bounds of the retry delay suggested to the senders.
const (
	minRetryAfter = time.Second
	maxRetryAfter = time.Minute
)

// requestSize estimates a request's buffered size, but only while the next
// consumer is not taking output: otherwise no budget check is paid for.
func (p *agentSpanProcessor) requestSize(td ptrace.Traces) int64 {
	p.mu.Lock()
	stalled := p.out.stalled(p.now())
	p.mu.Unlock()
	if !stalled {
		return -1
	}
	return int64(sizer.TracesSize(td))
}

// admitLocked returns a retryable error when the next consumer is not taking
// output and the buffer, with the output held for it and this request, would
// exceed max_traces or max_buffered_bytes. size < 0 means not measured.
func (p *agentSpanProcessor) admitLocked(chunks []traceChunk, size int64, now time.Time) error {
	if size < 0 || !p.out.stalled(now) {
		p.setFullLocked(false)
		return nil
	}
	traces := len(p.buf.traces) + len(p.out.items)
	spans := 0
	for _, c := range chunks {
		if _, buffered := p.buf.traces[c.traceID]; !buffered {
			traces++
		}
		spans += c.spans
	}
	if traces <= p.cfg.MaxTraces && p.buf.bytes+p.out.bytes+size <= p.cfg.MaxBufferedBytes {
		p.setFullLocked(false)
		return nil
	}
	p.setFullLocked(true)
	p.telemetry.ProcessorAgentSpanSpansRefused.Add(context.Background(), int64(spans))
	return bufferFullError(p.out.retryIn(now))
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
