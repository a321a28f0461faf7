//go:build systemtest || scaletest

package systemtest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/collectortest"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/langsmithtest"
)

const serverKey = "system-test-key"

// Budget of agent_span in these tests: small, so that an outage fills it
// within seconds and the refusal at the door shows.
const (
	budgetTraces = 300
	budgetBytes  = 8 << 20
)

// ports of one collector; the OTLP port is kept across restarts so that
// clients retrying against it reach the next life.
type ports struct{ otlp, health, metrics int }

func newPorts(t *testing.T) ports {
	return ports{otlp: collectortest.FreePort(t), health: collectortest.FreePort(t), metrics: collectortest.FreePort(t)}
}

func (p ports) otlpURL() string {
	return fmt.Sprintf("http://%s/v1/traces", collectortest.Endpoint(p.otlp))
}

// pipeline describes one collector configuration.
type pipeline struct {
	endpoint string
	apiKey   string
	queueDir string // persistent sending_queue in this directory when set
}

func (pl pipeline) config(p ports) string {
	storage, extensions := "", "[health_check]"
	queue := `      queue_size: 50`
	if pl.queueDir != "" {
		storage = fmt.Sprintf("  file_storage:\n    directory: %s\n", pl.queueDir)
		extensions = "[health_check, file_storage]"
		queue = "      queue_size: 100\n      storage: file_storage"
	}
	return fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: %s
processors:
  agent_span:
    idle_timeout: 500ms
    max_traces: %d
    max_buffered_bytes: %d
    retry_on_refusal:
      initial_interval: 100ms
      max_interval: 1s
    shutdown_timeout: 10s
exporters:
  langsmith:
    endpoint: %s
    api_key: %s
    project: system-test
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 1s
      max_elapsed_time: 0
    sending_queue:
      num_consumers: 2
%s
      batch:
        flush_timeout: 200ms
        min_size: 100
        max_size: 200
extensions:
  health_check:
    endpoint: %s
%s
service:
  extensions: %s
  telemetry:
    logs:
      level: info
    metrics:
      level: detailed
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
  pipelines:
    traces:
      receivers: [otlp]
      processors: [agent_span]
      exporters: [langsmith]
`, collectortest.Endpoint(p.otlp), budgetTraces, budgetBytes, pl.endpoint, pl.apiKey, queue,
		collectortest.Endpoint(p.health), storage, extensions, p.metrics)
}

// runsByTrace groups the server's runs by the OTel trace id they came from
// (the exporter's otel.trace_id metadata) and fails on a run stored twice.
func runsByTrace(t *testing.T, srv *langsmithtest.Server) map[string]int {
	t.Helper()
	out := map[string]int{}
	seen := map[string]bool{}
	for _, r := range srv.Runs() {
		if seen[r.ID] {
			t.Errorf("run %s stored twice", r.ID)
		}
		seen[r.ID] = true
		md, _ := r.Extra["metadata"].(map[string]any)
		id, _ := md["otel.trace_id"].(string)
		out[id]++
	}
	return out
}

// waitForRuns waits until the server holds want runs and no more arrive.
func waitForRuns(t *testing.T, srv *langsmithtest.Server, want int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last, since := -1, time.Now()
	for time.Now().Before(deadline) {
		n := len(srv.Runs())
		if n != last {
			last, since = n, time.Now()
		} else if n >= want && time.Since(since) > 2*time.Second {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server holds %d runs after %s, want %d", last, timeout, want)
}

// runsPerRecording is what the pipeline makes of one copy of the recording:
// agent_span folds AutoGen plumbing, so fewer runs than spans.
func runsPerRecording(t *testing.T) int {
	t.Helper()
	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: serverKey})
	p := newPorts(t)
	startCollector(t, "calibration", pipeline{endpoint: srv.URL(), apiKey: serverKey}.config(p), p.health, p.metrics)
	l := newLoadClient(t, p.otlpURL(), 1, 1)
	l.send(t.Context(), &http.Client{Timeout: 10 * time.Second}, 0)
	accepted, _, _ := l.result()
	if len(accepted) != 1 {
		t.Fatal("calibration copy refused")
	}
	waitForRuns(t, srv, 1, 30*time.Second)
	n := len(srv.Runs())
	if n < 5 || n >= l.src.SpanCount() {
		t.Fatalf("one recording made %d runs from %d spans: plumbing not folded?", n, l.src.SpanCount())
	}
	return n
}

// assertExactlyOnce checks that every accepted copy arrived whole, once, and
// nothing else did.
func assertExactlyOnce(t *testing.T, srv *langsmithtest.Server, accepted map[pcommon.TraceID]bool, perCopy int) {
	t.Helper()
	got := runsByTrace(t, srv)
	for id := range accepted {
		if n := got[id.String()]; n != perCopy {
			t.Errorf("trace %s accepted by the receiver: %d runs, want %d", id, n, perCopy)
		}
	}
	want := make(map[string]bool, len(accepted))
	for id := range accepted {
		want[id.String()] = true
	}
	for id, n := range got {
		if !want[id] {
			t.Errorf("trace %s has %d runs but the receiver never accepted it", id, n)
		}
	}
	if v := srv.Violations(); len(v) > 0 {
		t.Errorf("LangSmith rule violations: %s", strings.Join(v[:min(len(v), 5)], "; "))
	}
	if c := srv.Check(); len(c) > 0 {
		t.Errorf("stored runs inconsistent: %s", strings.Join(c[:min(len(c), 5)], "; "))
	}
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
