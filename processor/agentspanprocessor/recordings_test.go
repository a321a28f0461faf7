package agentspanprocessor

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// shuffledRequests cuts a recording into single spans (each under a copy of
// its resource and scope), shuffles them and deals them into small requests.
func shuffledRequests(rng *rand.Rand, td ptrace.Traces) []ptrace.Traces {
	var singles []ptrace.Traces
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			for k := 0; k < ss.Spans().Len(); k++ {
				one := ptrace.NewTraces()
				nrs := one.ResourceSpans().AppendEmpty()
				rs.Resource().CopyTo(nrs.Resource())
				nss := nrs.ScopeSpans().AppendEmpty()
				ss.Scope().CopyTo(nss.Scope())
				ss.Spans().At(k).CopyTo(nss.Spans().AppendEmpty())
				singles = append(singles, one)
			}
		}
	}
	rng.Shuffle(len(singles), func(i, j int) { singles[i], singles[j] = singles[j], singles[i] })
	var reqs []ptrace.Traces
	for i := 0; i < len(singles); {
		n := 1 + rng.IntN(6)
		req := ptrace.NewTraces()
		for _, s := range singles[i:min(i+n, len(singles))] {
			s.ResourceSpans().MoveAndAppendTo(req.ResourceSpans())
		}
		reqs = append(reqs, req)
		i += n
	}
	return reqs
}

// primaryTraces counts the traces of a recording that have a root span
// without a link into another trace: what stitching should leave.
func primaryTraces(td ptrace.Traces) int {
	ids := map[pcommon.TraceID]bool{}
	forEachSpan(td, func(s ptrace.Span) {
		if s.ParentSpanID().IsEmpty() && len(crossTraceLinks(s, s.TraceID())) == 0 {
			ids[s.TraceID()] = true
		}
	})
	return len(ids)
}

// TestRecordingsSurviveShuffledDelivery replays every real AutoGen recording
// shuffled, split and sent concurrently, and checks that each comes out whole:
// every span once, as many traces as the run had primary roots (the 17 traces
// of a runtime started outside the root span become one), consistent parents.
func TestRecordingsSurviveShuffledDelivery(t *testing.T) {
	names := recordings.Names()
	require.NotEmpty(t, names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			td := recordings.MustLoad(t, name)
			wantTraces := primaryTraces(td)
			if name == recordings.RuntimeOutsideRoot {
				require.Equal(t, 1, wantTraces, "the split run has one user root")
			}
			inIDs := map[pcommon.SpanID]bool{}
			forEachSpan(td, func(s ptrace.Span) { inIDs[s.SpanID()] = true })

			for seed := uint64(1); seed <= 2; seed++ {
				rng := rand.New(rand.NewPCG(seed, 77))
				sink := &recordingSink{}
				cfg := testConfig()
				cfg.IdleTimeout = 100 * time.Millisecond // all requests arrive well within it
				p := startProcessor(t, cfg, sink, nil, nil)
				sendConcurrently(t, p, shuffledRequests(rng, td), 4)
				require.Eventually(t, func() bool { return sink.spanCount() == len(inIDs) }, waitFor, 5*time.Millisecond)
				require.NoError(t, p.Shutdown(context.Background()))

				batches, out := sink.snapshot()
				assert.Len(t, batches, wantTraces, "one emission per (stitched) trace, no late spans")
				seen := map[pcommon.SpanID]emittedSpan{}
				for _, s := range out {
					require.True(t, inIDs[s.id], "unknown span %s", s.id)
					_, dup := seen[s.id]
					require.False(t, dup, "span %s emitted twice", s.id)
					seen[s.id] = s
				}
				for _, s := range out {
					if s.parent.IsEmpty() {
						continue
					}
					p, ok := seen[s.parent]
					require.True(t, ok, "%q has a parent that was not emitted", s.name)
					require.Equal(t, s.trace, p.trace)
				}
			}
		})
	}
}

// TestRecordingsThroughDialects runs the recordings through the package's
// dialect list: whatever the dialects fold or add, the numbers must add up.
func TestRecordingsThroughDialects(t *testing.T) {
	for _, name := range recordings.Names() {
		t.Run(name, func(t *testing.T) {
			td := recordings.MustLoad(t, name)
			total := td.SpanCount()
			var folded, added atomic.Int64
			var ds []dialect.Dialect
			for _, d := range dialects {
				ds = append(ds, statsDialect{inner: d, folded: &folded, added: &added})
			}
			sink := &recordingSink{}
			p := startProcessor(t, testConfig(), sink, ds, nil)
			sendConcurrently(t, p, shuffledRequests(rand.New(rand.NewPCG(9, 9)), td), 3)
			require.NoError(t, p.Shutdown(context.Background()))
			assert.Equal(t, int64(total)-folded.Load()+added.Load(), int64(sink.spanCount()))
			_, out := sink.snapshot()
			seen := map[pcommon.SpanID]bool{}
			for _, s := range out {
				require.False(t, seen[s.id], "span %s emitted twice", s.id)
				seen[s.id] = true
			}
		})
	}
}

// statsDialect counts what a dialect reports.
type statsDialect struct {
	inner         dialect.Dialect
	folded, added *atomic.Int64
}

func (s statsDialect) Name() string                  { return s.inner.Name() }
func (s statsDialect) Matches(td ptrace.Traces) bool { return s.inner.Matches(td) }
func (s statsDialect) Rewrite(td ptrace.Traces, o dialect.Options) dialect.Stats {
	st := s.inner.Rewrite(td, o)
	s.folded.Add(int64(st.SpansFolded))
	s.added.Add(int64(st.SpansAdded))
	return st
}

func sendConcurrently(t *testing.T, p *agentSpanProcessor, reqs []ptrace.Traces, senders int) {
	var wg sync.WaitGroup
	for w := 0; w < senders; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(reqs); i += senders {
				if err := p.ConsumeTraces(context.Background(), reqs[i]); err != nil {
					t.Errorf("ConsumeTraces: %v", err)
				}
			}
		}()
	}
	wg.Wait()
}
