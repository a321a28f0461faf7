package agentspanprocessor

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/metadatatest"
)

// gatedSink refuses calls with err while refusing is set, then records what
// it accepts; it notes when every call came.
type gatedSink struct {
	recordingSink
	gate     sync.Mutex
	refusing bool
	err      error
	refusals int // refuse only this many more calls when > 0
	calls    []time.Time
	offered  []int // spans of every call
}

func newGatedSink(err error) *gatedSink { return &gatedSink{refusing: true, err: err} }

func (s *gatedSink) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (s *gatedSink) ConsumeTraces(_ context.Context, td ptrace.Traces) error {
	s.gate.Lock()
	s.calls = append(s.calls, time.Now())
	s.offered = append(s.offered, td.SpanCount())
	refuse := s.refusing
	if refuse && s.refusals > 0 {
		s.refusals--
		s.refusing = s.refusals > 0
	}
	s.gate.Unlock()
	if refuse {
		return s.err
	}
	s.record(td)
	return nil
}

func (s *gatedSink) accept() {
	s.gate.Lock()
	defer s.gate.Unlock()
	s.refusing = false
}

func (s *gatedSink) callTimes() []time.Time {
	s.gate.Lock()
	defer s.gate.Unlock()
	return append([]time.Time(nil), s.calls...)
}

// retryConfig: quick completion and quick, doubling re-offers.
func retryConfig() *Config {
	cfg := testConfig()
	cfg.RetryOnRefusal = RetryOnRefusalConfig{InitialInterval: 40 * time.Millisecond, MaxInterval: 160 * time.Millisecond}
	return cfg
}

func rootAndChild(trace uint64) ptrace.Traces {
	return buildTraces(testSpan{trace: trace, id: trace * 10, name: "root"},
		testSpan{trace: trace, id: trace*10 + 1, parent: trace * 10, name: "child"})
}

var ignoreTime = []metricdatatest.Option{metricdatatest.IgnoreTimestamp()}

func dropSet(r string) attribute.Set { return attribute.NewSet(attribute.String("reason", r)) }

func TestRefusedTraceIsOfferedAgainWithBackoff(t *testing.T) {
	tel := componenttest.NewTelemetry()
	defer func() { assert.NoError(t, tel.Shutdown(context.Background())) }()
	sink := newGatedSink(errors.New("sending queue is full"))
	sink.refusals = 4
	p := startProcessor(t, retryConfig(), sink, nil, tel)

	require.NoError(t, p.ConsumeTraces(context.Background(), rootAndChild(1)))
	require.Eventually(t, func() bool { return sink.spanCount() == 2 }, waitFor, 5*time.Millisecond)

	calls := sink.callTimes()
	require.Len(t, calls, 5, "four refusals, then accepted once")
	// 40ms, 80ms, 160ms, 160ms (capped); a little slack for the scheduler.
	for i, want := range []time.Duration{40, 80, 160, 160} {
		gap := calls[i+1].Sub(calls[i])
		assert.GreaterOrEqual(t, gap, want*time.Millisecond*9/10, "gap %d", i)
	}
	metadatatest.AssertEqualProcessorAgentSpanEmissionsRetried(t, tel, []metricdata.DataPoint[int64]{{Value: 4}}, ignoreTime...)
	metadatatest.AssertEqualProcessorAgentSpanNextConsumerErrors(t, tel, []metricdata.DataPoint[int64]{{Value: 8}}, ignoreTime...)
	metadatatest.AssertEqualProcessorAgentSpanSpansEmitted(t, tel, []metricdata.DataPoint[int64]{{Value: 2}}, ignoreTime...)
	metadatatest.AssertEqualProcessorAgentSpanEmissionsAwaitingRetry(t, tel, []metricdata.DataPoint[int64]{{Value: 0}}, ignoreTime...)
	_, err := tel.GetMetric("otelcol_processor_agent_span_spans_dropped")
	assert.Error(t, err, "nothing dropped")

	// The backoff starts over once the consumer accepts again.
	p.mu.Lock()
	assert.Equal(t, 40*time.Millisecond, p.out.delay)
	assert.False(t, p.out.waiting())
	p.mu.Unlock()
}

func TestPermanentErrorDropsAndCounts(t *testing.T) {
	tel := componenttest.NewTelemetry()
	defer func() { assert.NoError(t, tel.Shutdown(context.Background())) }()
	sink := newGatedSink(consumererror.NewPermanent(errors.New("malformed")))
	sink.refusals = 1
	p := startProcessor(t, retryConfig(), sink, nil, tel)

	require.NoError(t, p.ConsumeTraces(context.Background(), rootAndChild(1)))
	require.Eventually(t, func() bool { return len(sink.callTimes()) == 1 }, waitFor, 5*time.Millisecond)
	// The next trace is not held behind the dropped one.
	require.NoError(t, p.ConsumeTraces(context.Background(), rootAndChild(2)))
	require.Eventually(t, func() bool { return sink.spanCount() == 2 }, waitFor, 5*time.Millisecond)

	assert.Len(t, sink.callTimes(), 2, "a permanent error is never retried")
	_, spans := sink.snapshot()
	assert.Equal(t, traceIDOf(2), spans[0].trace)
	metadatatest.AssertEqualProcessorAgentSpanSpansDropped(t, tel, []metricdata.DataPoint[int64]{
		{Value: 2, Attributes: dropSet(dropPermanent)},
	}, ignoreTime...)
	metadatatest.AssertEqualProcessorAgentSpanNextConsumerErrors(t, tel, []metricdata.DataPoint[int64]{{Value: 2}}, ignoreTime...)
}

func TestBufferFullRefusesWithRetryableError(t *testing.T) {
	tel := componenttest.NewTelemetry()
	defer func() { assert.NoError(t, tel.Shutdown(context.Background())) }()
	sink := newGatedSink(errors.New("sending queue is full"))
	cfg := retryConfig()
	cfg.MaxTraces = 3
	p := startProcessor(t, cfg, sink, nil, tel)
	ctx := context.Background()

	// Trace 1 completes and is refused: it now waits for a re-offer.
	require.NoError(t, p.ConsumeTraces(ctx, rootAndChild(1)))
	require.Eventually(t, func() bool { return len(sink.callTimes()) >= 1 }, waitFor, 5*time.Millisecond)
	// Two more fit in the budget (one held + two buffered = 3 traces).
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 2, id: 20, parent: 1})))
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 3, id: 30, parent: 1})))
	// The fourth would grow memory: refused, retryably.
	err := p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 4, id: 40, parent: 1}, testSpan{trace: 4, id: 41, parent: 40}))
	require.Error(t, err)
	assert.False(t, consumererror.IsPermanent(err))
	st, ok := status.FromError(err)
	require.True(t, ok, "the receiver maps a gRPC status: %v", err)
	assert.Equal(t, codes.Unavailable, st.Code(), "OTLP/HTTP answers 503, gRPC UNAVAILABLE: both retryable")
	require.Len(t, st.Details(), 1)
	info, ok := st.Details()[0].(*errdetails.RetryInfo)
	require.True(t, ok)
	assert.GreaterOrEqual(t, info.GetRetryDelay().AsDuration(), time.Second, "Retry-After is whole seconds")

	p.mu.Lock()
	assert.LessOrEqual(t, len(p.buf.traces)+len(p.out.items), cfg.MaxTraces, "memory stays within the budget")
	p.mu.Unlock()
	metadatatest.AssertEqualProcessorAgentSpanBufferFull(t, tel, []metricdata.DataPoint[int64]{{Value: 1}}, ignoreTime...)
	metadatatest.AssertEqualProcessorAgentSpanEmissionsAwaitingRetry(t, tel, []metricdata.DataPoint[int64]{{Value: 1}}, ignoreTime...)
	metadatatest.AssertEqualProcessorAgentSpanSpansRefused(t, tel, []metricdata.DataPoint[int64]{{Value: 2}}, ignoreTime...)

	// The consumer recovers: held output drains and the door opens again.
	sink.accept()
	require.Eventually(t, func() bool { return sink.spanCount() == 2 }, waitFor, 5*time.Millisecond)
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 4, id: 40, parent: 1}, testSpan{trace: 4, id: 41, parent: 40})))
	metadatatest.AssertEqualProcessorAgentSpanBufferFull(t, tel, []metricdata.DataPoint[int64]{{Value: 0}}, ignoreTime...)
}

func TestLateSpansWaitBehindRefusedTrace(t *testing.T) {
	sink := newGatedSink(errors.New("sending queue is full"))
	p := startProcessor(t, retryConfig(), sink, nil, nil)
	ctx := context.Background()

	require.NoError(t, p.ConsumeTraces(ctx, rootAndChild(1)))
	require.Eventually(t, func() bool { return len(sink.callTimes()) >= 1 }, waitFor, 5*time.Millisecond)
	// A late span of the refused trace and a whole other trace queue behind it.
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 12, parent: 11, name: "late"})))
	require.NoError(t, p.ConsumeTraces(ctx, rootAndChild(2)))
	time.Sleep(300 * time.Millisecond) // several re-offers of trace 1, all refused
	assert.Zero(t, sink.spanCount())

	sink.accept()
	require.Eventually(t, func() bool { return sink.spanCount() == 5 }, waitFor, 5*time.Millisecond)
	_, spans := sink.snapshot()
	got := byID(spans)
	assert.Equal(t, 0, got[spanIDOf(10)].batch, "the trace goes first")
	assert.Equal(t, 1, got[spanIDOf(12)].batch, "its late span right after it")
	assert.Equal(t, 2, got[spanIDOf(20)].batch)
	sink.gate.Lock()
	defer sink.gate.Unlock()
	for i, n := range sink.offered[:len(sink.offered)-3] {
		assert.Equal(t, 2, n, "refused offer %d was trace 1 alone", i)
	}
}

func TestShutdownIsBoundedByContext(t *testing.T) {
	for _, tt := range []struct {
		name string
		sink consumer.Traces
	}{
		{"refusing consumer", newGatedSink(errors.New("sending queue is full"))},
		{"blocking consumer (block_on_overflow)", blockingSink{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tel := componenttest.NewTelemetry()
			defer func() { assert.NoError(t, tel.Shutdown(context.Background())) }()
			core, logs := observer.New(zapcore.InfoLevel)
			set := metadatatest.NewSettings(tel)
			set.Logger = zap.New(core)
			cfg := retryConfig()
			cfg.ShutdownTimeout = time.Minute
			p, err := newAgentSpanProcessor(set, cfg, tt.sink, nil)
			require.NoError(t, err)
			require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
			require.NoError(t, p.ConsumeTraces(context.Background(), rootAndChild(1)))
			require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(testSpan{trace: 2, id: 20, parent: 1})))

			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			require.NoError(t, p.Shutdown(ctx))
			assert.Less(t, time.Since(start), 2*time.Second, "the context's deadline bounds the re-offers")

			metadatatest.AssertEqualProcessorAgentSpanSpansDropped(t, tel, []metricdata.DataPoint[int64]{
				{Value: 3, Attributes: dropSet(dropShutdown)},
			}, ignoreTime...)
			logged := logs.FilterMessage("Shutdown ended while the next consumer still refused output; dropping it").All()
			require.Len(t, logged, 1)
			assert.Equal(t, int64(2), logged[0].ContextMap()["outputs"])
			assert.Equal(t, int64(3), logged[0].ContextMap()["spans"])
		})
	}
}

func TestShutdownDeliversWhatTheConsumerTakesInTime(t *testing.T) {
	sink := newGatedSink(errors.New("sending queue is full"))
	sink.refusals = 3
	p, err := newAgentSpanProcessor(processortestSettings(), retryConfig(), sink, nil)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(testSpan{trace: 2, id: 20, parent: 1})))
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Equal(t, 1, sink.spanCount(), "refused three times, delivered within shutdown_timeout")
}

// blockingSink blocks like a full sending_queue with block_on_overflow,
// until its context ends.
type blockingSink struct{}

func (blockingSink) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (blockingSink) ConsumeTraces(ctx context.Context, _ ptrace.Traces) error {
	<-ctx.Done()
	return ctx.Err()
}
