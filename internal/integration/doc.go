// Package integration drives the distribution's real collector pipeline
// (otlp receiver -> agent_span -> langsmith exporter) in process against the
// LangSmith-compatible test server, with recorded real AutoGen traces.
package integration
