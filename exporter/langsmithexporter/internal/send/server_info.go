package send

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/collector/config/configcompression"
	"go.uber.org/zap"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/encode"
)

const (
	// DefaultMaxRunsPerRequest and defaultMaxRequestBytes are LangSmith's
	// documented fallbacks when /info does not answer.
	DefaultMaxRunsPerRequest = 100
	defaultMaxRequestBytes   = 20 * 1024 * 1024

	infoPath    = "/info"
	infoTimeout = 10 * time.Second
	// infoRetryInterval spaces out new /info attempts after a network error,
	// so that an unreachable server does not add a request to every send.
	infoRetryInterval = time.Minute
	// infoMaxBody bounds how much of an /info answer is read.
	infoMaxBody = 1 << 20
)

// serverInfo is what the exporter needs from GET /info.
type serverInfo struct {
	SizeLimit      int  // runs per request
	SizeLimitBytes int  // uncompressed bytes per request
	UseMultipart   bool // false: use /runs/batch
	ZstdEnabled    bool
	GzipEnabled    bool
}

// defaultServerInfo is what LangSmith's SDKs assume when /info does not
// answer (langsmith-api.md §1.4).
func defaultServerInfo() serverInfo {
	return serverInfo{
		SizeLimit:      DefaultMaxRunsPerRequest,
		SizeLimitBytes: defaultMaxRequestBytes,
		UseMultipart:   true,
		ZstdEnabled:    true,
		GzipEnabled:    true,
	}
}

// infoResponse mirrors the parts of /info we read; pointers tell a missing
// field (use the default) from a false or zero one.
type infoResponse struct {
	BatchIngestConfig *struct {
		UseMultipartEndpoint *bool `json:"use_multipart_endpoint"`
		SizeLimit            *int  `json:"size_limit"`
		SizeLimitBytes       *int  `json:"size_limit_bytes"`
	} `json:"batch_ingest_config"`
	InstanceFlags map[string]any `json:"instance_flags"`
}

// parseServerInfo reads an /info body, keeping the default of every field
// that is missing or nonsensical.
func parseServerInfo(body []byte) (serverInfo, error) {
	info := defaultServerInfo()
	var resp infoResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return info, fmt.Errorf("malformed /info response: %w", err)
	}
	if c := resp.BatchIngestConfig; c != nil {
		if c.UseMultipartEndpoint != nil {
			info.UseMultipart = *c.UseMultipartEndpoint
		}
		if c.SizeLimit != nil && *c.SizeLimit > 0 {
			info.SizeLimit = *c.SizeLimit
		}
		if c.SizeLimitBytes != nil && *c.SizeLimitBytes > 0 {
			info.SizeLimitBytes = *c.SizeLimitBytes
		}
	}
	// Flags are read leniently: an older server that omits a flag gets the
	// default rather than having compression turned off.
	if v, ok := resp.InstanceFlags["zstd_compression_enabled"].(bool); ok {
		info.ZstdEnabled = v
	}
	if v, ok := resp.InstanceFlags["gzip_body_enabled"].(bool); ok {
		info.GzipEnabled = v
	}
	return info, nil
}

// serverInfoCache fetches /info once. A network failure or 5xx (the server
// may not be up yet) is retried on a later send, at most once per infoRetryInterval;
// an HTTP error or a malformed answer is final and the defaults are kept.
type serverInfoCache struct {
	url     string
	client  *http.Client
	logger  *zap.Logger
	now     func() time.Time
	timeout time.Duration

	mu          sync.Mutex
	done        bool
	info        serverInfo
	lastAttempt time.Time
}

func newServerInfoCache(baseURL string, client *http.Client, logger *zap.Logger) *serverInfoCache {
	return &serverInfoCache{
		url:     baseURL + infoPath,
		client:  client,
		logger:  logger,
		now:     time.Now,
		timeout: infoTimeout,
		info:    defaultServerInfo(),
	}
}

// get returns the server's info, fetching it if needed. It never fails:
// without an answer it returns the defaults. Concurrent callers wait for a
// fetch in progress rather than starting their own.
func (c *serverInfoCache) get(ctx context.Context, header http.Header) serverInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return c.info
	}
	if !c.lastAttempt.IsZero() && c.now().Sub(c.lastAttempt) < infoRetryInterval {
		return c.info
	}
	info, err := c.fetch(ctx, header)
	var transient *infoTransientError
	switch {
	case err == nil:
		c.done, c.info = true, info
		c.logger.Debug("LangSmith /info read",
			zap.Int("size_limit", info.SizeLimit),
			zap.Int("size_limit_bytes", info.SizeLimitBytes),
			zap.Bool("use_multipart_endpoint", info.UseMultipart),
			zap.Bool("zstd_compression_enabled", info.ZstdEnabled),
			zap.Bool("gzip_body_enabled", info.GzipEnabled))
	case errors.As(err, &transient):
		// The caller's own cancellation says nothing about the server:
		// let the next send try again at once.
		if ctx.Err() == nil {
			c.lastAttempt = c.now()
		}
		c.logger.Warn("Could not reach LangSmith /info; using default limits and retrying later", zap.Error(err))
	default:
		c.done = true
		c.logger.Warn("LangSmith /info gave no usable answer; using default limits", zap.Error(err))
	}
	return c.info
}

// infoTransientError marks a failure that a later attempt may not meet: no
// HTTP answer at all, or a 5xx.
type infoTransientError struct{ err error }

func (e *infoTransientError) Error() string { return e.err.Error() }
func (e *infoTransientError) Unwrap() error { return e.err }

func (c *serverInfoCache) fetch(ctx context.Context, header http.Header) (serverInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, http.NoBody)
	if err != nil {
		return defaultServerInfo(), fmt.Errorf("build /info request: %w", err)
	}
	req.Header = header.Clone()
	resp, err := c.client.Do(req)
	if err != nil {
		return defaultServerInfo(), &infoTransientError{fmt.Errorf("GET /info: %w", err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, infoMaxBody))
	if err != nil {
		return defaultServerInfo(), &infoTransientError{fmt.Errorf("read /info response: %w", err)}
	}
	if resp.StatusCode >= 500 {
		return defaultServerInfo(), &infoTransientError{fmt.Errorf("GET /info: HTTP %d", resp.StatusCode)}
	}
	if resp.StatusCode != http.StatusOK {
		return defaultServerInfo(), fmt.Errorf("GET /info: HTTP %d", resp.StatusCode)
	}
	return parseServerInfo(body)
}

// chooseEncoding returns the Content-Encoding to use given what the user
// configured and what the server's /info says it accepts. A server that
// refuses zstd gets gzip when it takes gzip, else an uncompressed body.
func chooseEncoding(configured configcompression.Type, info serverInfo) string {
	switch configured {
	case configcompression.TypeZstd:
		if info.ZstdEnabled {
			return encode.EncodingZstd
		}
		if info.GzipEnabled {
			return encode.EncodingGzip
		}
		return encode.EncodingNone
	case configcompression.TypeGzip:
		if info.GzipEnabled {
			return encode.EncodingGzip
		}
		return encode.EncodingNone
	default:
		return encode.EncodingNone
	}
}
