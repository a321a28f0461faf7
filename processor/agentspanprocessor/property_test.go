package agentspanprocessor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// forestParams shape a random workload.
type forestParams struct {
	traces      int
	maxSpans    int
	linkPercent int // chance that a trace's root links into an earlier trace
	foldPercent int // chance that a span is plumbing the test dialect folds
	senders     int
	maxBatch    int
	maxPause    time.Duration
	cfgTweak    func(*Config)
	withDialect bool
	description string
}

// randomForest builds traces whose spans have random parents (earlier spans of
// the same trace, sometimes none) and whose roots sometimes link to a span of
// an earlier trace, as AutoGen's split runs do.
func randomForest(rng *rand.Rand, fp forestParams) []testSpan {
	var all []testSpan
	var prev []testSpan
	nextID := uint64(1)
	for tr := 1; tr <= fp.traces; tr++ {
		n := 1 + rng.IntN(fp.maxSpans)
		var cur []testSpan
		for i := 0; i < n; i++ {
			s := testSpan{trace: uint64(tr), id: nextID, name: "work"}
			nextID++
			if i > 0 && rng.IntN(20) != 0 { // a few extra roots per trace
				s.parent = cur[rng.IntN(len(cur))].id
			}
			if s.parent != 0 && rng.IntN(100) < fp.foldPercent {
				s.name = "fold plumbing"
			}
			if i == 0 && len(prev) > 0 && rng.IntN(100) < fp.linkPercent {
				target := prev[rng.IntN(len(prev))]
				s.linkTrace, s.linkSpan = target.trace, target.id
				s.name = "autogen send"
			}
			s.service = fmt.Sprintf("svc%d", rng.IntN(3))
			cur = append(cur, s)
		}
		prev = append(prev, cur...)
		all = append(all, cur...)
	}
	return all
}

// countingDialect wraps a dialect and counts what it folded.
type countingDialect struct {
	inner  dialect.Dialect
	folded *atomic.Int64
}

func (c countingDialect) Name() string                  { return c.inner.Name() }
func (c countingDialect) Matches(td ptrace.Traces) bool { return c.inner.Matches(td) }
func (c countingDialect) Rewrite(td ptrace.Traces, o dialect.Options) dialect.Stats {
	s := c.inner.Rewrite(td, o)
	c.folded.Add(int64(s.SpansFolded))
	return s
}

// runProperty feeds a random forest, shuffled and split into random requests,
// concurrently through the processor and checks that nothing is lost or
// duplicated and that every emitted trace is a consistent tree.
func runProperty(t *testing.T, seed uint64, fp forestParams) workloadStats {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	spans := randomForest(rng, fp)
	rng.Shuffle(len(spans), func(i, j int) { spans[i], spans[j] = spans[j], spans[i] })

	cfg := testConfig()
	cfg.IdleTimeout = 10 * time.Millisecond
	cfg.MaxTraceDuration = 200 * time.Millisecond
	if fp.cfgTweak != nil {
		fp.cfgTweak(cfg)
	}
	var folded atomic.Int64
	var ds []dialect.Dialect
	if fp.withDialect {
		ds = []dialect.Dialect{countingDialect{inner: foldDialect{}, folded: &folded}}
	}
	sink := &recordingSink{}
	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()
	p := startProcessor(t, cfg, sink, ds, tel)

	// Split into requests, dealt to senders.
	var requests [][]testSpan
	for i := 0; i < len(spans); {
		n := 1 + rng.IntN(fp.maxBatch)
		requests = append(requests, spans[i:min(i+n, len(spans))])
		i += n
	}
	pauses := make([]time.Duration, len(requests))
	for i := range pauses {
		if fp.maxPause > 0 {
			pauses[i] = time.Duration(rng.Int64N(int64(fp.maxPause)))
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < fp.senders; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(requests); i += fp.senders {
				if err := p.ConsumeTraces(context.Background(), buildTraces(requests[i]...)); err != nil {
					t.Errorf("ConsumeTraces: %v", err)
				}
				time.Sleep(pauses[i]) // pacing, so that some traces complete early and spans come late
			}
		}()
	}
	wg.Wait()
	require.NoError(t, p.Shutdown(context.Background()))

	batches, out := sink.snapshot()
	checkEmitted(t, spans, batches, out, folded.Load())
	return workloadStats{
		late:     sumMetric(t, tel, "otelcol_processor_agent_span_late_spans"),
		stitched: sumMetric(t, tel, "otelcol_processor_agent_span_traces_stitched"),
		pressure: sumMetric(t, tel, "otelcol_processor_agent_span_traces_emitted", reasonPressure),
		complete: sumMetric(t, tel, "otelcol_processor_agent_span_traces_emitted", reasonComplete),
	}
}

// workloadStats say which paths a workload exercised.
type workloadStats struct{ late, stitched, pressure, complete int64 }

// sumMetric adds up a counter's points (with the given reason, if any).
func sumMetric(t *testing.T, tel *componenttest.Telemetry, name string, reason ...string) int64 {
	m, err := tel.GetMetric(name)
	if err != nil {
		return 0 // never recorded
	}
	var total int64
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		if len(reason) > 0 {
			if v, _ := dp.Attributes.Value("reason"); v.AsString() != reason[0] {
				continue
			}
		}
		total += dp.Value
	}
	return total
}

func checkEmitted(t *testing.T, in []testSpan, batches []ptrace.Traces, out []emittedSpan, folded int64) {
	t.Helper()
	inByID := map[pcommon.SpanID]testSpan{}
	folds := 0
	for _, s := range in {
		inByID[spanIDOf(s.id)] = s
		if strings.HasPrefix(s.name, "fold") {
			folds++
		}
	}
	seen := map[pcommon.SpanID]emittedSpan{}
	emittedFolds := 0
	for _, s := range out {
		_, dup := seen[s.id]
		require.False(t, dup, "span %s emitted twice", s.id)
		_, known := inByID[s.id]
		require.True(t, known, "span %s was never sent", s.id)
		seen[s.id] = s
		if strings.HasPrefix(s.name, "fold") {
			emittedFolds++
		}
	}
	require.Equal(t, len(in)-folds, len(out)-emittedFolds, "every kept span comes out exactly once")
	require.Equal(t, int64(folds), int64(emittedFolds)+folded, "every plumbing span is folded or emitted")

	// One trace id per call to the next consumer.
	for i, b := range batches {
		ids := map[pcommon.TraceID]bool{}
		forEachSpan(b, func(s ptrace.Span) { ids[s.TraceID()] = true })
		require.Len(t, ids, 1, "batch %d mixes traces", i)
	}
	// All spans of one original trace leave under one trace id.
	outTrace := map[uint64]pcommon.TraceID{}
	for _, s := range out {
		orig := inByID[s.id].trace
		if prev, ok := outTrace[orig]; ok {
			require.Equal(t, prev, s.trace, "trace %d split over two emitted trace ids", orig)
		}
		outTrace[orig] = s.trace
	}
	// Every parent names an emitted span of the same emitted trace, and
	// following parents always ends at a root.
	for _, s := range out {
		steps := 0
		for cur := s; !cur.parent.IsEmpty(); steps++ {
			p, ok := seen[cur.parent]
			require.True(t, ok, "span %s has parent %s which was not emitted", cur.id, cur.parent)
			require.Equal(t, cur.trace, p.trace, "span %s and its parent are in different traces", cur.id)
			require.Less(t, steps, len(out), "parent cycle through %s", s.id)
			cur = p
		}
	}
}

func propertyCases() []forestParams {
	return []forestParams{
		{description: "plain", traces: 40, maxSpans: 30, senders: 4, maxBatch: 8},
		{description: "stitched", traces: 40, maxSpans: 20, linkPercent: 60, senders: 4, maxBatch: 5, maxPause: 2 * time.Millisecond},
		{description: "folded+late", traces: 30, maxSpans: 30, linkPercent: 40, foldPercent: 30, senders: 6, maxBatch: 4,
			maxPause: 3 * time.Millisecond, withDialect: true},
		{description: "pressure", traces: 60, maxSpans: 25, linkPercent: 30, foldPercent: 20, senders: 8, maxBatch: 6,
			withDialect: true, cfgTweak: func(c *Config) { c.MaxTraces = 5; c.MaxSpansPerTrace = 12; c.MaxBufferedBytes = 8 << 10 }},
		{description: "no stitching", traces: 30, maxSpans: 20, linkPercent: 50, foldPercent: 20, senders: 4, maxBatch: 5,
			withDialect: true, cfgTweak: func(c *Config) { c.StitchLinkedTraces = false }},
		{description: "slow", traces: 20, maxSpans: 15, linkPercent: 50, foldPercent: 20, senders: 3, maxBatch: 3,
			maxPause: 15 * time.Millisecond, withDialect: true},
	}
}

// TestRandomForests is the seeded, always-run part of the property test.
func TestRandomForests(t *testing.T) {
	var total workloadStats
	for i, fp := range propertyCases() {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", fp.description, seed), func(t *testing.T) {
				s := runProperty(t, seed*1000+uint64(i), fp)
				t.Logf("late=%d stitched=%d pressure=%d complete=%d", s.late, s.stitched, s.pressure, s.complete)
				total.late += s.late
				total.stitched += s.stitched
				total.pressure += s.pressure
				total.complete += s.complete
			})
		}
	}
	// The workloads must reach every path they are meant to check.
	require.Positive(t, total.late, "no late spans were exercised")
	require.Positive(t, total.stitched, "no stitching was exercised")
	require.Positive(t, total.pressure, "no pressure emission was exercised")
	require.Positive(t, total.complete, "no trace completed on idle")
}

// FuzzProcessor explores workloads: go test -fuzz FuzzProcessor.
func FuzzProcessor(f *testing.F) {
	f.Add(uint64(1), uint8(0), uint8(20), uint8(50))
	f.Add(uint64(7), uint8(3), uint8(40), uint8(0))
	f.Add(uint64(42), uint8(2), uint8(5), uint8(90))
	f.Fuzz(func(t *testing.T, seed uint64, shape uint8, traces uint8, linkPercent uint8) {
		cases := propertyCases()
		fp := cases[int(shape)%len(cases)]
		fp.traces = 1 + int(traces)%50
		fp.linkPercent = int(linkPercent) % 101
		fp.maxPause = min(fp.maxPause, 2*time.Millisecond)
		runProperty(t, seed, fp)
	})
}
