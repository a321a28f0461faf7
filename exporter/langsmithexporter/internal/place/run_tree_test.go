package place

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/tracetest"
)

var segmentRE = regexp.MustCompile(`^\d{8}T\d{12}Z[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRunTreePlacesParentsAndDottedOrder(t *testing.T) {
	// Children listed before parents, as OTel exports them.
	td := tracetest.Build(1,
		tracetest.Span{ID: 3, Parent: 2, Start: 20 * time.Millisecond, End: 30 * time.Millisecond},
		tracetest.Span{ID: 2, Parent: 1, Start: 10 * time.Millisecond, End: 40 * time.Millisecond},
		tracetest.Span{ID: 1, Start: 0, End: 50 * time.Millisecond},
	)
	stats := newRunTree(newPlacedRunCache(100), "").Annotate(td)
	assert.Equal(t, 0, stats.Orphans)
	s := tracetest.SpansByID(td)

	root, mid, leaf := s[1], s[2], s[3]
	assert.Equal(t, tracetest.Attr(root, AnnotationRunID), tracetest.Attr(root, AnnotationTraceID), "trace_id of a root is its own id")
	assert.Empty(t, tracetest.Attr(root, AnnotationParentRunID))
	assert.Equal(t, tracetest.Attr(root, AnnotationRunID), tracetest.Attr(mid, AnnotationParentRunID))
	assert.Equal(t, tracetest.Attr(mid, AnnotationRunID), tracetest.Attr(leaf, AnnotationParentRunID))
	for _, sp := range []ptrace.Span{mid, leaf} {
		assert.Equal(t, tracetest.Attr(root, AnnotationRunID), tracetest.Attr(sp, AnnotationTraceID))
	}
	assert.Equal(t, tracetest.Attr(mid, AnnotationDottedOrder)+"."+strings.Split(tracetest.Attr(leaf, AnnotationDottedOrder), ".")[2], tracetest.Attr(leaf, AnnotationDottedOrder))

	segs := strings.Split(tracetest.Attr(leaf, AnnotationDottedOrder), ".")
	require.Len(t, segs, 3)
	for _, seg := range segs {
		assert.Regexp(t, segmentRE, seg)
	}
	assert.True(t, strings.HasSuffix(segs[2], tracetest.Attr(leaf, AnnotationRunID)))
	// Microsecond truncation: .123456789 -> 123456, and start_time agrees.
	assert.True(t, strings.HasPrefix(segs[0], "20250101T120000123456Z"), segs[0])
	assert.Equal(t, "2025-01-01T12:00:00.123456Z", tracetest.Attr(root, AnnotationStartTime))
	assert.Equal(t, "2025-01-01T12:00:00.143456Z", tracetest.Attr(leaf, AnnotationStartTime))
}

func TestRunTreeClampsChildStartToParent(t *testing.T) {
	td := tracetest.Build(1,
		tracetest.Span{ID: 1, Start: 5 * time.Millisecond, End: 50 * time.Millisecond},
		tracetest.Span{ID: 2, Parent: 1, Start: 0, End: 10 * time.Millisecond}, // clock skew: starts before parent
	)
	newRunTree(newPlacedRunCache(100), "").Annotate(td)
	s := tracetest.SpansByID(td)
	assert.Equal(t, tracetest.Attr(s[1], AnnotationStartTime), tracetest.Attr(s[2], AnnotationStartTime))
	segs := strings.Split(tracetest.Attr(s[2], AnnotationDottedOrder), ".")
	assert.Equal(t, segs[0][:22], segs[1][:22], "child segment time clamped to the parent's")
}

func TestRunIDsAreDeterministicUUIDv7(t *testing.T) {
	a := tracetest.Build(1, tracetest.Span{ID: 1, End: time.Millisecond})
	b := tracetest.Build(1, tracetest.Span{ID: 1, End: time.Millisecond})
	newRunTree(newPlacedRunCache(10), "").Annotate(a)
	newRunTree(newPlacedRunCache(10), "").Annotate(b)
	idA, idB := tracetest.Attr(tracetest.SpansByID(a)[1], AnnotationRunID), tracetest.Attr(tracetest.SpansByID(b)[1], AnnotationRunID)
	assert.Equal(t, idA, idB, "the same span always gets the same run id, so a resend meets 409")
	assert.Equal(t, byte('7'), idA[14], "version nibble")
	other := tracetest.Build(2, tracetest.Span{ID: 1, End: time.Millisecond})
	newRunTree(newPlacedRunCache(10), "").Annotate(other)
	assert.NotEqual(t, idA, tracetest.Attr(tracetest.SpansByID(other)[1], AnnotationRunID), "same span id in another trace is another run")
	// The UUIDv7 timestamp is the span's start in milliseconds.
	assert.Equal(t, "019421bc", strings.ReplaceAll(idA, "-", "")[:8])
}

func TestRunTreeReRootsOrphansAndMarksThem(t *testing.T) {
	td := tracetest.Build(1,
		tracetest.Span{ID: 2, Parent: 9, Start: 0, End: time.Millisecond}, // parent 9 never arrives
		tracetest.Span{ID: 3, Parent: 2, Start: time.Millisecond, End: 2 * time.Millisecond},
	)
	stats := newRunTree(newPlacedRunCache(10), "").Annotate(td)
	assert.Equal(t, 1, stats.Orphans)
	s := tracetest.SpansByID(td)
	assert.Equal(t, "true", tracetest.Attr(s[2], AnnotationOrphan))
	assert.Empty(t, tracetest.Attr(s[2], AnnotationParentRunID))
	assert.Equal(t, tracetest.Attr(s[2], AnnotationRunID), tracetest.Attr(s[3], AnnotationTraceID))
	assert.Len(t, strings.Split(tracetest.Attr(s[2], AnnotationDottedOrder), "."), 1)
	assert.Empty(t, tracetest.Attr(s[3], AnnotationOrphan))
}

func TestRunTreePlacesLateSpansUnderCachedParent(t *testing.T) {
	tree := newRunTree(newPlacedRunCache(100), "")
	first := tracetest.Build(1,
		tracetest.Span{ID: 1, Start: 0, End: 50 * time.Millisecond},
		tracetest.Span{ID: 2, Parent: 1, Start: time.Millisecond, End: 40 * time.Millisecond},
	)
	tree.Annotate(first)
	late := tracetest.Build(1, tracetest.Span{ID: 3, Parent: 2, Start: 2 * time.Millisecond, End: 3 * time.Millisecond})
	stats := tree.Annotate(late)
	assert.Equal(t, 0, stats.Orphans)
	f, l := tracetest.SpansByID(first), tracetest.SpansByID(late)
	assert.Equal(t, tracetest.Attr(f[2], AnnotationRunID), tracetest.Attr(l[3], AnnotationParentRunID))
	assert.Equal(t, tracetest.Attr(f[1], AnnotationRunID), tracetest.Attr(l[3], AnnotationTraceID))
	assert.True(t, strings.HasPrefix(tracetest.Attr(l[3], AnnotationDottedOrder), tracetest.Attr(f[2], AnnotationDottedOrder)+"."))
}

func TestRunTreeSurvivesParentCycles(t *testing.T) {
	td := tracetest.Build(1,
		tracetest.Span{ID: 1, Parent: 2, End: time.Millisecond},
		tracetest.Span{ID: 2, Parent: 1, End: time.Millisecond},
		tracetest.Span{ID: 3, Parent: 3, End: time.Millisecond}, // its own parent
	)
	stats := newRunTree(newPlacedRunCache(10), "").Annotate(td)
	s := tracetest.SpansByID(td)
	for _, id := range []byte{1, 2, 3} {
		assert.NotEmpty(t, tracetest.Attr(s[id], AnnotationDottedOrder), "span %d placed", id)
	}
	assert.Equal(t, 2, stats.Orphans, "one span of the 1<->2 cycle and the self-parented span become roots")
}

func TestRunTreeSpreadsThreadIDOverTheTrace(t *testing.T) {
	tree := newRunTree(newPlacedRunCache(10), "gen_ai.conversation.id")
	td := tracetest.Build(1,
		tracetest.Span{ID: 1, End: 10 * time.Millisecond},
		tracetest.Span{ID: 2, Parent: 1, End: time.Millisecond, Attrs: map[string]string{"gen_ai.conversation.id": "team-42"}},
	)
	tree.Annotate(td)
	for _, s := range tracetest.SpansByID(td) {
		assert.Equal(t, "team-42", tracetest.Attr(s, AnnotationThreadID))
	}
	late := tracetest.Build(1, tracetest.Span{ID: 3, Parent: 1, End: time.Millisecond})
	tree.Annotate(late)
	assert.Equal(t, "team-42", tracetest.Attr(tracetest.SpansByID(late)[3], AnnotationThreadID), "late spans get the trace's thread id")
}

func TestPlacedRunCacheEvictsOldest(t *testing.T) {
	c := newPlacedRunCache(2)
	k := func(b byte) spanKey { return spanKey{tracetest.TraceID(1), tracetest.SpanID(b)} }
	for b := byte(1); b <= 3; b++ {
		c.put(k(b), &placedRun{start: int64(b)}, uuid.UUID{b})
	}
	_, ok := c.get(k(1))
	assert.False(t, ok)
	p, ok := c.get(k(3))
	assert.True(t, ok)
	assert.Equal(t, int64(3), p.start)
}
