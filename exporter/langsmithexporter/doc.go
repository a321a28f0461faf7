//go:generate mdatagen metadata.yaml

// Package langsmithexporter sends whole OpenTelemetry traces to LangSmith as
// runs, through LangSmith's /runs/multipart ingestion API.
package langsmithexporter // import "github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter"
