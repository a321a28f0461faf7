package agentspanprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestEmittedCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newEmittedCache(2)
	a, b, d := &emittedTrace{mergedID: traceIDOf(1)}, &emittedTrace{mergedID: traceIDOf(2)}, &emittedTrace{mergedID: traceIDOf(3)}
	c.add(traceIDOf(1), a)
	c.add(traceIDOf(2), b)
	_, ok := c.get(traceIDOf(1)) // 1 is now the most recent
	require.True(t, ok)
	c.add(traceIDOf(3), d)
	_, ok = c.get(traceIDOf(2))
	assert.False(t, ok, "least recently used entry evicted")
	got, ok := c.get(traceIDOf(1))
	require.True(t, ok)
	assert.Same(t, a, got)
	assert.Equal(t, 2, c.len())
}

func TestEmittedCacheDisabled(t *testing.T) {
	c := newEmittedCache(0)
	c.add(traceIDOf(1), &emittedTrace{})
	_, ok := c.get(traceIDOf(1))
	assert.False(t, ok)
}

func TestSurvivorsMapFoldedSpansToKeptAncestors(t *testing.T) {
	// 1 -> 2(folded) -> 3(folded) -> 4 ; 5 has a parent outside the trace and is folded
	before := map[pcommon.SpanID]pcommon.SpanID{
		spanIDOf(1): {},
		spanIDOf(2): spanIDOf(1),
		spanIDOf(3): spanIDOf(2),
		spanIDOf(4): spanIDOf(3),
		spanIDOf(5): spanIDOf(99),
	}
	after := buildTraces(testSpan{trace: 1, id: 1}, testSpan{trace: 1, id: 4, parent: 1})
	s := survivors(before, after)
	at := func(id pcommon.SpanID) pcommon.SpanID { to, _ := s.get(id); return to }
	assert.Equal(t, spanIDOf(1), at(spanIDOf(1)))
	assert.Equal(t, spanIDOf(1), at(spanIDOf(2)))
	assert.Equal(t, spanIDOf(1), at(spanIDOf(3)))
	assert.Equal(t, spanIDOf(4), at(spanIDOf(4)))
	got, ok := s.get(spanIDOf(5))
	require.True(t, ok)
	assert.True(t, got.IsEmpty(), "no surviving ancestor: a late child becomes a root")
}

func TestSurvivorsToleratesParentCycles(t *testing.T) {
	before := map[pcommon.SpanID]pcommon.SpanID{spanIDOf(1): spanIDOf(2), spanIDOf(2): spanIDOf(1)}
	s := survivors(before, buildTraces())
	assert.Equal(t, 2, s.len())
}

func TestSurvivorIndexTakesLateIDs(t *testing.T) {
	s := newSurvivorIndex(map[pcommon.SpanID]pcommon.SpanID{spanIDOf(1): spanIDOf(1), spanIDOf(2): spanIDOf(1)})
	s.set(spanIDOf(2), spanIDOf(2)) // changed in place
	s.set(spanIDOf(7), spanIDOf(1)) // a late span
	for id, want := range map[uint64]uint64{1: 1, 2: 2, 7: 1} {
		got, ok := s.get(spanIDOf(id))
		require.True(t, ok)
		assert.Equal(t, spanIDOf(want), got)
	}
	_, ok := s.get(spanIDOf(9))
	assert.False(t, ok)
	var empty survivorIndex
	empty.set(spanIDOf(3), spanIDOf(3))
	got, ok := empty.get(spanIDOf(3))
	assert.True(t, ok && got == spanIDOf(3), "the zero value takes ids")
}
