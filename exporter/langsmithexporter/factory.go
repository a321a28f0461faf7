package langsmithexporter

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/metadata"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/send"
)

// NewFactory returns the factory of the langsmith exporter.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(metadata.Type, createDefaultConfig,
		exporter.WithTraces(createTraces, metadata.TracesStability))
}

func createDefaultConfig() component.Config {
	client := confighttp.NewDefaultClientConfig()
	client.Endpoint = defaultEndpoint
	client.Timeout = 30 * time.Second
	client.Compression = configcompression.TypeZstd

	return &Config{
		ClientConfig:      client,
		QueueConfig:       configoptional.Some(defaultQueueConfig()),
		RetryConfig:       configretry.NewDefaultBackOffConfig(),
		Project:           defaultProject,
		ProjectAttributes: []string{"langsmith.project", "langsmith.trace.session_name"},
		ThreadIDAttribute: "gen_ai.conversation.id",
	}
}

// defaultQueueConfig turns the queue's batcher on: under load, runs of many
// small traces share requests instead of costing one request each. The
// sender still splits every batch at LangSmith's per-request limits.
func defaultQueueConfig() exporterhelper.QueueBatchConfig {
	q := exporterhelper.NewDefaultQueueConfig()
	batch := exporterhelper.NewDefaultBatchConfig()
	batch.FlushTimeout = 200 * time.Millisecond
	batch.Sizer = exporterhelper.RequestSizerTypeItems
	batch.MinSize = send.DefaultMaxRunsPerRequest
	batch.MaxSize = 10 * send.DefaultMaxRunsPerRequest
	q.Batch = configoptional.Some(batch)
	return q
}

func createTraces(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Traces, error) {
	c := cfg.(*Config)
	e, err := newLangsmithExporter(c, set)
	if err != nil {
		return nil, err
	}
	inner, err := exporterhelper.NewTraces(ctx, set, cfg, e.pushTraces,
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		// The http.Client enforces `timeout`; a second timer would only race it.
		exporterhelper.WithTimeout(exporterhelper.TimeoutConfig{Timeout: 0}),
		exporterhelper.WithRetry(c.RetryConfig),
		exporterhelper.WithQueue(c.QueueConfig),
	)
	if err != nil {
		return nil, err
	}
	return &placingExporter{Traces: inner, exp: e}, nil
}
