package autogen

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

func TestLateAutoGenPlumbingIsFolded(t *testing.T) {
	assert.Implements(t, (*dialect.LateSpanFolder)(nil), Dialect{})
	td := recordings.MustLoad(t, recordings.Reference)
	var plumbing, llm, user int
	spanwalk.Each(td, func(_ pcommon.Resource, scope pcommon.InstrumentationScope, s ptrace.Span) {
		switch {
		case Dialect{}.FoldsLate(scope, s):
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
