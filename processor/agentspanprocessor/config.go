package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configtls"
)

// Config is the agent_span processor's configuration.
type Config struct {
	// IdleTimeout is how long a trace whose root span has arrived must go
	// without new spans before it is considered complete.
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`
	// CompletionGrace is how long a trace whose root span has arrived and
	// whose spans all have their parent present waits for more spans.
	CompletionGrace time.Duration `mapstructure:"completion_grace"`
	// MaxTraceDuration is the longest a trace stays buffered, root or not.
	MaxTraceDuration time.Duration `mapstructure:"max_trace_duration"`
	// MaxTraces bounds the number of trace ids buffered at once.
	MaxTraces int `mapstructure:"max_traces"`
	// MaxSpansPerTrace bounds one (stitched) trace; LangSmith accepts at most
	// 25000 runs per trace.
	MaxSpansPerTrace int `mapstructure:"max_spans_per_trace"`
	// MaxBufferedBytes bounds the estimated heap of the spans held: buffered
	// and queued for the next consumer (memory_estimate.go).
	MaxBufferedBytes int64 `mapstructure:"max_buffered_bytes"`
	// EmittedTraceCacheSize is how many emitted traces are remembered so
	// that late spans can be placed under the right parent. 0 disables it.
	EmittedTraceCacheSize int `mapstructure:"emitted_trace_cache_size"`
	// KeepPlumbing leaves framework plumbing spans in place, for debugging.
	KeepPlumbing bool `mapstructure:"keep_plumbing"`
	// StitchLinkedTraces merges a trace whose root span links to a span of
	// another trace into that trace.
	StitchLinkedTraces bool `mapstructure:"stitch_linked_traces"`
	// RetryOnRefusal paces the re-offers of output the next consumer
	// refused with a retryable error.
	RetryOnRefusal RetryOnRefusalConfig `mapstructure:"retry_on_refusal"`
	// AutoMemoryLimit sets the Go soft memory limit from max_buffered_bytes
	// when GOMEMLIMIT is not set (memory_limit.go).
	AutoMemoryLimit bool `mapstructure:"auto_memory_limit"`
	// WaitForDelivery makes ConsumeTraces return only once the next consumer
	// took every span of the request, for receivers that commit what they
	// read when the call returns (kafka).
	WaitForDelivery bool `mapstructure:"wait_for_delivery"`
	// ShutdownTimeout bounds how long Shutdown keeps re-offering output the
	// next consumer refuses (the shutdown context's deadline too, if earlier).
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
	// Kafka is for gateways behind the kafka receiver (kafka_lookback.go,
	// kafka_forward.go). Off unless brokers are set.
	Kafka KafkaConfig `mapstructure:"kafka"`
}

// KafkaConfig: what agent_span does with the brokers its kafka receiver
// reads from.
type KafkaConfig struct {
	// Brokers are the seed brokers of the receiver's cluster.
	Brokers []string `mapstructure:"brokers"`
	// TLS for the brokers; plaintext unless set.
	TLS configoptional.Optional[configtls.ClientConfig] `mapstructure:"tls"`
	// SASL authenticates to the brokers; none unless a mechanism is set.
	SASL KafkaSASLConfig `mapstructure:"sasl"`
	// Lookback: a partition's next owner starts at the committed offset,
	// which can lie inside a trace the previous owner already sent whole (a
	// commit covers a prefix; traces interleave). The records of such traces
	// before that offset are read back so the trace is rebuilt whole, and
	// what was sent meets LangSmith's 409 instead of leaving a fragment.
	Lookback KafkaLookbackConfig `mapstructure:"lookback"`
	// ForwardLinkedTraces: a trace whose root links to a trace this
	// collector does not hold is written back to the topic under the linked
	// trace's key, so the replica that owns that partition stitches them.
	ForwardLinkedTraces bool `mapstructure:"forward_linked_traces"`
}

// KafkaSASLConfig: SASL/PLAIN or SCRAM with a username and password.
type KafkaSASLConfig struct {
	// Mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
	Mechanism string              `mapstructure:"mechanism"`
	Username  string              `mapstructure:"username"`
	Password  configopaque.String `mapstructure:"password"`
}

// KafkaLookbackConfig bounds the read back of a new partition.
type KafkaLookbackConfig struct {
	// Window is how far before a new assignment's first record to read: at
	// least the time between the first and the last record of a trace.
	Window time.Duration `mapstructure:"window"`
	// MaxBytes bounds the estimated heap of the records read back and held
	// until their traces continue, over all partitions (the oldest go first).
	MaxBytes int64 `mapstructure:"max_bytes"`
	// Timeout bounds one read back; a partition's records wait for it.
	Timeout time.Duration `mapstructure:"timeout"`
}

// enabled is true when brokers are set.
func (c KafkaConfig) enabled() bool { return len(c.Brokers) > 0 }

// RetryOnRefusalConfig is the exponential backoff between re-offers of
// refused output: initial_interval, doubled after each refusal up to
// max_interval, reset once the next consumer accepts again.
type RetryOnRefusalConfig struct {
	InitialInterval time.Duration `mapstructure:"initial_interval"`
	MaxInterval     time.Duration `mapstructure:"max_interval"`
}

const (
	defaultIdleTimeout           = 5 * time.Second
	defaultCompletionGrace       = 300 * time.Millisecond
	defaultMaxTraceDuration      = 5 * time.Minute
	defaultMaxTraces             = 10000
	defaultMaxSpansPerTrace      = 25000
	defaultMaxBufferedBytes      = 64 << 20
	defaultEmittedTraceCacheSize = 10000
	defaultRetryInitialInterval  = 200 * time.Millisecond
	defaultRetryMaxInterval      = 5 * time.Second
	defaultShutdownTimeout       = 10 * time.Second
	defaultLookbackWindow        = 5 * time.Minute
	defaultLookbackMaxBytes      = 64 << 20
	defaultLookbackTimeout       = 30 * time.Second
)

var _ component.Config = (*Config)(nil)

// Validate checks the configuration; every message names the offending key.
func (cfg *Config) Validate() error {
	var errs []error
	if cfg.IdleTimeout <= 0 {
		errs = append(errs, fmt.Errorf("idle_timeout must be greater than 0, got %s", cfg.IdleTimeout))
	}
	if cfg.CompletionGrace < 0 {
		errs = append(errs, fmt.Errorf("completion_grace must not be negative, got %s", cfg.CompletionGrace))
	}
	if cfg.MaxTraceDuration <= 0 {
		errs = append(errs, fmt.Errorf("max_trace_duration must be greater than 0, got %s", cfg.MaxTraceDuration))
	} else if cfg.MaxTraceDuration < cfg.IdleTimeout {
		errs = append(errs, fmt.Errorf("max_trace_duration (%s) must not be shorter than idle_timeout (%s)",
			cfg.MaxTraceDuration, cfg.IdleTimeout))
	}
	if cfg.MaxTraces <= 0 {
		errs = append(errs, fmt.Errorf("max_traces must be greater than 0, got %d", cfg.MaxTraces))
	}
	if cfg.MaxSpansPerTrace <= 0 {
		errs = append(errs, fmt.Errorf("max_spans_per_trace must be greater than 0, got %d", cfg.MaxSpansPerTrace))
	}
	if cfg.MaxBufferedBytes <= 0 {
		errs = append(errs, fmt.Errorf("max_buffered_bytes must be greater than 0, got %d", cfg.MaxBufferedBytes))
	}
	if cfg.EmittedTraceCacheSize < 0 {
		errs = append(errs, fmt.Errorf("emitted_trace_cache_size must not be negative, got %d", cfg.EmittedTraceCacheSize))
	}
	if r := cfg.RetryOnRefusal; r.InitialInterval <= 0 {
		errs = append(errs, fmt.Errorf("retry_on_refusal::initial_interval must be greater than 0, got %s", r.InitialInterval))
	} else if r.MaxInterval < r.InitialInterval {
		errs = append(errs, fmt.Errorf("retry_on_refusal::max_interval (%s) must not be shorter than retry_on_refusal::initial_interval (%s)",
			r.MaxInterval, r.InitialInterval))
	}
	if cfg.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("shutdown_timeout must be greater than 0, got %s", cfg.ShutdownTimeout))
	}
	if k := cfg.Kafka; k.enabled() {
		if !cfg.WaitForDelivery {
			errs = append(errs, errors.New("kafka needs wait_for_delivery: true (without it the receiver commits records whose traces are still buffered)"))
		}
		for i, b := range k.Brokers {
			if b == "" {
				errs = append(errs, fmt.Errorf("kafka::brokers[%d] must not be empty", i))
			}
		}
		if sa := k.SASL; sa.Mechanism != "" {
			if _, ok := saslMechanisms[sa.Mechanism]; !ok {
				errs = append(errs, fmt.Errorf("kafka::sasl::mechanism must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got %q", sa.Mechanism))
			}
			if sa.Username == "" {
				errs = append(errs, errors.New("kafka::sasl::username must not be empty"))
			}
		}
		if lb := k.Lookback; lb.Window <= 0 {
			errs = append(errs, fmt.Errorf("kafka::lookback::window must be greater than 0, got %s", lb.Window))
		}
		if lb := k.Lookback; lb.MaxBytes <= 0 {
			errs = append(errs, fmt.Errorf("kafka::lookback::max_bytes must be greater than 0, got %d", lb.MaxBytes))
		}
		if lb := k.Lookback; lb.Timeout <= 0 {
			errs = append(errs, fmt.Errorf("kafka::lookback::timeout must be greater than 0, got %s", lb.Timeout))
		}
	}
	return errors.Join(errs...)
}
