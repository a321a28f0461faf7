package langsmithtest

import (
	"time"
)

// Defaults of a LangSmith SaaS instance (OpenAPI BatchIngestConfig) and of this server.
const (
	DefaultSizeLimit       = 100
	DefaultSizeLimitBytes  = 20971520
	DefaultMaxRunsPerTrace = 25000
	DefaultMaxLifetime     = 10 * time.Minute
	DefaultAddr            = "127.0.0.1:0"
)

// Options configure a Server. The zero value behaves like LangSmith SaaS accepting any API key.
type Options struct {
	// Addr is the listen address; it must be a loopback address (default 127.0.0.1:0).
	Addr string
	// APIKey, if set, is the only accepted x-api-key besides OrgScopedKeys. If empty, any
	// non-empty key is accepted. A missing key is always 401.
	APIKey string
	// OrgScopedKeys are keys that require an X-Tenant-Id header (403 without it).
	OrgScopedKeys []string
	// Info is the body of GET /info; nil means DefaultInfo().
	Info *Info
	// DisableInfo makes GET /info answer 404, like a server without the route.
	DisableInfo bool
	// MultipartDisabled makes POST /runs/multipart answer 404 (old self-hosted); /runs/batch works.
	MultipartDisabled bool
	// MaxBodyBytes: an uncompressed body above it is answered 413. 0 means 2*size_limit_bytes.
	MaxBodyBytes int64
	// MaxRunsPerTrace caps the runs of one trace (0 means LangSmith's 25,000).
	MaxRunsPerTrace int
	// RefuseRunNames makes the server refuse (400) any request carrying a run of one of
	// these names, as LangSmith refuses a run it finds invalid, so that tests can check
	// that one bad run costs only itself.
	RefuseRunNames []string
	// MaxLifetime: the server closes itself after it (0 means DefaultMaxLifetime).
	MaxLifetime time.Duration
	// Control mounts the /_test/ control endpoints (see ControlHandler) on the same listener.
	Control bool
	// Logf, if set, gets one line per request.
	Logf func(format string, args ...any)
}

// Info mirrors the JSON of GET /info.
type Info struct {
	Version               string            `json:"version"`
	LicenseExpirationTime *string           `json:"license_expiration_time"`
	BatchIngestConfig     BatchIngestConfig `json:"batch_ingest_config"`
	InstanceFlags         map[string]any    `json:"instance_flags"`
	CustomerInfo          map[string]any    `json:"customer_info,omitempty"`
	SDKVersions           map[string]any    `json:"sdk_versions,omitempty"`
	GitSHA                string            `json:"git_sha,omitempty"`
}

// BatchIngestConfig mirrors /info's batch_ingest_config.
type BatchIngestConfig struct {
	UseMultipartEndpoint   bool  `json:"use_multipart_endpoint"`
	ScaleUpQsizeTrigger    int   `json:"scale_up_qsize_trigger"`
	ScaleUpNthreadsLimit   int   `json:"scale_up_nthreads_limit"`
	ScaleDownNemptyTrigger int   `json:"scale_down_nempty_trigger"`
	SizeLimit              int   `json:"size_limit"`
	SizeLimitBytes         int64 `json:"size_limit_bytes"`
}

// Instance flag names the server honours.
const (
	FlagZstd = "zstd_compression_enabled"
	FlagGzip = "gzip_body_enabled"
)

// DefaultInfo returns LangSmith's defaults: size_limit 100, size_limit_bytes 20 MiB, zstd and gzip
// enabled, multipart endpoint on.
func DefaultInfo() *Info {
	return &Info{
		Version: "0.12.0-langsmithtest",
		BatchIngestConfig: BatchIngestConfig{
			UseMultipartEndpoint:   true,
			ScaleUpQsizeTrigger:    1000,
			ScaleUpNthreadsLimit:   16,
			ScaleDownNemptyTrigger: 4,
			SizeLimit:              DefaultSizeLimit,
			SizeLimitBytes:         DefaultSizeLimitBytes,
		},
		InstanceFlags: map[string]any{FlagZstd: true, FlagGzip: true},
	}
}

// limits are the effective numbers derived from Options, fixed at Start.
type limits struct {
	sizeLimit       int
	sizeLimitBytes  int64
	maxBodyBytes    int64
	maxRunsPerTrace int
	useMultipart    bool
	zstdEnabled     bool
	gzipEnabled     bool
	refuseNames     map[string]bool
}

func (o Options) limits() limits {
	info := o.Info
	if info == nil {
		info = DefaultInfo()
	}
	l := limits{
		sizeLimit:       info.BatchIngestConfig.SizeLimit,
		sizeLimitBytes:  info.BatchIngestConfig.SizeLimitBytes,
		maxBodyBytes:    o.MaxBodyBytes,
		maxRunsPerTrace: o.MaxRunsPerTrace,
		useMultipart:    info.BatchIngestConfig.UseMultipartEndpoint,
		zstdEnabled:     flagOn(info.InstanceFlags, FlagZstd),
		gzipEnabled:     flagOn(info.InstanceFlags, FlagGzip),
	}
	for _, n := range o.RefuseRunNames {
		if l.refuseNames == nil {
			l.refuseNames = map[string]bool{}
		}
		l.refuseNames[n] = true
	}
	if l.sizeLimit <= 0 {
		l.sizeLimit = DefaultSizeLimit
	}
	if l.sizeLimitBytes <= 0 {
		l.sizeLimitBytes = DefaultSizeLimitBytes
	}
	if l.maxBodyBytes <= 0 {
		l.maxBodyBytes = 2 * l.sizeLimitBytes
	}
	if l.maxRunsPerTrace <= 0 {
		l.maxRunsPerTrace = DefaultMaxRunsPerTrace
	}
	return l
}

func flagOn(flags map[string]any, name string) bool {
	v, ok := flags[name].(bool)
	return ok && v
}
