//go:generate mdatagen metadata.yaml

// Package agentspanprocessor buffers the spans of each trace until the trace
// is complete, stitches traces that an agent framework split apart, rebuilds
// the trace with the first framework dialect that recognises it (dialect.go
// lists them, each a package under internal/dialect/) and emits whole traces.
package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"
