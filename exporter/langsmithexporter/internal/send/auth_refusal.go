package send

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/config/configretry"
	"go.uber.org/zap"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
)

// A 401 or 403 means a rotated or mistyped key (or a missing workspace_id),
// which an operator fixes and restarts for. Dropping the runs would lose the
// whole outage, so they are retried slowly instead, within
// retry_on_failure::max_elapsed_time, and a persistent sending_queue keeps
// them across the restart that brings the fixed key.

const (
	// authRetryDelay paces retries with refused credentials: a fix takes an
	// operator, so retrying often only costs requests.
	authRetryDelay = time.Minute
	// authLogInterval: the hint is logged at most this often, not per request.
	authLogInterval = time.Minute
)

// AuthRetryDelayFor keeps a few retries within max_elapsed_time: the retry
// sender gives up at once when the next delay would pass it.
func AuthRetryDelayFor(rc configretry.BackOffConfig) time.Duration {
	d := max(authRetryDelay, rc.MaxInterval)
	if rc.MaxElapsedTime > 0 {
		d = min(d, rc.MaxElapsedTime/4)
	}
	return d
}

// authRefusals tracks which credentials LangSmith currently refuses, for the
// credentials_refused metric and the rate-limited log.
type authRefusals struct {
	mu      sync.Mutex
	refused map[runmap.Tenant]bool
	lastLog time.Time
	// unlogged counts refused requests since the last log line.
	unlogged int
}

// refuse records a refused request; it reports whether to log now and how
// many refused requests the log line stands for.
func (a *authRefusals) refuse(t runmap.Tenant, now time.Time) (newlyRefused, log bool, requests int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.refused == nil {
		a.refused = map[runmap.Tenant]bool{}
	}
	newlyRefused = !a.refused[t]
	a.refused[t] = true
	a.unlogged++
	if !a.lastLog.IsZero() && now.Sub(a.lastLog) < authLogInterval {
		return newlyRefused, false, 0
	}
	a.lastLog, requests, a.unlogged = now, a.unlogged, 0
	return newlyRefused, true, requests
}

// accept records that LangSmith took the credentials; it reports whether they
// had been refused.
func (a *authRefusals) accept(t runmap.Tenant) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.refused[t] {
		return false
	}
	delete(a.refused, t)
	return true
}

// authRefused handles a 401 or 403: the runs stay for a slow retry.
func (s *Sender) authRefused(ctx context.Context, status int, message string, t runmap.Tenant, runs int, res *sendResult) {
	err := authError(status, message, t)
	newly, log, requests := s.auth.refuse(t, s.now())
	if newly {
		s.tb.ExporterLangsmithCredentialsRefused.Add(ctx, 1)
	}
	delay := AuthRetryDelayFor(s.cfg.RetryConfig)
	if log {
		s.logger.Error("LangSmith refused the credentials; keeping the runs and retrying slowly until retry_on_failure::max_elapsed_time "+
			"(with a persistent sending_queue, a restart with the fixed key delivers them)",
			zap.Int("runs", runs), zap.Int("refused_requests", requests), zap.String("workspace_id", t.WorkspaceID),
			zap.Duration("retry_delay", delay), zap.Error(err))
	}
	res.retry(err, delay)
}

// authAccepted clears a runmap.Tenant's refused state after a delivered request.
func (s *Sender) authAccepted(ctx context.Context, t runmap.Tenant) {
	if s.auth.accept(t) {
		s.tb.ExporterLangsmithCredentialsRefused.Add(ctx, -1)
		s.logger.Info("LangSmith accepts the credentials again", zap.String("workspace_id", t.WorkspaceID))
	}
}
