package dialecttest

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// RandomTrace builds a malformed trace from a framework's vocabulary: random
// parents (missing, self, cycles, duplicates), names, attributes and times.
func RandomTrace(rng *rand.Rand, scopes, names []string, attrs map[string][]string) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	var sss []ptrace.ScopeSpans
	for _, name := range scopes {
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName(name)
		sss = append(sss, ss)
	}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	n := 1 + rng.Intn(30)
	for i := 0; i < n; i++ {
		s := sss[rng.Intn(len(sss))].Spans().AppendEmpty()
		s.SetTraceID(pcommon.TraceID{1})
		s.SetSpanID(pcommon.SpanID{2, byte(rng.Intn(n + 2))})
		if rng.Intn(6) > 0 {
			s.SetParentSpanID(pcommon.SpanID{2, byte(rng.Intn(n + 4))})
		}
		s.SetName(names[rng.Intn(len(names))])
		s.SetStartTimestamp(pcommon.Timestamp(rng.Intn(100)))
		s.SetEndTimestamp(pcommon.Timestamp(rng.Intn(100)))
		for k := rng.Intn(4); k > 0 && len(keys) > 0; k-- {
			key := keys[rng.Intn(len(keys))]
			s.Attributes().PutStr(key, attrs[key][rng.Intn(len(attrs[key]))])
		}
	}
	return td
}

// CheckRewriteInvariants rewrites td and checks the dialect contract: the
// span count adds up, every kept parent id names a span of the trace or was
// already dangling on input, and no walk up the tree loops.
func CheckRewriteInvariants(t *testing.T, d dialect.Dialect, td ptrace.Traces, keep bool) {
	t.Helper()
	in := map[pcommon.SpanID]bool{}
	for _, s := range AllSpans(td) {
		in[s.SpanID()] = true
	}
	dangling := map[pcommon.SpanID]bool{}
	for _, s := range AllSpans(td) {
		if p := s.ParentSpanID(); !p.IsEmpty() && !in[p] {
			dangling[p] = true
		}
	}
	total := td.SpanCount()
	stats := d.Rewrite(td, dialect.Options{KeepPlumbing: keep})
	after := AllSpans(td)
	require.Equal(t, total-stats.SpansFolded+stats.SpansAdded, len(after))
	if keep {
		require.Zero(t, stats.SpansFolded)
	}
	byID := map[pcommon.SpanID]ptrace.Span{}
	for _, s := range after {
		if _, dup := byID[s.SpanID()]; !dup {
			byID[s.SpanID()] = s
		}
	}
	for _, s := range after {
		if p := s.ParentSpanID(); !p.IsEmpty() {
			_, ok := byID[p]
			assert.True(t, ok || dangling[p], "span %q: parent %s neither in trace nor dangling on input", s.Name(), p)
		}
		cur, steps := s, 0
		for !cur.ParentSpanID().IsEmpty() && steps <= len(after) {
			next, ok := byID[cur.ParentSpanID()]
			if !ok {
				break
			}
			cur, steps = next, steps+1
		}
		assert.LessOrEqual(t, steps, len(after), "cycle through %q", s.Name())
	}
}
