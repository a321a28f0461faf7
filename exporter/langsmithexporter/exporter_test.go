package langsmithexporter

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/metadata"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/place"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/send"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/langsmithtest"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
)

const testAPIKey = "test-key"

// newTestExporter builds the exporter through its factory, so the real
// exporterhelper retry (and, when asked, queue) senders are in the path.
func newTestExporter(t *testing.T, endpoint string, withQueue bool, modify func(*Config)) (exporter.Traces, *observer.ObservedLogs) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.Endpoint = endpoint
	cfg.APIKey = testAPIKey
	cfg.RetryConfig.InitialInterval = 20 * time.Millisecond
	cfg.RetryConfig.MaxInterval = 100 * time.Millisecond
	cfg.RetryConfig.MaxElapsedTime = 10 * time.Second
	if !withQueue {
		cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	}
	if modify != nil {
		modify(cfg)
	}
	require.NoError(t, cfg.Validate())
	core, logs := observer.New(zap.DebugLevel)
	set := exportertest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	exp, err := NewFactory().CreateTraces(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, exp.Shutdown(context.Background())) })
	return exp, logs
}

func statuses(srv *langsmithtest.Server) []int {
	var out []int
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, "/runs") {
			out = append(out, r.Status)
		}
	}
	return out
}

func TestExportRetriesThrottlingAndServerErrors(t *testing.T) {
	for _, status := range []int{408, 425, 429, 500, 502, 503, 504} {
		t.Run("status_"+strconv.Itoa(status), func(t *testing.T) {
			srv := langsmithtest.New(t, langsmithtest.Options{APIKey: testAPIKey})
			srv.Inject(langsmithtest.Fault{Status: status, Times: 2})
			exp, _ := newTestExporter(t, srv.URL(), false, nil)
			td := recordings.MustLoad(t, "autogen-0.7.5-reference")
			require.NoError(t, exp.ConsumeTraces(context.Background(), td))
			assert.Len(t, srv.Runs(), td.SpanCount())
			assert.Equal(t, []int{status, status, 202}, statuses(srv))
			assert.Empty(t, srv.Violations())
		})
	}
}

func TestExportHonoursRetryAfter(t *testing.T) {
	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: testAPIKey})
	srv.Inject(langsmithtest.Fault{Status: 429, RetryAfter: "1"})
	exp, _ := newTestExporter(t, srv.URL(), false, nil)
	start := time.Now()
	require.NoError(t, exp.ConsumeTraces(context.Background(), recordings.MustLoad(t, "autogen-0.7.5-reference")))
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "waited for Retry-After")
	assert.Equal(t, []int{429, 202}, statuses(srv))
}

func TestExportSplitsOn413(t *testing.T) {
	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: testAPIKey})
	srv.Inject(langsmithtest.Fault{Status: 413})
	exp, _ := newTestExporter(t, srv.URL(), false, nil)
	td := recordings.MustLoad(t, "autogen-0.7.5-reference")
	require.NoError(t, exp.ConsumeTraces(context.Background(), td))
	assert.Len(t, srv.Runs(), td.SpanCount())
	assert.Equal(t, []int{413, 202, 202}, statuses(srv), "the request was split in halves and resent")
	assert.Empty(t, srv.Check())
}

func TestExportRetriesRefusedCredentials(t *testing.T) {
	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: testAPIKey})
	// The key is refused twice (a Secret being fixed), then accepted.
	srv.Inject(langsmithtest.Fault{Status: http.StatusUnauthorized, Times: 2})
	exp, logs := newTestExporter(t, srv.URL(), false, func(c *Config) { c.RetryConfig.MaxElapsedTime = 2 * time.Second })
	td := recordings.MustLoad(t, "autogen-0.7.5-reference")
	start := time.Now()
	require.NoError(t, exp.ConsumeTraces(context.Background(), td))
	assert.Len(t, srv.Runs(), td.SpanCount(), "no run is lost to a 401")
	assert.Equal(t, []int{401, 401, 202}, statuses(srv))
	assert.GreaterOrEqual(t, time.Since(start), 2*send.AuthRetryDelayFor(configretry.BackOffConfig{MaxElapsedTime: 2 * time.Second}),
		"retried with the slow credentials backoff")
	assert.Len(t, logs.FilterMessageSnippet("LangSmith refused the credentials").All(), 1, "logged once, not per request")
	for _, e := range logs.All() {
		assert.NotContains(t, e.Message+fmt.Sprint(e.ContextMap()), testAPIKey, "the key never reaches the logs")
	}
}

func TestExportOrgScopedKeyNeedsWorkspace(t *testing.T) {
	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: testAPIKey, OrgScopedKeys: []string{testAPIKey}})
	exp, _ := newTestExporter(t, srv.URL(), false, func(c *Config) { c.RetryConfig.MaxElapsedTime = 400 * time.Millisecond })
	err := exp.ConsumeTraces(context.Background(), recordings.MustLoad(t, "autogen-0.7.5-reference"))
	require.Error(t, err)
	assert.False(t, consumererror.IsPermanent(err), "kept for retries until max_elapsed_time")
	assert.Contains(t, err.Error(), "workspace_id")

	exp2, _ := newTestExporter(t, srv.URL(), false, func(c *Config) { c.WorkspaceID = "2d1c6c0e-8f0a-4b7e-9a55-8c8a3a1f2b10" })
	td := recordings.MustLoad(t, "autogen-0.7.5-reference")
	require.NoError(t, exp2.ConsumeTraces(context.Background(), td))
	require.Len(t, srv.Runs(), td.SpanCount())
	assert.Equal(t, "2d1c6c0e-8f0a-4b7e-9a55-8c8a3a1f2b10", srv.Runs()[0].TenantID)
}

func TestExportFallsBackToBatchEndpointOn404(t *testing.T) {
	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: testAPIKey, MultipartDisabled: true})
	exp, _ := newTestExporter(t, srv.URL(), false, nil)
	td := recordings.MustLoad(t, "autogen-0.7.5-reference")
	require.NoError(t, exp.ConsumeTraces(context.Background(), td))
	assert.Len(t, srv.Runs(), td.SpanCount())
	assert.Empty(t, srv.Violations())
	var paths []string
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, "/runs") {
			paths = append(paths, r.Path)
		}
	}
	assert.Equal(t, "/runs/multipart", paths[0])
	assert.Equal(t, "/runs/batch", paths[len(paths)-1])
}

func TestExportWithQueueDeliversEverything(t *testing.T) {
	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: testAPIKey})
	srv.Inject(langsmithtest.Fault{Status: 503})
	exp, _ := newTestExporter(t, srv.URL(), true, nil)
	want := 0
	for i := 0; i < 3; i++ {
		td := recordings.MustLoad(t, "autogen-0.7.5-reference")
		// Three distinct traces: give each its own trace id.
		spanwalk.SetTraceID(td, pcommon.TraceID{byte(i + 1), 1})
		want += td.SpanCount()
		require.NoError(t, exp.ConsumeTraces(context.Background(), td))
	}
	require.True(t, srv.WaitForRuns(want, 15*time.Second), "got %d of %d runs", len(srv.Runs()), want)
	assert.Empty(t, srv.Violations())
	assert.Empty(t, srv.Check())
}

func TestExportRefusedRunCostsOnlyItself(t *testing.T) {
	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: testAPIKey, RefuseRunNames: []string{"percentage_change"}})
	exp, logs := newTestExporter(t, srv.URL(), false, nil)
	td := recordings.MustLoad(t, "autogen-0.7.5-reference")
	err := exp.ConsumeTraces(context.Background(), td)
	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err), "the refused run is not retried: %v", err)
	runs := srv.Runs()
	assert.Len(t, runs, td.SpanCount()-1, "every other run delivered")
	for _, r := range runs {
		assert.NotEqual(t, "percentage_change", r.Name)
	}
	refused := logs.FilterMessage("LangSmith refused a run").All()
	require.Len(t, refused, 1)
	assert.Contains(t, fmt.Sprint(refused[0].ContextMap()["response"]), "RefuseRunNames", "the server's message is logged")
	assert.Contains(t, statuses(srv), 400)
}

// LangSmith refuses runs beyond 25,000 in one trace; the exporter continues
// such a trace in a new one instead of losing the extra runs.
func TestExportTraceBeyondLangSmithsRunLimit(t *testing.T) {
	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: testAPIKey})
	exp, _ := newTestExporter(t, srv.URL(), false, nil)
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const total = place.MaxRunsPerTrace + 10
	for i := 0; i < total; i++ {
		s := spans.AppendEmpty()
		s.SetTraceID(pcommon.TraceID{9})
		s.SetSpanID(pcommon.SpanID{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i), 1})
		if i > 0 {
			s.SetParentSpanID(pcommon.SpanID{0, 0, 0, 0, 1})
		}
		s.SetName("step")
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(i) * time.Microsecond)))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Hour)))
	}
	require.NoError(t, exp.ConsumeTraces(context.Background(), td))
	assert.Len(t, srv.Runs(), total, "no run lost")
	assert.Empty(t, srv.Violations())
	assert.Empty(t, srv.Check())
	traces := map[string]int{}
	for _, r := range srv.Runs() {
		traces[r.TraceID]++
	}
	assert.Len(t, traces, 11, "one full trace, then each extra child continues in a trace of its own")
}
