package agentspanprocessor

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
)

// lateFoldDialect also folds late "fold..." spans, as AutoGen's dialect folds
// late runtime plumbing.
type lateFoldDialect struct{ foldDialect }

func (lateFoldDialect) foldsLate(_ pcommon.InstrumentationScope, s ptrace.Span) bool {
	return strings.HasPrefix(s.Name(), "fold")
}

func TestLatePlumbingIsFoldedLikeItsSiblings(t *testing.T) {
	sink := &recordingSink{}
	p := startProcessor(t, testConfig(), sink, []dialect{lateFoldDialect{}}, nil)
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

func TestLateAutoGenPlumbingIsFolded(t *testing.T) {
	assert.Implements(t, (*lateSpanFolder)(nil), autogenDialect{})
	td := recordings.MustLoad(t, recordings.Reference)
	var plumbing, llm, user int
	spanwalk.Each(td, func(_ pcommon.Resource, scope pcommon.InstrumentationScope, s ptrace.Span) {
		switch {
		case autogenDialect{}.foldsLate(scope, s):
			plumbing++
		case s.Name() == "openai.chat":
			llm++
		default:
			user++
		}
	})
	assert.Equal(t, 50, plumbing, "48 runtime spans and 2 create_agent spans")
	assert.Equal(t, 6, llm)
	assert.Equal(t, 5, user, "run_team, three invoke_agent, execute_tool are never folded late")
}
