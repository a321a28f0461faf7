package agentspanprocessor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	tests := []struct {
		id       component.ID
		expected *Config
	}{
		{id: component.NewID(metadata.Type), expected: createDefaultConfig().(*Config)},
		{
			id: component.NewIDWithName(metadata.Type, "custom"),
			expected: &Config{
				IdleTimeout:           2 * time.Second,
				CompletionGrace:       time.Second,
				MaxTraceDuration:      time.Minute,
				MaxTraces:             500,
				MaxSpansPerTrace:      1000,
				MaxBufferedBytes:      1 << 20,
				EmittedTraceCacheSize: 0,
				KeepPlumbing:          true,
				StitchLinkedTraces:    false,
				RetryOnRefusal:        RetryOnRefusalConfig{InitialInterval: 50 * time.Millisecond, MaxInterval: 2 * time.Second},
				ShutdownTimeout:       20 * time.Second,
				WaitForDelivery:       true,
				AutoMemoryLimit:       false,
				Kafka: KafkaConfig{
					Brokers:  []string{"kafka-0:9092", "kafka-1:9092"},
					SASL:     KafkaSASLConfig{Mechanism: "SCRAM-SHA-512", Username: "gateway", Password: "not-logged"},
					Lookback: KafkaLookbackConfig{Window: 2 * time.Minute, MaxBytes: defaultLookbackMaxBytes, Timeout: defaultLookbackTimeout},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := createDefaultConfig()
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			require.NoError(t, confmap.Validate(cfg))
			assert.Equal(t, tt.expected, cfg)
		})
	}
}

func TestDefaultConfig(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, cfg.Validate())
	assert.Equal(t, 5*time.Second, cfg.IdleTimeout)
	assert.Equal(t, 5*time.Minute, cfg.MaxTraceDuration)
	assert.Equal(t, 10000, cfg.MaxTraces)
	assert.Equal(t, 25000, cfg.MaxSpansPerTrace)
	assert.Equal(t, int64(64<<20), cfg.MaxBufferedBytes)
	assert.Equal(t, 10000, cfg.EmittedTraceCacheSize)
	assert.False(t, cfg.KeepPlumbing)
	assert.True(t, cfg.StitchLinkedTraces)
	assert.Equal(t, RetryOnRefusalConfig{InitialInterval: 200 * time.Millisecond, MaxInterval: 5 * time.Second}, cfg.RetryOnRefusal)
	assert.Equal(t, 10*time.Second, cfg.ShutdownTimeout)
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{name: "negative grace", mutate: func(c *Config) { c.CompletionGrace = -time.Second }, wantErr: "completion_grace"},
		{name: "zero grace is valid", mutate: func(c *Config) { c.CompletionGrace = 0 }},
		{name: "zero retry interval", mutate: func(c *Config) { c.RetryOnRefusal.InitialInterval = 0 }, wantErr: "retry_on_refusal::initial_interval must be greater than 0, got 0s"},
		{
			name: "retry max below initial",
			mutate: func(c *Config) {
				c.RetryOnRefusal = RetryOnRefusalConfig{InitialInterval: time.Second, MaxInterval: time.Millisecond}
			},
			wantErr: "retry_on_refusal::max_interval (1ms) must not be shorter than retry_on_refusal::initial_interval (1s)",
		},
		{
			name:    "lookback without waiting for delivery",
			mutate:  func(c *Config) { c.Kafka.Brokers = []string{"kafka:9092"} },
			wantErr: "kafka needs wait_for_delivery: true",
		},
		{
			name: "lookback window zero",
			mutate: func(c *Config) {
				c.WaitForDelivery, c.Kafka.Brokers, c.Kafka.Lookback.Window = true, []string{"kafka:9092"}, 0
			},
			wantErr: "kafka::lookback::window must be greater than 0, got 0s",
		},
		{
			name:    "lookback empty broker",
			mutate:  func(c *Config) { c.WaitForDelivery, c.Kafka.Brokers = true, []string{""} },
			wantErr: "kafka::brokers[0] must not be empty",
		},
		{
			name: "unknown sasl mechanism",
			mutate: func(c *Config) {
				c.WaitForDelivery, c.Kafka.Brokers = true, []string{"kafka:9092"}
				c.Kafka.SASL = KafkaSASLConfig{Mechanism: "GSSAPI", Username: "gw"}
			},
			wantErr: `kafka::sasl::mechanism must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got "GSSAPI"`,
		},
		{
			name: "sasl without username",
			mutate: func(c *Config) {
				c.WaitForDelivery, c.Kafka.Brokers = true, []string{"kafka:9092"}
				c.Kafka.SASL = KafkaSASLConfig{Mechanism: "PLAIN"}
			},
			wantErr: "kafka::sasl::username must not be empty",
		},
		{name: "zero shutdown timeout", mutate: func(c *Config) { c.ShutdownTimeout = 0 }, wantErr: "shutdown_timeout must be greater than 0"},
		{name: "zero idle", mutate: func(c *Config) { c.IdleTimeout = 0 }, wantErr: "idle_timeout"},
		{name: "negative idle", mutate: func(c *Config) { c.IdleTimeout = -time.Second }, wantErr: "idle_timeout"},
		{name: "zero max duration", mutate: func(c *Config) { c.MaxTraceDuration = 0 }, wantErr: "max_trace_duration"},
		{
			name:    "max duration below idle",
			mutate:  func(c *Config) { c.IdleTimeout = time.Minute; c.MaxTraceDuration = time.Second },
			wantErr: "max_trace_duration (1s) must not be shorter than idle_timeout (1m0s)",
		},
		{name: "zero max traces", mutate: func(c *Config) { c.MaxTraces = 0 }, wantErr: "max_traces"},
		{name: "zero max spans", mutate: func(c *Config) { c.MaxSpansPerTrace = 0 }, wantErr: "max_spans_per_trace"},
		{name: "negative max bytes", mutate: func(c *Config) { c.MaxBufferedBytes = -1 }, wantErr: "max_buffered_bytes"},
		{name: "negative cache", mutate: func(c *Config) { c.EmittedTraceCacheSize = -1 }, wantErr: "emitted_trace_cache_size"},
		{name: "zero cache is valid", mutate: func(c *Config) { c.EmittedTraceCacheSize = 0 }},
		{name: "equal durations are valid", mutate: func(c *Config) { c.MaxTraceDuration = c.IdleTimeout }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			tt.mutate(cfg)
			err := cfg.Validate()
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestConfigValidateReportsEveryBadKey(t *testing.T) {
	cfg := &Config{MaxTraceDuration: -1, MaxBufferedBytes: 0, EmittedTraceCacheSize: -3}
	err := cfg.Validate()
	for _, key := range []string{"idle_timeout", "max_trace_duration", "max_traces", "max_spans_per_trace",
		"max_buffered_bytes", "emitted_trace_cache_size", "retry_on_refusal::initial_interval", "shutdown_timeout"} {
		assert.ErrorContains(t, err, key)
	}
}
