package agentspanprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

const waitFor = 5 * time.Second

func TestTraceWaitsForRootThenIdle(t *testing.T) {
	sink := &recordingSink{}
	cfg := testConfig()
	p := startProcessor(t, cfg, sink, nil, nil)
	ctx := context.Background()

	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 2, parent: 1})))
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 3, parent: 2})))
	// No root yet: the trace must stay buffered well past idle_timeout.
	require.Never(t, func() bool { return sink.spanCount() > 0 }, 4*cfg.IdleTimeout, 10*time.Millisecond)

	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 1})))
	require.Eventually(t, func() bool { return sink.spanCount() == 3 }, waitFor, 5*time.Millisecond)

	batches, spans := sink.snapshot()
	require.Len(t, batches, 1, "the whole trace goes out in one call")
	// Three requests with the same resource and scope come out as one group.
	require.Equal(t, 1, batches[0].ResourceSpans().Len())
	require.Equal(t, 1, batches[0].ResourceSpans().At(0).ScopeSpans().Len())
	assert.Equal(t, "app", mustStr(t, batches[0].ResourceSpans().At(0).Resource().Attributes(), "service.name"))
	assert.Equal(t, "test-scope", batches[0].ResourceSpans().At(0).ScopeSpans().At(0).Scope().Name())
	for _, s := range spans {
		assert.Equal(t, traceIDOf(1), s.trace)
	}
}

func TestTraceKeepsResourcesApart(t *testing.T) {
	sink := &recordingSink{}
	p := startProcessor(t, testConfig(), sink, nil, nil)
	require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(
		testSpan{trace: 1, id: 1, service: "a"},
		testSpan{trace: 1, id: 2, parent: 1, service: "b"},
		testSpan{trace: 2, id: 3, service: "a"},
	)))
	require.Eventually(t, func() bool { return sink.spanCount() == 3 }, waitFor, 5*time.Millisecond)
	batches, _ := sink.snapshot()
	require.Len(t, batches, 2, "one call per trace")
	for _, b := range batches {
		traceIDs := map[pcommon.TraceID]bool{}
		forEachSpan(b, func(s ptrace.Span) { traceIDs[s.TraceID()] = true })
		assert.Len(t, traceIDs, 1)
		if b.SpanCount() == 2 {
			assert.Equal(t, 2, b.ResourceSpans().Len(), "spans of services a and b keep their own resource")
		}
	}
}

func TestIdleTimerRestartsOnEverySpan(t *testing.T) {
	sink := &recordingSink{}
	cfg := testConfig()
	cfg.IdleTimeout = 300 * time.Millisecond
	p := startProcessor(t, cfg, sink, nil, nil)
	ctx := context.Background()
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 1})))
	// Keep the trace busy for longer than idle_timeout: it must not leave.
	deadline := time.Now().Add(2 * cfg.IdleTimeout)
	for i := uint64(2); time.Now().Before(deadline); i++ {
		require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: i, parent: 1})))
		require.Zero(t, sink.spanCount(), "emitted while spans were still arriving")
		time.Sleep(cfg.IdleTimeout / 10) // pacing the sender, not an assertion
	}
	require.Eventually(t, func() bool { return sink.batchCount() == 1 }, waitFor, 5*time.Millisecond)
}

func TestRootlessTraceLeavesAtMaxTraceDuration(t *testing.T) {
	sink := &recordingSink{}
	cfg := testConfig()
	cfg.MaxTraceDuration = 400 * time.Millisecond
	p := startProcessor(t, cfg, sink, nil, nil)
	require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(testSpan{trace: 1, id: 2, parent: 1})))
	require.Never(t, func() bool { return sink.spanCount() > 0 }, 200*time.Millisecond, 10*time.Millisecond)
	require.Eventually(t, func() bool { return sink.spanCount() == 1 }, waitFor, 5*time.Millisecond)
}

func TestBusyTraceLeavesAtMaxTraceDuration(t *testing.T) {
	sink := &recordingSink{}
	cfg := testConfig()
	cfg.IdleTimeout = 200 * time.Millisecond
	cfg.MaxTraceDuration = 300 * time.Millisecond
	p := startProcessor(t, cfg, sink, nil, nil)
	ctx := context.Background()
	start := time.Now()
	for i := uint64(1); sink.spanCount() == 0; i++ {
		require.Less(t, time.Since(start), waitFor, "trace never left")
		require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: i})))
		time.Sleep(10 * time.Millisecond) // pacing the sender
	}
	assert.GreaterOrEqual(t, time.Since(start), cfg.MaxTraceDuration)
}

func TestPressureMaxTraces(t *testing.T) {
	sink := &recordingSink{}
	cfg := testConfig()
	cfg.IdleTimeout = time.Minute
	cfg.MaxTraceDuration = time.Hour
	cfg.MaxTraces = 2
	p := startProcessor(t, cfg, sink, nil, nil)
	ctx := context.Background()
	for i := uint64(1); i <= 3; i++ {
		require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: i, id: i})))
	}
	// Emitted synchronously, before ConsumeTraces returned.
	_, spans := sink.snapshot()
	require.Len(t, spans, 1)
	assert.Equal(t, traceIDOf(1), spans[0].trace, "the oldest trace leaves first")
}

func TestPressureMaxSpansPerTraceThenLate(t *testing.T) {
	sink := &recordingSink{}
	cfg := testConfig()
	cfg.IdleTimeout = time.Minute
	cfg.MaxTraceDuration = time.Hour
	cfg.MaxSpansPerTrace = 3
	p := startProcessor(t, cfg, sink, nil, nil)
	ctx := context.Background()
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 1}, testSpan{trace: 1, id: 2, parent: 1})))
	require.Zero(t, sink.spanCount())
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 3, parent: 1})))
	require.Equal(t, 3, sink.spanCount())
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 4, parent: 3})))
	batches, spans := sink.snapshot()
	require.Len(t, batches, 2, "the fourth span goes out as a late span on its own")
	assert.Equal(t, spanIDOf(4), spans[3].id)
	assert.Equal(t, spanIDOf(3), spans[3].parent)
	assert.Equal(t, traceIDOf(1), spans[3].trace)
}

func TestPressureMaxBufferedBytes(t *testing.T) {
	sink := &recordingSink{}
	cfg := testConfig()
	cfg.IdleTimeout = time.Minute
	cfg.MaxTraceDuration = time.Hour
	one := buildTraces(testSpan{trace: 1, id: 1})
	cfg.MaxBufferedBytes = 3 * estimateBytes(one) // room for three single-span traces
	p := startProcessor(t, cfg, sink, nil, nil)
	ctx := context.Background()
	for i := uint64(1); i <= 3; i++ {
		require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: i, id: i})))
	}
	require.Zero(t, sink.spanCount())
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 4, id: 4})))
	_, spans := sink.snapshot()
	require.Len(t, spans, 1)
	assert.Equal(t, traceIDOf(1), spans[0].trace)
	p.mu.Lock()
	assert.LessOrEqual(t, p.buf.bytes, cfg.MaxBufferedBytes)
	p.mu.Unlock()
}

func TestOversizedTraceStillLeaves(t *testing.T) {
	sink := &recordingSink{}
	cfg := testConfig()
	cfg.MaxBufferedBytes = 1
	p := startProcessor(t, cfg, sink, nil, nil)
	require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(testSpan{trace: 1, id: 1}, testSpan{trace: 1, id: 2, parent: 1})))
	assert.Equal(t, 2, sink.spanCount(), "a trace over the byte budget goes out at once, whole")
}

func TestShutdownFlushesEverything(t *testing.T) {
	sink := &recordingSink{}
	cfg := testConfig()
	cfg.IdleTimeout = time.Minute
	cfg.MaxTraceDuration = time.Hour
	p := startProcessor(t, cfg, sink, nil, nil)
	ctx := context.Background()
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 1}, testSpan{trace: 2, id: 5, parent: 4})))
	require.Zero(t, sink.spanCount())
	require.NoError(t, p.Shutdown(ctx))
	_, spans := sink.snapshot()
	require.Len(t, spans, 2)
	// Data arriving after shutdown is not lost either.
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 3, id: 6})))
	require.Equal(t, 3, sink.spanCount())
}

func TestShutdownWithoutStart(t *testing.T) {
	sink := &recordingSink{}
	p, err := newAgentSpanProcessor(processortestSettings(), testConfig(), sink, nil)
	require.NoError(t, err)
	require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(testSpan{trace: 1, id: 1})))
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Equal(t, 1, sink.spanCount())
}

func TestSpansWithoutTraceIDPassThrough(t *testing.T) {
	sink := &recordingSink{}
	p := startProcessor(t, testConfig(), sink, nil, nil)
	td := buildTraces(testSpan{trace: 1, id: 1})
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SetTraceID(pcommon.TraceID{})
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	assert.Equal(t, 1, sink.spanCount(), "ungroupable spans are forwarded at once, not buffered")
}

func TestEmptyBatch(t *testing.T) {
	sink := &recordingSink{}
	p := startProcessor(t, testConfig(), sink, nil, nil)
	td := ptrace.NewTraces()
	td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Zero(t, sink.batchCount())
}

func TestLateSpanPlacedUnderSurvivingAncestor(t *testing.T) {
	sink := &recordingSink{}
	p := startProcessor(t, testConfig(), sink, []dialect.Dialect{foldDialect{}}, nil)
	ctx := context.Background()
	emitRootFoldedKept(t, p, sink)
	_, spans := sink.snapshot()
	require.Len(t, spans, 2)
	assert.Equal(t, spanIDOf(1), byID(spans)[spanIDOf(3)].parent, "dialect re-parented the kept span")

	// Late: a child of the folded span, then a child of that late span.
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 4, parent: 2, name: "late"})))
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 5, parent: 4, name: "late child"})))
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 6, parent: 3, name: "late under kept"})))
	batches, spans := sink.snapshot()
	require.Len(t, batches, 4, "late spans go out on their own, at once")
	got := byID(spans)
	assert.Equal(t, spanIDOf(1), got[spanIDOf(4)].parent, "folded parent replaced by its nearest emitted ancestor")
	assert.Equal(t, spanIDOf(4), got[spanIDOf(5)].parent)
	assert.Equal(t, spanIDOf(3), got[spanIDOf(6)].parent)
	for _, s := range spans {
		assert.Equal(t, traceIDOf(1), s.trace)
	}
}

func TestLateSpanOfForgottenTraceIsNewTrace(t *testing.T) {
	sink := &recordingSink{}
	cfg := testConfig()
	cfg.EmittedTraceCacheSize = 1
	p := startProcessor(t, cfg, sink, nil, nil)
	ctx := context.Background()
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 1}, testSpan{trace: 2, id: 2})))
	require.Eventually(t, func() bool { return sink.batchCount() == 2 }, waitFor, 5*time.Millisecond)
	// Trace 1 fell out of the one-entry cache: its late span is buffered as a
	// new trace (no root), trace 2's is sent at once.
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 2, id: 3, parent: 2})))
	require.Equal(t, 3, sink.spanCount())
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 4, parent: 1})))
	require.Equal(t, 3, sink.spanCount())
	p.mu.Lock()
	assert.Len(t, p.buf.traces, 1)
	p.mu.Unlock()
}

func TestNextConsumerErrorDoesNotBlock(t *testing.T) {
	failing := &failingSink{}
	p := startProcessor(t, testConfig(), failing, nil, nil)
	require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(testSpan{trace: 1, id: 1})))
	require.Eventually(t, func() bool { return failing.calls.Load() == 1 }, waitFor, 5*time.Millisecond)
	require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(testSpan{trace: 2, id: 2})))
	require.Eventually(t, func() bool { return failing.calls.Load() == 2 }, waitFor, 5*time.Millisecond)
}

func TestPanickingDialectDoesNotLoseTrace(t *testing.T) {
	sink := &recordingSink{}
	p := startProcessor(t, testConfig(), sink, []dialect.Dialect{panicDialect{}}, nil)
	require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(testSpan{trace: 1, id: 1}, testSpan{trace: 1, id: 2, parent: 1})))
	require.Eventually(t, func() bool { return sink.spanCount() == 2 }, waitFor, 5*time.Millisecond)
}

func TestTickInterval(t *testing.T) {
	assert.Equal(t, time.Second, tickInterval(5*time.Minute))
	assert.Equal(t, time.Second, tickInterval(5*time.Second))
	assert.Equal(t, 200*time.Millisecond, tickInterval(time.Second))
	assert.Equal(t, 100*time.Millisecond, tickInterval(200*time.Millisecond))
	assert.Equal(t, 50*time.Millisecond, tickInterval(50*time.Millisecond))
}

func mustStr(t *testing.T, m pcommon.Map, key string) string {
	t.Helper()
	v, ok := m.Get(key)
	require.True(t, ok, key)
	return v.Str()
}
