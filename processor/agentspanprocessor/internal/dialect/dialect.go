// Package dialect is the contract between the agent_span processor and the
// framework dialects, and the toolkit they share: a trace is handed to the
// first dialect that recognises it, which rebuilds it in place in GenAI
// semantic conventions. Each framework lives in a package of its own below
// this one; the processor core knows none of them.
package dialect // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Dialect holds one agent framework's reconstruction rules.
type Dialect interface {
	// Name identifies the dialect in logs and metrics.
	Name() string
	// Matches reports whether the assembled trace was emitted by this framework.
	Matches(td ptrace.Traces) bool
	// Rewrite rebuilds the trace in place in GenAI semantic conventions. It
	// must not lose spans other than the plumbing it folds, and every parent
	// span id it leaves must name a span of the trace or be empty (or be a
	// parent id that already pointed outside the trace on input).
	Rewrite(td ptrace.Traces, opts Options) Stats
}

// LateSpanFolder is implemented by dialects that can recognise, on its own, a
// plumbing span that arrives after its trace was emitted, so that it is
// folded like its siblings were instead of showing up as a stray run.
type LateSpanFolder interface {
	FoldsLate(scope pcommon.InstrumentationScope, span ptrace.Span) bool
}

// Options are the user's choices that dialects honour.
type Options struct {
	// KeepPlumbing leaves framework plumbing spans in place, for debugging.
	KeepPlumbing bool
}

// Stats reports what a rewrite did, for the processor's metrics.
type Stats struct {
	SpansFolded int
	SpansAdded  int
}
