package agentspanprocessor

import (
	"context"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// forwardLog records what a gateway wrote back to Kafka, refusing the first
// refuse calls with a retryable error.
type forwardLog struct {
	mu     sync.Mutex
	refuse int
	routes []forwardRoute
	spans  []int
}

func (f *forwardLog) forward(_ context.Context, route forwardRoute, td ptrace.Traces) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refuse > 0 {
		f.refuse--
		return errors.New("broker not available")
	}
	f.routes = append(f.routes, route)
	f.spans = append(f.spans, td.SpanCount())
	return nil
}

func (f *forwardLog) snapshot() ([]forwardRoute, []int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]forwardRoute(nil), f.routes...), append([]int(nil), f.spans...)
}

func startForwardingProcessor(t *testing.T, sink *recordingSink, fwd *forwardLog) *agentSpanProcessor {
	p := startLookbackProcessor(t, &partitionLog{}, sink)
	require.True(t, p.buf.forward)
	p.forward = fwd.forward
	return p
}

// secondaryRoot is trace 2's root, which links to span 10 of trace 1.
func secondaryRoot() ptrace.Traces {
	return buildTraces(testSpan{trace: 2, id: 20, name: "autogen process", linkTrace: 1, linkSpan: 10})
}

func TestALinkedTraceHeldElsewhereIsForwardedUnderItsTarget(t *testing.T) {
	sink, fwd := &recordingSink{}, &forwardLog{}
	p := startForwardingProcessor(t, sink, fwd)

	child := consumeAsync(recordContext(context.Background(), 0), p, buildTraces(testSpan{trace: 2, id: 21, parent: 20, name: "invoke_agent"}))
	require.Eventually(t, func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.buf.traces[traceIDOf(2)] != nil
	}, waitFor, time.Millisecond, "the child is buffered before its root arrives")
	assertPending(t, child, "trace 2 waits for its root")
	root := consumeAsync(recordContext(context.Background(), 1), p, secondaryRoot())
	require.NoError(t, result(t, child))
	require.NoError(t, result(t, root))
	// A later span of trace 2 follows it.
	require.NoError(t, p.ConsumeTraces(recordContext(context.Background(), 2),
		buildTraces(testSpan{trace: 2, id: 22, parent: 20, name: "late"})))

	routes, spans := fwd.snapshot()
	want := forwardRoute{topic: "spans", key: traceIDOf(1), hops: 1}
	assert.Equal(t, []forwardRoute{want, want}, routes)
	assert.Equal(t, []int{2, 1}, spans)
	assert.Zero(t, sink.spanCount(), "nothing of trace 2 sent to LangSmith from here")
}

func TestAForwardedTraceWaitsForItsTargetAndIsStitched(t *testing.T) {
	sink, fwd := &recordingSink{}, &forwardLog{}
	p := startForwardingProcessor(t, sink, fwd)

	secondary := consumeAsync(forwardedContext(5, 1, 1), p, secondaryRoot())
	assertPending(t, secondary, "a forwarded trace waits for its link target here")
	require.NoError(t, p.ConsumeTraces(recordContext(context.Background(), 6), rootAndChild(1)))
	require.NoError(t, result(t, secondary))

	routes, _ := fwd.snapshot()
	assert.Empty(t, routes, "never forwarded twice")
	batches, spans := sink.snapshot()
	require.Len(t, batches, 1, "one stitched trace")
	got := byID(spans)
	assert.Len(t, got, 3)
	assert.Equal(t, spanIDOf(10), got[spanIDOf(20)].parent, "the secondary root hangs under its link target")
	assert.Equal(t, traceIDOf(1), got[spanIDOf(20)].trace)
}

func TestARefusedForwardIsOfferedAgainBeforeTheRecordReturns(t *testing.T) {
	sink, fwd := &recordingSink{}, &forwardLog{refuse: 2}
	p := startForwardingProcessor(t, sink, fwd)

	require.NoError(t, p.ConsumeTraces(recordContext(context.Background(), 0), secondaryRoot()))
	routes, _ := fwd.snapshot()
	assert.Len(t, routes, 1, "returned only once the broker took it")
	assert.Zero(t, fwd.refuse)
}

func TestTracesFromOtherReceiversAreNeverForwarded(t *testing.T) {
	sink, fwd := &recordingSink{}, &forwardLog{}
	p := startForwardingProcessor(t, sink, fwd)

	res := consumeAsync(context.Background(), p, secondaryRoot())
	require.NoError(t, p.ConsumeTraces(context.Background(), rootAndChild(1)))
	require.NoError(t, result(t, res))
	routes, _ := fwd.snapshot()
	assert.Empty(t, routes)
	assert.Equal(t, 3, sink.spanCount())
}

func TestMarshalInPartsKeepsEachRecordUnderTheLimit(t *testing.T) {
	var spans []testSpan
	for i := uint64(1); i <= 40; i++ {
		spans = append(spans, testSpan{trace: 1, id: i, parent: 1, name: strings.Repeat("x", 200), service: "svc" + strconv.Itoa(int(i%3))})
	}
	td := buildTraces(spans...)
	parts, err := marshalInParts(td, 2000)
	require.NoError(t, err)
	require.Greater(t, len(parts), 4)
	total := 0
	for _, b := range parts {
		assert.LessOrEqual(t, len(b), 2000)
		part, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(b)
		require.NoError(t, err)
		total += part.SpanCount()
		assert.Equal(t, 1, part.ResourceSpans().At(0).ScopeSpans().Len())
	}
	assert.Equal(t, 40, total, "every span once")
}

// forwardedContext is a record forwarded hops times under key.
func forwardedContext(offset int64, hops int, key uint64) context.Context {
	target := traceIDOf(key)
	return recordContext(context.Background(), offset, strconv.Itoa(hops)+":"+hex.EncodeToString(target[:]))
}

func TestATraceLinkingToOneForwardedFromHereFollowsItsRoute(t *testing.T) {
	sink, fwd := &recordingSink{}, &forwardLog{}
	p := startForwardingProcessor(t, sink, fwd)

	// Trace 2 links to trace 1 and leaves for trace 1's partition.
	require.NoError(t, p.ConsumeTraces(recordContext(context.Background(), 0), secondaryRoot()))
	// Trace 3 was forwarded here for trace 2 (another replica did not know
	// it had moved on); it follows trace 2, one hop further.
	require.NoError(t, p.ConsumeTraces(forwardedContext(1, 1, 2),
		buildTraces(testSpan{trace: 3, id: 30, name: "autogen process", linkTrace: 2, linkSpan: 20})))

	routes, _ := fwd.snapshot()
	require.Len(t, routes, 2)
	assert.Equal(t, forwardRoute{topic: "spans", key: traceIDOf(1), hops: 1}, routes[0])
	assert.Equal(t, forwardRoute{topic: "spans", key: traceIDOf(1), hops: 2}, routes[1])
}

func TestSpansThatCameBackAlongANewerRouteStay(t *testing.T) {
	sink, fwd := &recordingSink{}, &forwardLog{}
	p := startForwardingProcessor(t, sink, fwd)

	// Trace 2 leaves for trace 1's partition (hops 1) ...
	require.NoError(t, p.ConsumeTraces(recordContext(context.Background(), 0), secondaryRoot()))
	// ... and trace 1 turned out to link to trace 5, whose partition is this
	// one: trace 2 comes back forwarded twice, with trace 5 after it.
	back := consumeAsync(forwardedContext(1, 2, 5), p, secondaryRoot())
	turn := consumeAsync(forwardedContext(2, 1, 5), p,
		buildTraces(testSpan{trace: 1, id: 10, name: "team turn", linkTrace: 5, linkSpan: 50}))
	require.Eventually(t, func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.buf.traces[traceIDOf(1)] != nil && p.buf.traces[traceIDOf(2)] != nil
	}, waitFor, time.Millisecond, "both wait here for trace 5")
	require.NoError(t, p.ConsumeTraces(recordContext(context.Background(), 3), buildTraces(testSpan{trace: 5, id: 50, name: "run_team"})))
	require.NoError(t, result(t, back))
	require.NoError(t, result(t, turn))

	routes, _ := fwd.snapshot()
	assert.Len(t, routes, 1, "not sent back along the stale route")
	batches, spans := sink.snapshot()
	require.Len(t, batches, 1)
	assert.Len(t, spans, 3, "traces 5, 1 and 2 stitched here")
}

func TestParseForwardHeader(t *testing.T) {
	target := traceIDOf(7)
	hops, to := parseForwardHeader("3:" + hex.EncodeToString(target[:]))
	assert.Equal(t, 3, hops)
	assert.Equal(t, target, to)
	for _, bad := range []string{"", "1", "x:ab", "2:zz", "0:" + hex.EncodeToString(target[:]), "1:abcd"} {
		hops, to = parseForwardHeader(bad)
		assert.Equal(t, maxForwardHops, hops, "%q is never forwarded again", bad)
		assert.True(t, to.IsEmpty())
	}
}
