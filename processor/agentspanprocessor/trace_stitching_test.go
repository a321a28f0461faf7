package agentspanprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// Three traces as AutoGen emits them when its runtime starts outside the root
// span: trace 1 holds the user root and a "create"; the delivery of that
// message is the root of trace 2 (linked to the create), which creates
// another message delivered as the root of trace 3.
func linkedTraces() (primary, second, third []testSpan) {
	primary = []testSpan{
		{trace: 1, id: 1, name: "run_team"},
		{trace: 1, id: 2, parent: 1, name: "fold create"},
	}
	second = []testSpan{
		{trace: 2, id: 20, name: "autogen send", linkTrace: 1, linkSpan: 2},
		{trace: 2, id: 21, parent: 20, name: "fold create 2"},
		{trace: 2, id: 22, parent: 20, name: "llm"},
	}
	third = []testSpan{
		{trace: 3, id: 30, name: "autogen publish", linkTrace: 2, linkSpan: 21},
		{trace: 3, id: 31, parent: 30, name: "agent"},
	}
	return primary, second, third
}

func TestStitchLinkedTracesIntoPrimary(t *testing.T) {
	for _, order := range [][]int{{0, 1, 2}, {2, 1, 0}, {1, 2, 0}, {2, 0, 1}} {
		t.Run("", func(t *testing.T) {
			sink := &recordingSink{}
			p := startProcessor(t, testConfig(), sink, nil, nil)
			a, b, c := linkedTraces()
			parts := [][]testSpan{a, b, c}
			for _, i := range order {
				require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(parts[i]...)))
			}
			require.Eventually(t, func() bool { return sink.spanCount() == 7 }, waitFor, 5*time.Millisecond)
			batches, spans := sink.snapshot()
			require.Len(t, batches, 1, "one merged trace")
			got := byID(spans)
			for _, s := range spans {
				assert.Equal(t, traceIDOf(1), s.trace, "merged trace keeps the primary's id")
			}
			assert.Equal(t, spanIDOf(2), got[spanIDOf(20)].parent, "secondary root hangs under its link target")
			assert.Equal(t, spanIDOf(21), got[spanIDOf(30)].parent)
			assert.True(t, got[spanIDOf(1)].parent.IsEmpty())
		})
	}
}

func TestSecondaryWaitsForItsTarget(t *testing.T) {
	sink := &recordingSink{}
	cfg := testConfig()
	cfg.MaxTraceDuration = 600 * time.Millisecond
	p := startProcessor(t, cfg, sink, nil, nil)
	_, b, _ := linkedTraces()
	require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(b...)))
	// Its root arrived, but it links into a trace not seen yet: not complete.
	require.Never(t, func() bool { return sink.spanCount() > 0 }, 6*cfg.IdleTimeout, 10*time.Millisecond)
	// Its target never comes: it leaves at max_trace_duration, unchanged.
	require.Eventually(t, func() bool { return sink.spanCount() == 3 }, waitFor, 5*time.Millisecond)
	_, spans := sink.snapshot()
	for _, s := range spans {
		assert.Equal(t, traceIDOf(2), s.trace)
	}
	assert.True(t, byID(spans)[spanIDOf(20)].parent.IsEmpty())
}

func TestSecondaryOfEmittedTraceGoesOutAsLateSpans(t *testing.T) {
	sink := &recordingSink{}
	p := startProcessor(t, testConfig(), sink, []dialect.Dialect{foldDialect{}}, nil)
	ctx := context.Background()
	a, b, c := linkedTraces()
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(a...)))
	require.Eventually(t, func() bool { return sink.batchCount() == 1 }, waitFor, 5*time.Millisecond)
	// The primary went out with its "create" folded; the secondaries follow.
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(b...)))
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(c...)))
	batches, spans := sink.snapshot()
	require.Len(t, batches, 3, "secondaries are sent at once as late spans")
	got := byID(spans)
	for _, s := range spans {
		assert.Equal(t, traceIDOf(1), s.trace)
	}
	assert.Equal(t, spanIDOf(1), got[spanIDOf(20)].parent, "folded link target replaced by its surviving ancestor")
	assert.Equal(t, spanIDOf(21), got[spanIDOf(30)].parent, "late spans are not rewritten by the dialect")
	assert.Len(t, spans, 6)
}

func TestSecondaryWithFollowersJoinsEmittedTrace(t *testing.T) {
	sink := &recordingSink{}
	p := startProcessor(t, testConfig(), sink, nil, nil)
	ctx := context.Background()
	a, b, c := linkedTraces()
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(a...)))
	require.Eventually(t, func() bool { return sink.batchCount() == 1 }, waitFor, 5*time.Millisecond)
	// Trace 3 arrives first (waits for 2), then 2 joins the emitted trace 1
	// and takes 3 with it.
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(c...)))
	require.Equal(t, 1, sink.batchCount())
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(b...)))
	_, spans := sink.snapshot()
	require.Len(t, spans, 7)
	got := byID(spans)
	for _, s := range spans {
		assert.Equal(t, traceIDOf(1), s.trace)
	}
	assert.Equal(t, spanIDOf(2), got[spanIDOf(20)].parent)
	assert.Equal(t, spanIDOf(21), got[spanIDOf(30)].parent)
	// Later spans of trace 3 still land in trace 1.
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 3, id: 32, parent: 31})))
	_, spans = sink.snapshot()
	assert.Equal(t, traceIDOf(1), spans[len(spans)-1].trace)
	assert.Equal(t, spanIDOf(31), spans[len(spans)-1].parent)
}

func TestStitchingDisabled(t *testing.T) {
	sink := &recordingSink{}
	cfg := testConfig()
	cfg.StitchLinkedTraces = false
	p := startProcessor(t, cfg, sink, nil, nil)
	a, b, c := linkedTraces()
	require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(append(append(a, b...), c...)...)))
	require.Eventually(t, func() bool { return sink.spanCount() == 7 }, waitFor, 5*time.Millisecond)
	batches, spans := sink.snapshot()
	assert.Len(t, batches, 3)
	assert.True(t, byID(spans)[spanIDOf(20)].parent.IsEmpty())
}

func TestStitchLinkCycleDoesNotLoopParents(t *testing.T) {
	sink := &recordingSink{}
	cfg := testConfig()
	cfg.MaxTraceDuration = 200 * time.Millisecond
	p := startProcessor(t, cfg, sink, nil, nil)
	// Two roots linking into each other's trace: no primary, no cycle allowed.
	require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(
		testSpan{trace: 1, id: 1, linkTrace: 2, linkSpan: 3},
		testSpan{trace: 1, id: 2, parent: 1},
		testSpan{trace: 2, id: 3, linkTrace: 1, linkSpan: 2},
	)))
	require.Eventually(t, func() bool { return sink.spanCount() == 3 }, waitFor, 5*time.Millisecond)
	batches, spans := sink.snapshot()
	require.Len(t, batches, 1)
	got := byID(spans)
	roots := 0
	for _, s := range spans {
		if s.parent.IsEmpty() {
			roots++
		}
		// Walking up from any span must end at a root.
		cur, steps := s, 0
		for !cur.parent.IsEmpty() {
			cur = got[cur.parent]
			steps++
			require.Less(t, steps, 10, "parent cycle")
		}
	}
	assert.Equal(t, 1, roots)
}
