package langsmithexporter

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
)

const (
	defaultEndpoint = "https://api.smith.langchain.com"
	defaultProject  = "default"
)

// Config is the langsmith exporter's configuration.
type Config struct {
	// ClientConfig holds endpoint, timeout, TLS, headers, proxy and
	// compression (zstd by default; gzip or none).
	confighttp.ClientConfig `mapstructure:",squash"`
	QueueConfig             configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	RetryConfig             configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`

	// APIKey is sent as x-api-key.
	APIKey configopaque.String `mapstructure:"api_key"`
	// WorkspaceID is sent as X-Tenant-Id; required by org-scoped keys.
	WorkspaceID string `mapstructure:"workspace_id"`
	// Project is the LangSmith project of runs that name none themselves.
	Project string `mapstructure:"project"`
	// ProjectAttributes are span then resource attributes, tried in order,
	// whose value names a run's project.
	ProjectAttributes []string `mapstructure:"project_attributes"`
	// Projects gives some projects their own credentials, so that one
	// exporter serves several teams or workspaces.
	Projects map[string]ProjectCredentials `mapstructure:"projects"`
	// ThreadIDAttribute names the span attribute whose value becomes the
	// thread_id metadata of every run of the trace.
	ThreadIDAttribute string `mapstructure:"thread_id_attribute"`
	// MaxRunsPerRequest and MaxRequestBytes cap a request below what the
	// server's /info allows; 0 means "what /info says".
	MaxRunsPerRequest int `mapstructure:"max_runs_per_request"`
	MaxRequestBytes   int `mapstructure:"max_request_bytes"`
}

// ProjectCredentials overrides the credentials of one project.
type ProjectCredentials struct {
	APIKey      configopaque.String `mapstructure:"api_key"`
	WorkspaceID string              `mapstructure:"workspace_id"`
}

var _ component.Config = (*Config)(nil)

// Validate rejects what LangSmith would reject, naming the key at fault.
func (cfg *Config) Validate() error {
	var errs []error
	if err := validateEndpoint(cfg.Endpoint); err != nil {
		errs = append(errs, err)
	}
	if strings.TrimSpace(string(cfg.APIKey)) == "" {
		errs = append(errs, errors.New("api_key: must be set (LangSmith rejects unauthenticated requests); use ${env:LANGSMITH_API_KEY}"))
	}
	if strings.TrimSpace(cfg.Project) == "" {
		errs = append(errs, errors.New("project: must not be empty"))
	}
	for i, attr := range cfg.ProjectAttributes {
		if strings.TrimSpace(attr) == "" {
			errs = append(errs, fmt.Errorf("project_attributes[%d]: must not be empty", i))
		}
	}
	for name, p := range cfg.Projects {
		if strings.TrimSpace(name) == "" {
			errs = append(errs, errors.New("projects: a project name must not be empty"))
		}
		if p.APIKey == "" && p.WorkspaceID == "" {
			errs = append(errs, fmt.Errorf("projects::%s: set api_key or workspace_id", name))
		}
	}
	switch cfg.Compression {
	case "", configcompression.TypeZstd, configcompression.TypeGzip, "none":
	default:
		errs = append(errs, fmt.Errorf("compression: %q is not supported by LangSmith; use zstd, gzip or none", cfg.Compression))
	}
	if cfg.MaxRunsPerRequest < 0 {
		errs = append(errs, errors.New("max_runs_per_request: must not be negative"))
	}
	if cfg.MaxRequestBytes < 0 {
		errs = append(errs, errors.New("max_request_bytes: must not be negative"))
	} else if cfg.MaxRequestBytes > 0 && cfg.MaxRequestBytes < 64*1024 {
		errs = append(errs, errors.New("max_request_bytes: must be at least 65536 so that a run fits in a request"))
	}
	if cfg.Timeout < 0 {
		errs = append(errs, errors.New("timeout: must not be negative"))
	}
	return errors.Join(errs...)
}

func validateEndpoint(endpoint string) error {
	if endpoint == "" {
		return errors.New("endpoint: must be set, e.g. " + defaultEndpoint)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return fmt.Errorf("endpoint: %q is not a URL: %w", endpoint, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("endpoint: %q must start with https:// (or http:// for a local server)", endpoint)
	}
	if u.Host == "" {
		return fmt.Errorf("endpoint: %q has no host", endpoint)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("endpoint: %q must not carry a query or fragment", endpoint)
	}
	return nil
}

// tenantFor returns the credentials of a project.
func (cfg *Config) tenantFor(project string) runmap.Tenant {
	t := runmap.Tenant{APIKey: string(cfg.APIKey), WorkspaceID: cfg.WorkspaceID}
	if p, ok := cfg.Projects[project]; ok {
		if p.APIKey != "" {
			t.APIKey = string(p.APIKey)
		}
		if p.WorkspaceID != "" {
			t.WorkspaceID = p.WorkspaceID
		}
	}
	return t
}
