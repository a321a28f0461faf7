package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/metadata"
)

// NewFactory returns the factory of the agent_span processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithTraces(createTracesProcessor, metadata.TracesStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		IdleTimeout:           defaultIdleTimeout,
		CompletionGrace:       defaultCompletionGrace,
		MaxTraceDuration:      defaultMaxTraceDuration,
		MaxTraces:             defaultMaxTraces,
		MaxSpansPerTrace:      defaultMaxSpansPerTrace,
		MaxBufferedBytes:      defaultMaxBufferedBytes,
		EmittedTraceCacheSize: defaultEmittedTraceCacheSize,
		KeepPlumbing:          false,
		StitchLinkedTraces:    true,
		AutoMemoryLimit:       true,
		RetryOnRefusal: RetryOnRefusalConfig{
			InitialInterval: defaultRetryInitialInterval,
			MaxInterval:     defaultRetryMaxInterval,
		},
		ShutdownTimeout: defaultShutdownTimeout,
		Kafka: KafkaConfig{
			Lookback: KafkaLookbackConfig{
				Window:   defaultLookbackWindow,
				MaxBytes: defaultLookbackMaxBytes,
				Timeout:  defaultLookbackTimeout,
			},
			ForwardLinkedTraces: true,
		},
	}
}

func createTracesProcessor(
	_ context.Context,
	set processor.Settings,
	cfg component.Config,
	next consumer.Traces,
) (processor.Traces, error) {
	return newAgentSpanProcessor(set, cfg.(*Config), next, dialects)
}
