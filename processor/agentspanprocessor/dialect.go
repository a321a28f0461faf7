package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/agentframework"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/autogen"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/openaiagents"
)

// dialects is the registry: the framework dialects, tried in order on every
// assembled trace; a trace no dialect matches passes through as assembled.
// Each lives in its own package under internal/dialect/, behind the
// dialect.Dialect interface; this list is the only place that names them.
// Put a dialect that recognises a narrower signal before a broader one.
var dialects = []dialect.Dialect{
	autogen.Dialect{},
	agentframework.Dialect{},
	openaiagents.Dialect{},
}
