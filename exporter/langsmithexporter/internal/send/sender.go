// Package send is the exporter's last stage: it posts runs to LangSmith
// within the server's per-request limits, reads LangSmith's answers, and
// tells exporterhelper which failures a retry can fix.
package send

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/config/configretry"
	"go.uber.org/zap"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/encode"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/metadata"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
)

const (
	// exporterVersion goes into the User-Agent; keep it in step with the
	// distribution's version in builder-config.yaml.
	exporterVersion = "0.1.0"
	userAgent       = "otelcol-langsmith/" + exporterVersion

	multipartPath = "/runs/multipart"
	batchPath     = "/runs/batch"

	// maxDrainBody bounds how much of a response is read, so that the
	// connection can be reused without trusting the server's size.
	maxDrainBody = 64 << 10
	// maxLoggedBody bounds the server message kept for logs and errors.
	maxLoggedBody = 2 << 10
	// maxRetryAfter caps a server's Retry-After, so that a bogus value can
	// neither overflow a Duration nor park the queue for days.
	maxRetryAfter = time.Hour
	// maxErrorsInMessage bounds how many chunk errors one returned error lists.
	maxErrorsInMessage = 5
	// settledRunsLimit bounds the ids remembered as delivered or refused.
	settledRunsLimit = 100_000
)

// Values of the metrics' attributes.
const (
	endpointMultipart = "multipart"
	endpointBatch     = "batch"

	reasonRejectedByServer = "rejected_by_server"
	reasonTooLarge         = "too_large"
)

// Config is the part of the exporter's configuration the sender reads.
type Config struct {
	Endpoint    string
	Compression configcompression.Type
	// MaxRunsPerRequest and MaxRequestBytes cap a request below what the
	// server's /info allows; 0 means "what /info says".
	MaxRunsPerRequest int
	MaxRequestBytes   int
	RetryConfig       configretry.BackOffConfig
}

// Sender posts runs to LangSmith, within the server's per-request limits,
// and tells exporterhelper which failures a retry can fix. It is safe for
// concurrent use by several queue consumers.
type Sender struct {
	cfg     *Config
	client  *http.Client
	logger  *zap.Logger
	tb      *metadata.TelemetryBuilder
	baseURL string
	info    *serverInfoCache
	comp    *encode.Compressor
	// boundary draws a multipart boundary; tests fix it.
	boundary func([]*encode.EncodedRun) string
	now      func() time.Time

	// settled are runs already delivered or refused for good.
	settled *settledRuns

	// auth tracks credentials LangSmith refuses (auth_refusal.go).
	auth authRefusals

	// useBatch is set for good once /runs/multipart is known to be missing.
	useBatch     atomic.Bool
	batchWarning sync.Once
}

// New returns a sender that posts to cfg.Endpoint through client.
func New(cfg *Config, client *http.Client, logger *zap.Logger, tb *metadata.TelemetryBuilder) *Sender {
	base := strings.TrimRight(cfg.Endpoint, "/")
	return &Sender{
		cfg:      cfg,
		client:   client,
		logger:   logger,
		tb:       tb,
		baseURL:  base,
		info:     newServerInfoCache(base, client, logger),
		comp:     encode.NewCompressor(),
		boundary: encode.NewBoundary,
		now:      time.Now,
		settled:  newSettledRuns(settledRunsLimit),
	}
}

// Send delivers runs (already complete: ids, dotted_order, fields set). It
// returns nil when every run was accepted (or already stored: 409), a
// retryable error (a throttle error when the server gave Retry-After) when a
// retry may succeed, or a permanent error when no retry can help.
//
// Every chunk is attempted even when an earlier one failed; a retry of the
// whole batch then meets 409 for the delivered runs, which counts as
// delivered since run ids are deterministic.
func (s *Sender) Send(ctx context.Context, runs []*runmap.Run) error {
	runs = s.settled.unsettled(runs)
	if len(runs) == 0 {
		return nil
	}
	info := s.info.get(ctx, s.headers(runs[0].Tenant))
	if !info.UseMultipart && !s.useBatch.Load() {
		s.switchToBatch("the server's /info sets use_multipart_endpoint=false")
	}
	maxRuns, maxBytes := s.limits(info)
	encoding := chooseEncoding(s.cfg.Compression, info)

	res := &sendResult{}
	for _, group := range groupByTenant(runs) {
		chunks := s.plan(ctx, group.runs, maxRuns, maxBytes, res)
		for _, chunk := range chunks {
			if err := ctx.Err(); err != nil {
				res.retry(fmt.Errorf("sending to LangSmith interrupted: %w", err), 0)
				return res.err()
			}
			if authFailed := s.deliver(ctx, group.tenant, chunk, encoding, res); authFailed {
				// The same key will be refused again: spare the server. The
				// retry of the whole send carries the rest.
				break
			}
		}
	}
	return res.err()
}

// limits are the server's per-request limits, lowered by the config.
func (s *Sender) limits(info serverInfo) (maxRuns, maxBytes int) {
	maxRuns, maxBytes = info.SizeLimit, info.SizeLimitBytes
	if s.cfg.MaxRunsPerRequest > 0 && s.cfg.MaxRunsPerRequest < maxRuns {
		maxRuns = s.cfg.MaxRunsPerRequest
	}
	if s.cfg.MaxRequestBytes > 0 && s.cfg.MaxRequestBytes < maxBytes {
		maxBytes = s.cfg.MaxRequestBytes
	}
	return maxRuns, maxBytes
}

type tenantRuns struct {
	tenant runmap.Tenant
	runs   []*runmap.Run
}

// groupByTenant splits runs by credentials, keeping the order of first
// appearance so that requests go out in a predictable order.
func groupByTenant(runs []*runmap.Run) []tenantRuns {
	var groups []tenantRuns
	index := map[runmap.Tenant]int{}
	for _, r := range runs {
		i, ok := index[r.Tenant]
		if !ok {
			i = len(groups)
			index[r.Tenant] = i
			groups = append(groups, tenantRuns{tenant: r.Tenant})
		}
		groups[i].runs = append(groups[i].runs, r)
	}
	return groups
}

// plan encodes runs and cuts them into requests of at most maxRuns runs and
// maxBytes uncompressed bytes. Runs that cannot be sent at all are rejected
// here, permanently, and left out.
func (s *Sender) plan(ctx context.Context, runs []*runmap.Run, maxRuns, maxBytes int, res *sendResult) [][]*encode.EncodedRun {
	var chunks [][]*encode.EncodedRun
	var cur []*encode.EncodedRun
	curBytes := encode.ClosingSize(encode.BoundaryLen)
	for _, r := range runs {
		er, fieldErrs, err := encode.Run(r)
		if err != nil {
			s.logger.Error("Dropping a run that cannot be encoded",
				zap.String("run_name", r.Name), zap.String("trace_id", r.TraceID), zap.Error(err))
			s.rejected(ctx, reasonRejectedByServer, 1)
			res.permanent(err)
			continue
		}
		for _, ferr := range fieldErrs {
			s.logger.Warn("Replaced a run field that JSON cannot represent",
				zap.String("run_id", r.ID), zap.String("run_name", r.Name), zap.Error(ferr))
		}
		if er.Size+encode.ClosingSize(encode.BoundaryLen) > maxBytes {
			fitted, fer, ok := encode.FitRun(r, er, maxBytes)
			if !ok {
				s.logger.Error("Dropping a run larger than LangSmith's request size limit",
					zap.String("run_id", r.ID), zap.String("run_name", r.Name),
					zap.Int("run_bytes", er.Size), zap.Int("limit_bytes", maxBytes))
				s.rejected(ctx, reasonTooLarge, 1)
				res.permanent(fmt.Errorf("run %s is %d bytes, over the %d-byte request limit", r.ID, er.Size, maxBytes))
				continue
			}
			s.logger.Warn("Cut the largest fields of a run to fit LangSmith's request size limit",
				zap.String("run_id", r.ID), zap.String("run_name", r.Name),
				zap.Int("run_bytes", er.Size), zap.Int("sent_bytes", fer.Size), zap.Int("limit_bytes", maxBytes))
			r, er = fitted, fer
		}
		if len(cur) > 0 && (len(cur) >= maxRuns || curBytes+er.Size > maxBytes) {
			chunks = append(chunks, cur)
			cur, curBytes = nil, encode.ClosingSize(encode.BoundaryLen)
		}
		cur = append(cur, er)
		curBytes += er.Size
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	return chunks
}

// deliver sends one request and handles the answer, splitting the request
// where that helps. It reports whether the server refused the credentials.
func (s *Sender) deliver(ctx context.Context, t runmap.Tenant, runs []*encode.EncodedRun, encoding string, res *sendResult) (authFailed bool) {
	if err := ctx.Err(); err != nil {
		res.retry(fmt.Errorf("sending to LangSmith interrupted: %w", err), 0)
		return false
	}
	batch := s.useBatch.Load()
	ans, err := s.post(ctx, t, runs, encoding, batch)
	if err != nil {
		res.retry(fmt.Errorf("sending %d runs to LangSmith: %w", len(runs), err), 0)
		return false
	}
	status := ans.status
	switch {
	case status >= 200 && status < 300:
		s.settled.add(runs)
		s.sent(ctx, len(runs))
		s.authAccepted(ctx, t)
	case status == http.StatusConflict:
		// LangSmith may refuse a whole request when only some of its runs
		// are duplicates: split until each 409 is about one run.
		if len(runs) > 1 {
			return s.bisect(ctx, t, runs, encoding, res)
		}
		s.settled.add(runs)
		s.sent(ctx, 1)
		s.authAccepted(ctx, t)
	case status == http.StatusRequestEntityTooLarge:
		if len(runs) > 1 {
			return s.bisect(ctx, t, runs, encoding, res)
		}
		r := runs[0].Run
		s.logger.Error("LangSmith refused a run as too large (HTTP 413)",
			zap.String("run_id", r.ID), zap.String("run_name", r.Name),
			zap.Int("run_bytes", runs[0].Size), zap.String("response", ans.message))
		s.rejected(ctx, reasonTooLarge, 1)
		s.settled.add(runs)
		res.permanent(fmt.Errorf("LangSmith refused run %s (%d bytes) as too large (HTTP 413)", r.ID, runs[0].Size))
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		if len(runs) > 1 {
			return s.bisect(ctx, t, runs, encoding, res)
		}
		r := runs[0].Run
		s.logger.Error("LangSmith refused a run",
			zap.Int("status_code", status),
			zap.String("run_id", r.ID), zap.String("run_name", r.Name), zap.String("trace_id", r.TraceID),
			zap.String("response", ans.message))
		s.rejected(ctx, reasonRejectedByServer, 1)
		s.settled.add(runs)
		res.permanent(fmt.Errorf("LangSmith refused run %s (%q) with HTTP %d: %s", r.ID, r.Name, status, ans.message))
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		s.authRefused(ctx, status, ans.message, t, len(runs), res)
		return true
	case status == http.StatusNotFound && !batch:
		s.switchToBatch("the server answered 404 on " + multipartPath)
		return s.deliver(ctx, t, runs, encoding, res)
	case retryableStatus(status):
		err := fmt.Errorf("LangSmith answered HTTP %d to %d runs: %s", status, len(runs), ans.message)
		res.retry(err, ans.retryAfter)
	default:
		path := multipartPath
		if batch {
			path = batchPath
		}
		err := fmt.Errorf("LangSmith answered HTTP %d on %s%s (check the endpoint): %s", status, s.baseURL, path, ans.message)
		s.logger.Error("Dropping runs LangSmith refused", zap.Int("runs", len(runs)), zap.Error(err))
		s.rejected(ctx, reasonRejectedByServer, len(runs))
		res.permanent(err)
	}
	return false
}

// bisect resends each half of runs on its own.
func (s *Sender) bisect(ctx context.Context, t runmap.Tenant, runs []*encode.EncodedRun, encoding string, res *sendResult) bool {
	half := len(runs) / 2
	if s.deliver(ctx, t, runs[:half], encoding, res) {
		return true
	}
	return s.deliver(ctx, t, runs[half:], encoding, res)
}

func (s *Sender) switchToBatch(why string) {
	s.useBatch.Store(true)
	s.batchWarning.Do(func() {
		s.logger.Warn("Using LangSmith's "+batchPath+" endpoint from now on", zap.String("reason", why))
	})
}

func retryableStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	}
	return status >= 500
}

// authError explains a 401 or 403 without ever showing the key.
func authError(status int, message string, t runmap.Tenant) error {
	hint := "check api_key (and the api_key of the run's project under projects)"
	if status == http.StatusForbidden || strings.Contains(message, "org_scoped_key_requires_workspace") {
		if t.WorkspaceID == "" {
			hint = "the API key has no access without a workspace: if it is an organisation-scoped key, set workspace_id (sent as X-Tenant-Id)"
		} else {
			hint = fmt.Sprintf("the API key has no access to workspace %s: check api_key and workspace_id (sent as X-Tenant-Id)", t.WorkspaceID)
		}
	}
	if t.APIKey != "" {
		message = strings.ReplaceAll(message, t.APIKey, "[REDACTED]")
	}
	return fmt.Errorf("LangSmith refused the API key (HTTP %d): %s; server said: %s", status, hint, message)
}
