package send

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/metadatatest"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runtest"
)

func TestSendUnauthorizedKeepsRunsForRetry(t *testing.T) {
	tests := []struct {
		name          string
		status        int
		body          string
		workspaceHint bool
	}{
		{"401", http.StatusUnauthorized, `{"detail":"Invalid token"}`, false},
		{"401 org scoped", http.StatusUnauthorized, `{"error":"org_scoped_key_requires_workspace"}`, true},
		{"403", http.StatusForbidden, `{"error":"Forbidden"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newSenderFixture(t, func(c *Config) { c.MaxRunsPerRequest = 2 })
			var accepting atomic.Bool
			fx.fake.setRespond(func(*receivedRequest) (int, http.Header, string) {
				if accepting.Load() {
					return http.StatusAccepted, nil, `{}`
				}
				// A server that echoes the key must not get it into our logs.
				return tt.status, nil, tt.body + " key=secret-key-123"
			})
			runs := runtest.Runs(5, senderTestTenant)
			err := fx.s.Send(context.Background(), runs)
			require.Error(t, err)
			assert.False(t, consumererror.IsPermanent(err), "the runs are kept: %v", err)
			assert.True(t, isThrottle(err, authRetryDelay), "retried with the slow credentials backoff: %v", err)
			assert.Contains(t, err.Error(), "API key")
			assert.NotContains(t, err.Error(), "secret-key-123")
			if tt.workspaceHint {
				assert.Contains(t, err.Error(), "workspace_id")
				assert.Contains(t, err.Error(), "X-Tenant-Id")
			} else {
				assert.NotContains(t, err.Error(), "workspace_id")
			}
			assert.Len(t, fx.fake.received(), 1, "the other chunks of a refused key are not sent")

			// Retried within the minute: refused again, not logged again.
			require.Error(t, fx.s.Send(context.Background(), runs))
			assert.Len(t, fx.logs.FilterMessageSnippet("LangSmith refused the credentials").All(), 1, "logged once a minute, not per request")
			metadatatest.AssertEqualExporterLangsmithCredentialsRefused(t, fx.tel,
				[]metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
			_, rerr := fx.tel.GetMetric("otelcol_exporter_langsmith_runs_rejected")
			assert.Error(t, rerr, "no run is counted as rejected")

			// The key is fixed: every run is delivered, the metric clears.
			accepting.Store(true)
			require.NoError(t, fx.s.Send(context.Background(), runs))
			fx.assertRunsSent(t, 5)
			metadatatest.AssertEqualExporterLangsmithCredentialsRefused(t, fx.tel,
				[]metricdata.DataPoint[int64]{{Value: 0}}, metricdatatest.IgnoreTimestamp())
			for _, e := range fx.logs.All() {
				assert.NotContains(t, e.Message+fmt.Sprint(e.ContextMap()), "secret-key-123")
			}
		})
	}
}

func TestAuthRetryDelayFitsMaxElapsedTime(t *testing.T) {
	assert.Equal(t, time.Minute, AuthRetryDelayFor(configretry.BackOffConfig{MaxInterval: 30 * time.Second}), "no limit")
	assert.Equal(t, time.Minute, AuthRetryDelayFor(configretry.NewDefaultBackOffConfig()), "default 5m: four retries fit")
	assert.Equal(t, 15*time.Second, AuthRetryDelayFor(configretry.BackOffConfig{MaxInterval: time.Second, MaxElapsedTime: time.Minute}))
	assert.Equal(t, 2*time.Minute, AuthRetryDelayFor(configretry.BackOffConfig{MaxInterval: 2 * time.Minute, MaxElapsedTime: time.Hour}))
}

func TestAuthRefusalsLogOncePerInterval(t *testing.T) {
	var a authRefusals
	k := runmap.Tenant{APIKey: "k"}
	t0 := time.Unix(1000, 0)
	newly, log, n := a.refuse(k, t0)
	assert.True(t, newly)
	assert.True(t, log)
	assert.Equal(t, 1, n)
	for i := 1; i <= 3; i++ {
		newly, log, _ = a.refuse(k, t0.Add(time.Duration(i)*10*time.Second))
		assert.False(t, newly)
		assert.False(t, log)
	}
	_, log, n = a.refuse(k, t0.Add(authLogInterval))
	assert.True(t, log)
	assert.Equal(t, 4, n, "the line counts the requests it stands for")
	assert.True(t, a.accept(k))
	assert.False(t, a.accept(k))
}
