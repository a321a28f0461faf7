package agentspanprocessor

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/metadata"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/metadatatest"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

func traceIDOf(n uint64) pcommon.TraceID {
	var id pcommon.TraceID
	binary.BigEndian.PutUint64(id[8:], n)
	id[0] = 0xab
	return id
}

func spanIDOf(n uint64) pcommon.SpanID {
	var id pcommon.SpanID
	if n == 0 {
		return id
	}
	binary.BigEndian.PutUint64(id[:], n)
	return id
}

// testSpan describes a span; parent 0 means a root.
type testSpan struct {
	trace, id, parent uint64
	name              string
	// linkTrace/linkSpan: optional span link.
	linkTrace, linkSpan uint64
	service             string
}

// buildTraces puts the spans in one batch, grouped by service.
func buildTraces(spans ...testSpan) ptrace.Traces {
	td := ptrace.NewTraces()
	scopes := map[string]ptrace.SpanSlice{}
	for _, s := range spans {
		svc := s.service
		if svc == "" {
			svc = "app"
		}
		out, ok := scopes[svc]
		if !ok {
			rs := td.ResourceSpans().AppendEmpty()
			rs.Resource().Attributes().PutStr("service.name", svc)
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName("test-scope")
			out = ss.Spans()
			scopes[svc] = out
		}
		sp := out.AppendEmpty()
		sp.SetTraceID(traceIDOf(s.trace))
		sp.SetSpanID(spanIDOf(s.id))
		sp.SetParentSpanID(spanIDOf(s.parent))
		name := s.name
		if name == "" {
			name = "span"
		}
		sp.SetName(name)
		sp.SetStartTimestamp(pcommon.Timestamp(s.id))
		if s.linkTrace != 0 {
			l := sp.Links().AppendEmpty()
			l.SetTraceID(traceIDOf(s.linkTrace))
			l.SetSpanID(spanIDOf(s.linkSpan))
		}
	}
	return td
}

// testConfig has short timeouts for tests.
func testConfig() *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.IdleTimeout = 50 * time.Millisecond
	cfg.MaxTraceDuration = 10 * time.Second
	return cfg
}

// startProcessor creates and starts a processor that is shut down with the test.
func startProcessor(t *testing.T, cfg *Config, next consumer.Traces, ds []dialect.Dialect, tel *componenttest.Telemetry) *agentSpanProcessor {
	t.Helper()
	set := processortest.NewNopSettings(metadata.Type)
	if tel != nil {
		set = metadatatest.NewSettings(tel)
	}
	p, err := newAgentSpanProcessor(set, cfg, next, ds)
	require.NoError(t, err)
	require.NoError(t, p.Start(t.Context(), componenttest.NewNopHost()))
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { require.NoError(t, p.Shutdown(t.Context())) }) })
	return p
}

// emittedSpan is a span as the next consumer saw it.
type emittedSpan struct {
	trace  pcommon.TraceID
	id     pcommon.SpanID
	parent pcommon.SpanID
	name   string
	batch  int // index of the ConsumeTraces call it came in
}

// recordingSink remembers every batch in order, safely for concurrent use.
type recordingSink struct {
	mu      sync.Mutex
	batches []ptrace.Traces
	spans   []emittedSpan
}

func (*recordingSink) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (s *recordingSink) ConsumeTraces(_ context.Context, td ptrace.Traces) error {
	s.record(td)
	return nil
}

func (s *recordingSink) spanCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.spans)
}

func (s *recordingSink) batchCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.batches)
}

func (s *recordingSink) snapshot() ([]ptrace.Traces, []emittedSpan) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ptrace.Traces(nil), s.batches...), append([]emittedSpan(nil), s.spans...)
}

func (s *recordingSink) record(td ptrace.Traces) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.batches)
	s.batches = append(s.batches, td)
	forEachSpan(td, func(sp ptrace.Span) {
		s.spans = append(s.spans, emittedSpan{trace: sp.TraceID(), id: sp.SpanID(), parent: sp.ParentSpanID(), name: sp.Name(), batch: n})
	})
}

// byID indexes emitted spans by span id.
func byID(spans []emittedSpan) map[pcommon.SpanID]emittedSpan {
	out := map[pcommon.SpanID]emittedSpan{}
	for _, s := range spans {
		out[s.id] = s
	}
	return out
}

// foldDialect is a test dialect: it removes spans whose name starts with
// "fold" and re-parents their children to the nearest kept ancestor.
type foldDialect struct{}

func (foldDialect) Name() string { return "fold" }

func (foldDialect) Matches(td ptrace.Traces) bool {
	found := false
	forEachSpan(td, func(s ptrace.Span) { found = found || strings.HasPrefix(s.Name(), "fold") })
	return found
}

func (foldDialect) Rewrite(td ptrace.Traces, opts dialect.Options) dialect.Stats {
	if opts.KeepPlumbing {
		return dialect.Stats{}
	}
	parent := map[pcommon.SpanID]pcommon.SpanID{}
	folded := map[pcommon.SpanID]bool{}
	forEachSpan(td, func(s ptrace.Span) {
		parent[s.SpanID()] = s.ParentSpanID()
		if strings.HasPrefix(s.Name(), "fold") {
			folded[s.SpanID()] = true
		}
	})
	keptAncestor := func(id pcommon.SpanID) pcommon.SpanID {
		for steps := 0; !id.IsEmpty() && folded[id] && steps <= len(parent); steps++ {
			id = parent[id]
		}
		if folded[id] {
			return pcommon.SpanID{}
		}
		return id
	}
	n := 0
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			sss.At(j).Spans().RemoveIf(func(s ptrace.Span) bool {
				if folded[s.SpanID()] {
					n++
					return true
				}
				s.SetParentSpanID(keptAncestor(s.ParentSpanID()))
				return false
			})
		}
	}
	return dialect.Stats{SpansFolded: n}
}

func processortestSettings() processor.Settings { return processortest.NewNopSettings(metadata.Type) }

// failingSink refuses everything for good.
type failingSink struct{ calls atomic.Int64 }

func (*failingSink) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (f *failingSink) ConsumeTraces(context.Context, ptrace.Traces) error {
	f.calls.Add(1)
	return consumererror.NewPermanent(errors.New("backend refused the data"))
}

// panicDialect simulates a dialect bug.
type panicDialect struct{}

func (panicDialect) Name() string                                         { return "panic" }
func (panicDialect) Matches(ptrace.Traces) bool                           { return true }
func (panicDialect) Rewrite(ptrace.Traces, dialect.Options) dialect.Stats { panic("dialect bug") }

// emitRootFoldedKept sends root(1) -> "fold plumbing"(2) -> kept(3) of trace
// 1 and waits until the processor emitted it (with 2 folded by the dialect).
func emitRootFoldedKept(t *testing.T, p *agentSpanProcessor, sink *recordingSink) {
	t.Helper()
	require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(
		testSpan{trace: 1, id: 1, name: "root"},
		testSpan{trace: 1, id: 2, parent: 1, name: "fold plumbing"},
		testSpan{trace: 1, id: 3, parent: 2, name: "kept"},
	)))
	require.Eventually(t, func() bool { return sink.batchCount() == 1 }, waitFor, 5*time.Millisecond)
}
