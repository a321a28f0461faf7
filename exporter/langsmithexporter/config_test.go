package langsmithexporter

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/metadata"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestDefaultConfig(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	assert.Equal(t, "https://api.smith.langchain.com", cfg.Endpoint)
	assert.Equal(t, "default", cfg.Project)
	assert.Equal(t, configcompression.TypeZstd, cfg.Compression)
	assert.True(t, cfg.QueueConfig.HasValue())
	assert.True(t, cfg.QueueConfig.Get().Batch.HasValue(), "runs of small traces share requests by default")
	err := confmap.Validate(cfg)
	require.Error(t, err, "the default config has no API key")
	assert.Contains(t, err.Error(), "api_key")
}

func TestLoadConfig(t *testing.T) {
	cfg := loadConfig(t, "full")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, "https://eu.api.smith.langchain.com", cfg.Endpoint)
	assert.Equal(t, "[REDACTED]", cfg.APIKey.String(), "the key never prints")
	assert.Equal(t, "full-key", string(cfg.APIKey))
	assert.Equal(t, "agents", cfg.Project)
	assert.Equal(t, []string{"langsmith.project", "k8s.namespace.name"}, cfg.ProjectAttributes)
	assert.Equal(t, "session.id", cfg.ThreadIDAttribute)
	assert.Equal(t, 50, cfg.MaxRunsPerRequest)
	assert.Equal(t, 10*time.Second, cfg.Timeout)
	assert.Equal(t, configcompression.TypeGzip, cfg.Compression)
	assert.Equal(t, int64(500), cfg.QueueConfig.Get().QueueSize)
	assert.Equal(t, time.Minute, cfg.RetryConfig.MaxElapsedTime)

	assert.Equal(t, runmap.Tenant{APIKey: "team-a-key", WorkspaceID: "2d1c6c0e-8f0a-4b7e-9a55-8c8a3a1f2b10"}, cfg.tenantFor("team-a"))
	assert.Equal(t, runmap.Tenant{APIKey: "full-key", WorkspaceID: "6a0f2c3b-1111-4a4a-8b8b-123456789abc"}, cfg.tenantFor("team-b"))
	assert.Equal(t, runmap.Tenant{APIKey: "full-key", WorkspaceID: "2d1c6c0e-8f0a-4b7e-9a55-8c8a3a1f2b10"}, cfg.tenantFor("other"))

	require.NoError(t, confmap.Validate(loadConfig(t, "")))
}

func TestConfigValidateNamesTheKey(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   string
	}{
		{"no key", func(c *Config) { c.APIKey = "" }, "api_key"},
		{"blank key", func(c *Config) { c.APIKey = "  " }, "api_key"},
		{"no endpoint", func(c *Config) { c.Endpoint = "" }, "endpoint"},
		{"not a url", func(c *Config) { c.Endpoint = "://x" }, "endpoint"},
		{"bad scheme", func(c *Config) { c.Endpoint = "ftp://api.smith.langchain.com" }, "endpoint"},
		{"no host", func(c *Config) { c.Endpoint = "https://" }, "endpoint"},
		{"query", func(c *Config) { c.Endpoint = "https://x.example/?a=b" }, "endpoint"},
		{"empty project", func(c *Config) { c.Project = "" }, "project"},
		{"empty project attribute", func(c *Config) { c.ProjectAttributes = []string{""} }, "project_attributes[0]"},
		{"empty project credentials", func(c *Config) { c.Projects = map[string]ProjectCredentials{"a": {}} }, "projects::a"},
		{"bad compression", func(c *Config) { c.Compression = configcompression.TypeSnappy }, "compression"},
		{"negative runs", func(c *Config) { c.MaxRunsPerRequest = -1 }, "max_runs_per_request"},
		{"tiny bytes", func(c *Config) { c.MaxRequestBytes = 10 }, "max_request_bytes"},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			cfg.APIKey = "k"
			require.NoError(t, cfg.Validate())
			tt.modify(cfg)
			err := cfg.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
