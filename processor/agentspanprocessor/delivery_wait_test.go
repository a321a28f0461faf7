package agentspanprocessor

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/metadatatest"
)

func deliveryConfig() *Config {
	cfg := retryConfig()
	cfg.WaitForDelivery = true
	return cfg
}

// consumeAsync runs ConsumeTraces in the background; the channel gets its result.
func consumeAsync(ctx context.Context, p *agentSpanProcessor, td ptrace.Traces) <-chan error {
	res := make(chan error, 1)
	go func() { res <- p.ConsumeTraces(ctx, td) }()
	return res
}

// assertPending fails the test if a background ConsumeTraces returned.
func assertPending(t *testing.T, res <-chan error, why string) {
	t.Helper()
	select {
	case err := <-res:
		t.Fatalf("ConsumeTraces returned (%v) although %s", err, why)
	default:
	}
}

func result(t *testing.T, res <-chan error) error {
	t.Helper()
	select {
	case err := <-res:
		return err
	case <-time.After(waitFor):
		t.Fatal("ConsumeTraces did not return")
		return nil
	}
}

func TestWaitForDeliveryReturnsOnceTheNextConsumerTookTheTrace(t *testing.T) {
	sink := newGatedSink(errors.New("sending queue is full"))
	p := startProcessor(t, deliveryConfig(), sink, nil, nil)

	res := consumeAsync(context.Background(), p, rootAndChild(1))
	require.Eventually(t, func() bool { return len(sink.callTimes()) >= 3 }, waitFor, 5*time.Millisecond,
		"the trace completes and is refused again and again")
	assertPending(t, res, "nothing was taken")

	sink.accept()
	require.NoError(t, result(t, res))
	assert.Equal(t, 2, sink.spanCount())
}

func TestWaitForDeliveryWaitsForEveryRequestOfATrace(t *testing.T) {
	sink := &recordingSink{}
	p := startProcessor(t, deliveryConfig(), sink, nil, nil)
	ctx := context.Background()

	// The child arrives first (another agent's part of the trace), then the root.
	child := consumeAsync(ctx, p, buildTraces(testSpan{trace: 1, id: 11, parent: 10, name: "child"}))
	time.Sleep(20 * time.Millisecond)
	assertPending(t, child, "the trace is not complete without its root")
	root := consumeAsync(ctx, p, buildTraces(testSpan{trace: 1, id: 10, name: "root"}))

	require.NoError(t, result(t, child))
	require.NoError(t, result(t, root))
	assert.Equal(t, 2, sink.spanCount())
	assert.Equal(t, 1, sink.batchCount(), "one trace, emitted whole")
}

func TestGivingUpWithdrawsTheBufferedTrace(t *testing.T) {
	tel := componenttest.NewTelemetry()
	defer func() { assert.NoError(t, tel.Shutdown(context.Background())) }()
	sink := &recordingSink{}
	cfg := deliveryConfig()
	cfg.IdleTimeout = 100 * time.Millisecond
	p := startProcessor(t, cfg, sink, nil, tel)

	// Two requests hold parts of trace 1, which has no root yet; a third,
	// trace 2, is complete.
	ctx, giveUp := context.WithCancel(context.Background())
	first := consumeAsync(ctx, p, buildTraces(testSpan{trace: 1, id: 11, parent: 10}))
	second := consumeAsync(context.Background(), p, buildTraces(testSpan{trace: 1, id: 12, parent: 10}))
	require.NoError(t, p.ConsumeTraces(context.Background(), rootAndChild(2)))
	require.Eventually(t, func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.buf.spans == 2
	}, waitFor, 5*time.Millisecond)

	// The first sender gives up (its Kafka partition was revoked).
	giveUp()
	assert.ErrorIs(t, result(t, first), context.Canceled)
	assert.ErrorIs(t, result(t, second), errWithdrawn, "the trace it shares is gone: its sender must send again")

	p.mu.Lock()
	assert.Zero(t, p.buf.spans, "withdrawn, not kept")
	assert.Empty(t, p.buf.traces)
	p.mu.Unlock()
	time.Sleep(3 * cfg.IdleTimeout)
	_, spans := sink.snapshot()
	require.Len(t, spans, 2, "trace 1 is never emitted as a fragment")
	assert.Equal(t, traceIDOf(2), spans[0].trace)
	metadatatest.AssertEqualProcessorAgentSpanSpansWithdrawn(t, tel, []metricdata.DataPoint[int64]{{Value: 2}}, ignoreTime...)

	// Sent again, whole, the trace goes out.
	require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(
		testSpan{trace: 1, id: 10, name: "root"}, testSpan{trace: 1, id: 11, parent: 10}, testSpan{trace: 1, id: 12, parent: 10})))
	assert.Equal(t, 5, sink.spanCount())
}

func TestWaitForDeliveryEndsWithAPermanentRefusal(t *testing.T) {
	sink := newGatedSink(consumererror.NewPermanent(errors.New("malformed")))
	p := startProcessor(t, deliveryConfig(), sink, nil, nil)

	err := p.ConsumeTraces(context.Background(), rootAndChild(1))
	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err), "sending it again would meet the same answer: %v", err)
}

func TestShutdownEndsWaitingRequestsWithAnError(t *testing.T) {
	cfg := deliveryConfig()
	p, err := newAgentSpanProcessor(processortestSettings(), cfg, blockingSink{}, nil)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	res := consumeAsync(context.Background(), p, rootAndChild(1))
	time.Sleep(100 * time.Millisecond)
	assertPending(t, res, "the next consumer blocks")

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	require.NoError(t, p.Shutdown(ctx))
	assert.ErrorIs(t, result(t, res), errNotSent, "not committed: it is read again")
}

func TestWaitForDeliveryJoinsQueuedOutputIntoOneOffer(t *testing.T) {
	sink := newGatedSink(errors.New("sending queue is full"))
	p := startProcessor(t, deliveryConfig(), sink, nil, nil)

	var results []<-chan error
	for i := range uint64(3) {
		results = append(results, consumeAsync(context.Background(), p, rootAndChild(i+1)))
	}
	require.Eventually(t, func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.buf.traces) == 0 && p.out.spans == 6
	}, waitFor, 5*time.Millisecond, "all three complete, queued behind the refused head")

	sink.accept()
	for _, res := range results {
		require.NoError(t, result(t, res))
	}
	sink.gate.Lock()
	defer sink.gate.Unlock()
	assert.Equal(t, 6, sink.offered[len(sink.offered)-1], "the last offer carried all three traces")
	assert.Equal(t, 1, sink.batchCount())
}
