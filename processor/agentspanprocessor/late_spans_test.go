package agentspanprocessor

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// lateFoldDialect also folds late "fold..." spans, as a framework dialect
// folds late runtime plumbing.
type lateFoldDialect struct{ foldDialect }

func (lateFoldDialect) FoldsLate(_ pcommon.InstrumentationScope, s ptrace.Span) bool {
	return strings.HasPrefix(s.Name(), "fold")
}

func TestLatePlumbingIsFoldedLikeItsSiblings(t *testing.T) {
	sink := &recordingSink{}
	p := startProcessor(t, testConfig(), sink, []dialect.Dialect{lateFoldDialect{}}, nil)
	ctx := context.Background()
	emitRootFoldedKept(t, p, sink)

	// A late plumbing span under a kept span, with a kept child in the same batch.
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(
		testSpan{trace: 1, id: 7, parent: 3, name: "fold late plumbing"},
		testSpan{trace: 1, id: 8, parent: 7, name: "late llm call"},
	)))
	// Later still: another child of the folded late span.
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 1, id: 9, parent: 7, name: "later"})))
	_, spans := sink.snapshot()
	got := byID(spans)
	assert.NotContains(t, got, spanIDOf(7), "late plumbing folded")
	assert.Equal(t, spanIDOf(3), got[spanIDOf(8)].parent)
	assert.Equal(t, spanIDOf(3), got[spanIDOf(9)].parent)
}

func TestSpansTheEmittedTraceHeldAreNotSentAgain(t *testing.T) {
	sink := &recordingSink{}
	p := startProcessor(t, testConfig(), sink, []dialect.Dialect{foldDialect{}}, nil)
	ctx := context.Background()
	emitRootFoldedKept(t, p, sink)

	// The same spans again (a Kafka record read again after a rebalance), a
	// new span with them.
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(
		testSpan{trace: 1, id: 2, parent: 1, name: "fold plumbing"},
		testSpan{trace: 1, id: 3, parent: 2, name: "kept"},
		testSpan{trace: 1, id: 4, parent: 3, name: "late"},
	)))
	_, spans := sink.snapshot()
	got := byID(spans)
	require.Len(t, spans, 3, "root, kept, then only the new span")
	assert.Equal(t, spanIDOf(3), got[spanIDOf(4)].parent)
	assert.NotContains(t, got, spanIDOf(2), "the folded span stays folded")
}
