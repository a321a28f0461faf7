package agentspanprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// graceConfig: idle_timeout 5s, completion_grace 300ms, as by default.
func graceConfig() *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.IdleTimeout = 5 * time.Second
	cfg.CompletionGrace = 300 * time.Millisecond
	return cfg
}

// addAt feeds spans to the buffer at a given time and returns what left.
func addAt(b *traceBuffer, now time.Time, spans ...testSpan) []emission {
	var out []emission
	for _, c := range splitByTrace(buildTraces(spans...)) {
		out = append(out, b.add(c, now, nil)...)
	}
	return out
}

func emittedSpans(out []emission) int {
	n := 0
	for _, e := range out {
		n += e.spans
	}
	return n
}

func TestWholeTraceLeavesAfterGrace(t *testing.T) {
	b := newTraceBuffer(graceConfig())
	t0 := time.Unix(1000, 0)
	require.Empty(t, addAt(b, t0, testSpan{trace: 1, id: 2, parent: 1}, testSpan{trace: 1, id: 3, parent: 2}))
	require.Empty(t, addAt(b, t0.Add(50*time.Millisecond), testSpan{trace: 1, id: 1}))
	// Within the grace of the last span: stays.
	assert.Empty(t, b.tick(t0.Add(300*time.Millisecond)))
	out := b.tick(t0.Add(350 * time.Millisecond))
	require.Len(t, out, 1)
	assert.Equal(t, reasonComplete, out[0].reason)
	assert.Equal(t, 3, out[0].spans)
	assert.Empty(t, b.traces)
}

func TestTraceWithMissingParentWaitsForIdle(t *testing.T) {
	b := newTraceBuffer(graceConfig())
	t0 := time.Unix(1000, 0)
	// Span 4's parent 9 has not arrived: the trace is not known to be whole.
	addAt(b, t0, testSpan{trace: 1, id: 1}, testSpan{trace: 1, id: 4, parent: 9})
	assert.Empty(t, b.tick(t0.Add(time.Second)))
	assert.Empty(t, b.tick(t0.Add(4900*time.Millisecond)))
	out := b.tick(t0.Add(5 * time.Second))
	require.Len(t, out, 1, "idle_timeout still completes it")
	assert.Equal(t, 2, emittedSpans(out))
}

func TestMissingParentArrivingCompletesTrace(t *testing.T) {
	b := newTraceBuffer(graceConfig())
	t0 := time.Unix(1000, 0)
	addAt(b, t0, testSpan{trace: 1, id: 1}, testSpan{trace: 1, id: 4, parent: 9})
	assert.Empty(t, b.tick(t0.Add(time.Second)))
	// The parent arrives, with a child of its own that arrives before it.
	addAt(b, t0.Add(1100*time.Millisecond), testSpan{trace: 1, id: 10, parent: 9})
	assert.Empty(t, b.tick(t0.Add(1500*time.Millisecond)))
	addAt(b, t0.Add(1600*time.Millisecond), testSpan{trace: 1, id: 9, parent: 1})
	assert.Empty(t, b.tick(t0.Add(1800*time.Millisecond)), "grace restarts with every span")
	out := b.tick(t0.Add(1900 * time.Millisecond))
	require.Len(t, out, 1)
	assert.Equal(t, 4, emittedSpans(out))
}

func TestRootlessTraceIgnoresGrace(t *testing.T) {
	b := newTraceBuffer(graceConfig())
	t0 := time.Unix(1000, 0)
	addAt(b, t0, testSpan{trace: 1, id: 2, parent: 1})
	assert.Empty(t, b.tick(t0.Add(10*time.Second)), "no root: waits for max_trace_duration")
}

func TestStitchedGroupNeedsEveryMemberWhole(t *testing.T) {
	b := newTraceBuffer(graceConfig())
	t0 := time.Unix(1000, 0)
	addAt(b, t0, testSpan{trace: 1, id: 1}, testSpan{trace: 1, id: 2, parent: 1})
	// Trace 2's root links to span 2 of trace 1: it joins trace 1's group,
	// and its span 21 misses its parent 22.
	addAt(b, t0, testSpan{trace: 2, id: 20, linkTrace: 1, linkSpan: 2}, testSpan{trace: 2, id: 21, parent: 22})
	assert.Empty(t, b.tick(t0.Add(time.Second)))
	addAt(b, t0.Add(time.Second), testSpan{trace: 2, id: 22, parent: 20})
	out := b.tick(t0.Add(1400 * time.Millisecond))
	require.Len(t, out, 1)
	assert.Equal(t, 5, emittedSpans(out))
	assert.Len(t, out[0].members, 2)
}

func TestGraceNotShorterThanIdleIsIdleRule(t *testing.T) {
	cfg := graceConfig()
	cfg.CompletionGrace = cfg.IdleTimeout
	b := newTraceBuffer(cfg)
	t0 := time.Unix(1000, 0)
	addAt(b, t0, testSpan{trace: 1, id: 1})
	assert.Empty(t, b.tick(t0.Add(4*time.Second)))
	assert.Len(t, b.tick(t0.Add(5*time.Second)), 1)
}

func TestCheckInterval(t *testing.T) {
	cfg := graceConfig()
	assert.Equal(t, 100*time.Millisecond, checkInterval(cfg))
	cfg.CompletionGrace = 0
	assert.Equal(t, time.Second, checkInterval(cfg), "0: complete traces leave at the next idle_timeout check")
	cfg.CompletionGrace = time.Minute
	assert.Equal(t, time.Second, checkInterval(cfg))
}

// Through the processor: a whole trace leaves long before idle_timeout, and
// a straggler goes out as a late span under its parent.
func TestProcessorEmitsWholeTraceAfterGrace(t *testing.T) {
	sink := &recordingSink{}
	cfg := graceConfig()
	cfg.CompletionGrace = 100 * time.Millisecond
	p := startProcessor(t, cfg, sink, nil, nil)
	ctx := context.Background()
	start := time.Now()
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 1}, testSpan{trace: 1, id: 2, parent: 1})))
	require.Eventually(t, func() bool { return sink.spanCount() == 2 }, waitFor, 5*time.Millisecond)
	assert.Less(t, time.Since(start), cfg.IdleTimeout)

	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 3, parent: 2})))
	require.Eventually(t, func() bool { return sink.spanCount() == 3 }, waitFor, 5*time.Millisecond)
	_, spans := sink.snapshot()
	assert.Equal(t, spanIDOf(2), byID(spans)[spanIDOf(3)].parent)
}
