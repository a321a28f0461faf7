package agentspanprocessor

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// dialect holds one agent framework's reconstruction rules. The trace buffer
// knows nothing about frameworks: it hands each assembled trace to the first
// dialect that recognises it. To support a new framework (OpenAI Agents SDK,
// Semantic Kernel, CrewAI, AG2, ...), add one file dialect_<framework>.go that
// implements this interface and list it in dialects.
type dialect interface {
	// name identifies the dialect in logs and metrics.
	name() string
	// matches reports whether the assembled trace was emitted by this framework.
	matches(td ptrace.Traces) bool
	// rewrite rebuilds the trace in place in GenAI semantic conventions. It
	// must not lose spans other than the plumbing it folds, and every parent
	// span id it leaves must name a span of the trace or be empty.
	rewrite(td ptrace.Traces, opts rewriteOptions) rewriteStats
}

// lateSpanFolder is implemented by dialects that can recognise, on its own, a
// plumbing span that arrives after its trace was emitted, so that it is
// folded like its siblings were instead of showing up as a stray run.
type lateSpanFolder interface {
	foldsLate(scope pcommon.InstrumentationScope, span ptrace.Span) bool
}

// rewriteOptions are the user's choices that dialects honour.
type rewriteOptions struct {
	// KeepPlumbing leaves framework plumbing spans in place, for debugging.
	KeepPlumbing bool
}

// rewriteStats reports what a rewrite did, for the processor's metrics.
type rewriteStats struct {
	SpansFolded int
	SpansAdded  int
}

// dialects are tried in order; a trace no dialect matches passes through as
// assembled.
var dialects = []dialect{
	autogenDialect{},
}
