package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/collectortest"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/langsmithtest"
)

const testKey = "integration-key"

// pipeline is a running collector wired to a test LangSmith.
type pipeline struct {
	server   *langsmithtest.Server
	otlpURL  string
	col      *collectortest.Collector
	yamlBody string
}

// pipelineConfig renders a collector config: otlp/http -> processors -> langsmith.
func pipelineConfig(otlpPort int, endpoint string, processors string, processorCfg string, exporterExtra string, extensions string) string {
	return fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
processors:
%s
exporters:
  langsmith:
    endpoint: %s
    api_key: %s
    project: integration
    retry_on_failure:
      initial_interval: 50ms
      max_interval: 200ms
      max_elapsed_time: 20s
%s
%s
service:
  telemetry:
    metrics:
      level: none
  %s
  pipelines:
    traces:
      receivers: [otlp]
      processors: [%s]
      exporters: [langsmith]
`, otlpPort, indentOrEmpty(processorCfg), endpoint, testKey, exporterExtra, extensionsBlock(extensions), serviceExtensions(extensions), processors)
}

func indentOrEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "  {}"
	}
	return s
}

func extensionsBlock(ext string) string {
	if ext == "" {
		return ""
	}
	return "extensions:\n" + ext
}

func serviceExtensions(ext string) string {
	if ext == "" {
		return ""
	}
	return "extensions: [file_storage]"
}

// startPipeline starts a test server and a collector in front of it.
func startPipeline(t *testing.T, opts langsmithtest.Options, processors, processorCfg, exporterExtra, extensions string) *pipeline {
	t.Helper()
	if opts.APIKey == "" {
		opts.APIKey = testKey
	}
	srv := langsmithtest.New(t, opts)
	port := collectortest.FreePort(t)
	cfg := pipelineConfig(port, srv.URL(), processors, processorCfg, exporterExtra, extensions)
	col := collectortest.Start(t, cfg)
	return &pipeline{server: srv, otlpURL: fmt.Sprintf("http://127.0.0.1:%d/v1/traces", port), col: col, yamlBody: cfg}
}

// send posts traces to the collector's OTLP/HTTP receiver as protobuf.
func send(t *testing.T, url string, td ptrace.Traces) {
	t.Helper()
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	require.NoError(t, err)
	resp, err := http.Post(url, "application/x-protobuf", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// waitForStableRuns waits until the server holds at least min runs and the
// count has not changed for a while, and returns them.
func waitForStableRuns(t *testing.T, srv *langsmithtest.Server, min int, timeout time.Duration) []langsmithtest.Run {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last, stableSince := -1, time.Now()
	for time.Now().Before(deadline) {
		n := len(srv.Runs())
		if n != last {
			last, stableSince = n, time.Now()
		} else if n >= min && time.Since(stableSince) > 700*time.Millisecond {
			return srv.Runs()
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server holds %d runs after %v, want at least %d; violations: %v", last, timeout, min, srv.Violations())
	return nil
}

// tree indexes runs by parent, children in dotted_order (start) order.
type tree struct {
	byID     map[string]langsmithtest.Run
	children map[string][]langsmithtest.Run
	roots    []langsmithtest.Run
}

func newTree(runs []langsmithtest.Run) tree {
	t := tree{byID: map[string]langsmithtest.Run{}, children: map[string][]langsmithtest.Run{}}
	sorted := append([]langsmithtest.Run(nil), runs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].DottedOrder < sorted[j].DottedOrder })
	for _, r := range sorted {
		t.byID[r.ID] = r
		if r.ParentRunID == "" {
			t.roots = append(t.roots, r)
		} else {
			t.children[r.ParentRunID] = append(t.children[r.ParentRunID], r)
		}
	}
	return t
}

func names(runs []langsmithtest.Run) []string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r.Name
	}
	return out
}

func metadataOf(r langsmithtest.Run) map[string]any {
	m, _ := r.Extra["metadata"].(map[string]any)
	return m
}

func usageOf(r langsmithtest.Run) map[string]any {
	u, _ := r.Outputs["usage_metadata"].(map[string]any)
	return u
}

// assertLLMRunComplete checks what LangSmith needs to render and cost an LLM run.
func assertLLMRunComplete(t *testing.T, r langsmithtest.Run, withMessages bool) {
	t.Helper()
	require.Equal(t, "llm", r.RunType, r.Name)
	if withMessages {
		require.NotEmpty(t, r.Inputs["messages"], "llm run %s has input messages", r.Name)
		require.NotEmpty(t, r.Outputs["messages"], "llm run %s has output messages", r.Name)
	}
	u := usageOf(r)
	require.NotNil(t, u, "llm run %s has outputs.usage_metadata", r.Name)
	for _, k := range []string{"input_tokens", "output_tokens", "total_tokens"} {
		_, ok := asInt(u[k])
		require.True(t, ok, "usage %s of %s is an integer, got %#v", k, r.Name, u[k])
	}
	md := metadataOf(r)
	require.NotEmpty(t, md["ls_model_name"], "llm run %s has ls_model_name", r.Name)
	require.NotEmpty(t, md["ls_provider"], "llm run %s has ls_provider", r.Name)
	require.Equal(t, u, md["usage_metadata"], "usage in outputs and metadata agree")
}

// asInt reads a JSON integer however the decoder kept it.
func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case float64:
		return int64(n), n == float64(int64(n))
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}

// ingestRequests are the requests that carried runs (not /info).
func ingestRequests(srv *langsmithtest.Server) []langsmithtest.Request {
	var out []langsmithtest.Request
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, "/runs") {
			out = append(out, r)
		}
	}
	return out
}
