package langsmithexporter

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

var t0 = time.Date(2025, 1, 1, 12, 0, 0, 123456789, time.UTC)

type testSpan struct {
	id, parent byte
	start, end time.Duration
	attrs      map[string]string
}

func testTraceID(b byte) pcommon.TraceID {
	return pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, b}
}
func testSpanID(b byte) pcommon.SpanID {
	if b == 0 {
		return pcommon.SpanID{}
	}
	return pcommon.SpanID{0, 0, 0, 0, 0, 0, 0, b}
}

func buildTrace(trace byte, spans ...testSpan) ptrace.Traces {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for _, s := range spans {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(testTraceID(trace))
		sp.SetSpanID(testSpanID(s.id))
		sp.SetParentSpanID(testSpanID(s.parent))
		sp.SetName("span")
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(t0.Add(s.start)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(t0.Add(s.end)))
		for k, v := range s.attrs {
			sp.Attributes().PutStr(k, v)
		}
	}
	return td
}

func spansByID(td ptrace.Traces) map[byte]ptrace.Span {
	out := map[byte]ptrace.Span{}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			for k := 0; k < sss.At(j).Spans().Len(); k++ {
				s := sss.At(j).Spans().At(k)
				id := s.SpanID()
				out[id[7]] = s
			}
		}
	}
	return out
}

func attr(s ptrace.Span, k string) string {
	v, ok := s.Attributes().Get(k)
	if !ok {
		return ""
	}
	return v.AsString()
}

var segmentRE = regexp.MustCompile(`^\d{8}T\d{12}Z[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRunTreePlacesParentsAndDottedOrder(t *testing.T) {
	// Children listed before parents, as OTel exports them.
	td := buildTrace(1,
		testSpan{id: 3, parent: 2, start: 20 * time.Millisecond, end: 30 * time.Millisecond},
		testSpan{id: 2, parent: 1, start: 10 * time.Millisecond, end: 40 * time.Millisecond},
		testSpan{id: 1, start: 0, end: 50 * time.Millisecond},
	)
	stats := newRunTree(newPlacedRunCache(100), "").annotate(td)
	assert.Equal(t, 0, stats.orphans)
	s := spansByID(td)

	root, mid, leaf := s[1], s[2], s[3]
	assert.Equal(t, attr(root, annotationRunID), attr(root, annotationTraceID), "trace_id of a root is its own id")
	assert.Empty(t, attr(root, annotationParentRunID))
	assert.Equal(t, attr(root, annotationRunID), attr(mid, annotationParentRunID))
	assert.Equal(t, attr(mid, annotationRunID), attr(leaf, annotationParentRunID))
	for _, sp := range []ptrace.Span{mid, leaf} {
		assert.Equal(t, attr(root, annotationRunID), attr(sp, annotationTraceID))
	}
	assert.Equal(t, attr(mid, annotationDottedOrder)+"."+strings.Split(attr(leaf, annotationDottedOrder), ".")[2], attr(leaf, annotationDottedOrder))

	segs := strings.Split(attr(leaf, annotationDottedOrder), ".")
	require.Len(t, segs, 3)
	for _, seg := range segs {
		assert.Regexp(t, segmentRE, seg)
	}
	assert.True(t, strings.HasSuffix(segs[2], attr(leaf, annotationRunID)))
	// Microsecond truncation: .123456789 -> 123456, and start_time agrees.
	assert.True(t, strings.HasPrefix(segs[0], "20250101T120000123456Z"), segs[0])
	assert.Equal(t, "2025-01-01T12:00:00.123456Z", attr(root, annotationStartTime))
	assert.Equal(t, "2025-01-01T12:00:00.143456Z", attr(leaf, annotationStartTime))
}

func TestRunTreeClampsChildStartToParent(t *testing.T) {
	td := buildTrace(1,
		testSpan{id: 1, start: 5 * time.Millisecond, end: 50 * time.Millisecond},
		testSpan{id: 2, parent: 1, start: 0, end: 10 * time.Millisecond}, // clock skew: starts before parent
	)
	newRunTree(newPlacedRunCache(100), "").annotate(td)
	s := spansByID(td)
	assert.Equal(t, attr(s[1], annotationStartTime), attr(s[2], annotationStartTime))
	segs := strings.Split(attr(s[2], annotationDottedOrder), ".")
	assert.Equal(t, segs[0][:22], segs[1][:22], "child segment time clamped to the parent's")
}

func TestRunIDsAreDeterministicUUIDv7(t *testing.T) {
	a := buildTrace(1, testSpan{id: 1, end: time.Millisecond})
	b := buildTrace(1, testSpan{id: 1, end: time.Millisecond})
	newRunTree(newPlacedRunCache(10), "").annotate(a)
	newRunTree(newPlacedRunCache(10), "").annotate(b)
	idA, idB := attr(spansByID(a)[1], annotationRunID), attr(spansByID(b)[1], annotationRunID)
	assert.Equal(t, idA, idB, "the same span always gets the same run id, so a resend meets 409")
	assert.Equal(t, byte('7'), idA[14], "version nibble")
	other := buildTrace(2, testSpan{id: 1, end: time.Millisecond})
	newRunTree(newPlacedRunCache(10), "").annotate(other)
	assert.NotEqual(t, idA, attr(spansByID(other)[1], annotationRunID), "same span id in another trace is another run")
	// The UUIDv7 timestamp is the span's start in milliseconds.
	assert.Equal(t, "019421bc", strings.ReplaceAll(idA, "-", "")[:8])
}

func TestRunTreeReRootsOrphansAndMarksThem(t *testing.T) {
	td := buildTrace(1,
		testSpan{id: 2, parent: 9, start: 0, end: time.Millisecond}, // parent 9 never arrives
		testSpan{id: 3, parent: 2, start: time.Millisecond, end: 2 * time.Millisecond},
	)
	stats := newRunTree(newPlacedRunCache(10), "").annotate(td)
	assert.Equal(t, 1, stats.orphans)
	s := spansByID(td)
	assert.Equal(t, "true", attr(s[2], annotationOrphan))
	assert.Empty(t, attr(s[2], annotationParentRunID))
	assert.Equal(t, attr(s[2], annotationRunID), attr(s[3], annotationTraceID))
	assert.Len(t, strings.Split(attr(s[2], annotationDottedOrder), "."), 1)
	assert.Empty(t, attr(s[3], annotationOrphan))
}

func TestRunTreePlacesLateSpansUnderCachedParent(t *testing.T) {
	tree := newRunTree(newPlacedRunCache(100), "")
	first := buildTrace(1,
		testSpan{id: 1, start: 0, end: 50 * time.Millisecond},
		testSpan{id: 2, parent: 1, start: time.Millisecond, end: 40 * time.Millisecond},
	)
	tree.annotate(first)
	late := buildTrace(1, testSpan{id: 3, parent: 2, start: 2 * time.Millisecond, end: 3 * time.Millisecond})
	stats := tree.annotate(late)
	assert.Equal(t, 0, stats.orphans)
	f, l := spansByID(first), spansByID(late)
	assert.Equal(t, attr(f[2], annotationRunID), attr(l[3], annotationParentRunID))
	assert.Equal(t, attr(f[1], annotationRunID), attr(l[3], annotationTraceID))
	assert.True(t, strings.HasPrefix(attr(l[3], annotationDottedOrder), attr(f[2], annotationDottedOrder)+"."))
}

func TestRunTreeSurvivesParentCycles(t *testing.T) {
	td := buildTrace(1,
		testSpan{id: 1, parent: 2, end: time.Millisecond},
		testSpan{id: 2, parent: 1, end: time.Millisecond},
		testSpan{id: 3, parent: 3, end: time.Millisecond}, // its own parent
	)
	stats := newRunTree(newPlacedRunCache(10), "").annotate(td)
	s := spansByID(td)
	for _, id := range []byte{1, 2, 3} {
		assert.NotEmpty(t, attr(s[id], annotationDottedOrder), "span %d placed", id)
	}
	assert.Equal(t, 2, stats.orphans, "one span of the 1<->2 cycle and the self-parented span become roots")
}

func TestRunTreeSpreadsThreadIDOverTheTrace(t *testing.T) {
	tree := newRunTree(newPlacedRunCache(10), "gen_ai.conversation.id")
	td := buildTrace(1,
		testSpan{id: 1, end: 10 * time.Millisecond},
		testSpan{id: 2, parent: 1, end: time.Millisecond, attrs: map[string]string{"gen_ai.conversation.id": "team-42"}},
	)
	tree.annotate(td)
	for _, s := range spansByID(td) {
		assert.Equal(t, "team-42", attr(s, annotationThreadID))
	}
	late := buildTrace(1, testSpan{id: 3, parent: 1, end: time.Millisecond})
	tree.annotate(late)
	assert.Equal(t, "team-42", attr(spansByID(late)[3], annotationThreadID), "late spans get the trace's thread id")
}

func TestPlacedRunCacheEvictsOldest(t *testing.T) {
	c := newPlacedRunCache(2)
	k := func(b byte) spanKey { return spanKey{testTraceID(1), testSpanID(b)} }
	c.put(k(1), placedRun{dottedOrder: "1"})
	c.put(k(2), placedRun{dottedOrder: "2"})
	c.put(k(3), placedRun{dottedOrder: "3"})
	_, ok := c.get(k(1))
	assert.False(t, ok)
	p, ok := c.get(k(3))
	assert.True(t, ok)
	assert.Equal(t, "3", p.dottedOrder)
}
