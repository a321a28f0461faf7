//go:generate mdatagen metadata.yaml

// Package agentspanprocessor buffers the spans of each trace until the trace
// is complete, stitches traces that an agent framework split apart, rebuilds
// the trace with a framework dialect (AutoGen first) and emits whole traces.
package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"
