package agentspanprocessor

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// slowSink accepts everything, taking delay per call, and records the
// processor's held bytes (buffer + outbox) at every call.
type slowSink struct {
	recordingSink
	delay   time.Duration
	p       *agentSpanProcessor
	maxHeld atomic.Int64
}

func (*slowSink) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (s *slowSink) ConsumeTraces(_ context.Context, td ptrace.Traces) error {
	s.p.mu.Lock()
	held := s.p.buf.bytes + s.p.out.bytes
	s.p.mu.Unlock()
	for old := s.maxHeld.Load(); held > old && !s.maxHeld.CompareAndSwap(old, held); old = s.maxHeld.Load() {
	}
	time.Sleep(s.delay)
	s.record(td)
	return nil
}

// A next consumer slower than the senders, but taking output, makes requests
// wait: buffer plus outbox stay within max_buffered_bytes, nothing is refused
// and nothing is lost.
func TestSlowConsumerMakesRequestsWaitWithinBudget(t *testing.T) {
	cfg := testConfig()
	cfg.CompletionGrace = 0
	one := estimateBytes(rootAndChild(1))
	cfg.MaxBufferedBytes = 4 * one
	sink := &slowSink{delay: 5 * time.Millisecond}
	p, err := newAgentSpanProcessor(processortestSettings(), cfg, sink, nil)
	require.NoError(t, err)
	sink.p = p
	require.NoError(t, p.Start(context.Background(), nil))

	const senders, perSender = 8, 15
	var wg sync.WaitGroup
	var maxHeld atomic.Int64
	for w := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perSender {
				assert.NoError(t, p.ConsumeTraces(context.Background(), rootAndChild(uint64(1+w*perSender+i))))
				p.mu.Lock()
				held := p.buf.bytes + p.out.bytes
				p.mu.Unlock()
				if held > maxHeld.Load() {
					maxHeld.Store(held)
				}
			}
		}()
	}
	wg.Wait()
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Equal(t, 2*senders*perSender, sink.spanCount(), "nothing lost")
	// A full buffer with nothing queued makes room by pressure, the request
	// itself included: the budget plus one request.
	assert.LessOrEqual(t, max(maxHeld.Load(), sink.maxHeld.Load()), cfg.MaxBufferedBytes+one,
		"buffer and outbox within the budget (without waiting, the outbox grows with the backlog)")
}

// The door's decisions: within the budget a request enters; a backlog over an
// eighth of the budget, or a full budget, makes it wait while the next
// consumer takes output, and refuses it while the consumer does not.
func TestAdmissionDecisions(t *testing.T) {
	cfg := testConfig()
	req := splitByTrace(rootAndChild(1000))
	one := req[0].bytes
	cfg.MaxBufferedBytes = 64 * one
	p, err := newAgentSpanProcessor(processortestSettings(), cfg, &recordingSink{}, nil)
	require.NoError(t, err)
	now := time.Now()
	queue := func(n int) {
		p.out = outbox{delay: cfg.RetryOnRefusal.InitialInterval}
		for i := range n {
			p.out.push(emission{kind: emitLate, data: rootAndChild(uint64(i + 1)), spans: 2})
		}
	}

	queue(7)
	assert.Equal(t, admit, p.admitLocked(req, one, now), "a backlog under an eighth of the budget")
	queue(9)
	assert.Equal(t, waitForRoom, p.admitLocked(req, one, now), "a backlog over an eighth of the budget")
	queue(64)
	assert.Equal(t, waitForRoom, p.admitLocked(req, one, now), "a full budget, consumer taking output")
	p.out.retryAt = now.Add(time.Second)
	assert.Equal(t, refuse, p.admitLocked(req, one, now), "a full budget, consumer refusing")
	queue(9)
	p.out.retryAt = now.Add(time.Second)
	assert.Equal(t, admit, p.admitLocked(req, one, now), "refused output within the budget: the door stays open")
	queue(0)
	assert.Equal(t, admit, p.admitLocked(req, 100*one, now), "nothing queued: the buffer makes room by pressure")
}

// gateSink blocks every call until released, like an exporter stuck in a
// blocking queue.
type gateSink struct {
	recordingSink
	release chan struct{}
}

func (*gateSink) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (s *gateSink) ConsumeTraces(_ context.Context, td ptrace.Traces) error {
	<-s.release
	s.record(td)
	return nil
}

// A request waiting for room is refused, retryably, once the next consumer
// stops taking output (an offer blocked for offerStallAfter), and a waiting
// request whose sender went away leaves at once.
func TestWaitingRequestIsRefusedWhenConsumerStalls(t *testing.T) {
	cfg := testConfig()
	cfg.CompletionGrace = 0
	cfg.MaxBufferedBytes = estimateBytes(rootAndChild(1))
	sink := &gateSink{release: make(chan struct{})}
	p := startProcessor(t, cfg, sink, nil, nil)
	defer close(sink.release)

	require.NoError(t, p.ConsumeTraces(context.Background(), rootAndChild(1)))
	require.Eventually(t, func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return !p.out.offerStart.IsZero()
	}, waitFor, 5*time.Millisecond, "trace 1 is being offered")

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := p.ConsumeTraces(ctx, rootAndChild(2))
	require.Error(t, err, "the sender gave up while waiting")
	assert.Less(t, time.Since(start), offerStallAfter)

	start = time.Now()
	err = p.ConsumeTraces(context.Background(), rootAndChild(3))
	require.Error(t, err)
	assert.False(t, consumererror.IsPermanent(err))
	assert.Equal(t, codes.Unavailable, status.Code(err))
	assert.GreaterOrEqual(t, time.Since(start), offerStallAfter/2, "it waited for room first")
	assert.Less(t, time.Since(start), maxRoomWait)
}
