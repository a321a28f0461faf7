package langsmithexporter

import (
	"context"
	"errors"
	"net/http"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/metadata"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/place"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/send"
)

// langsmithExporter wires the stages: placement before the queue
// (placingExporter), then, after it, mapping spans to runs and sending them.
type langsmithExporter struct {
	cfg       *Config
	settings  component.TelemetrySettings
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	tree      *place.RunTree
	mapper    *runmap.Mapper

	client *http.Client
	sender *send.Sender
}

func newLangsmithExporter(cfg *Config, set exporter.Settings) (*langsmithExporter, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &langsmithExporter{
		cfg:       cfg,
		settings:  set.TelemetrySettings,
		logger:    set.Logger,
		telemetry: tb,
		tree:      place.NewRunTree(cfg.ThreadIDAttribute),
		mapper: &runmap.Mapper{
			Project:           cfg.Project,
			ProjectAttributes: cfg.ProjectAttributes,
			TenantFor:         cfg.tenantFor,
		},
	}, nil
}

// start builds the HTTP client here because only now are the host's
// extensions (authenticators, middlewares) known.
func (e *langsmithExporter) start(ctx context.Context, host component.Host) error {
	clientCfg := e.cfg.ClientConfig
	// The sender compresses whole requests itself (and only as far as the
	// server's /info allows), so the transport must not compress again.
	clientCfg.Compression = ""
	client, err := clientCfg.ToClient(ctx, host.GetExtensions(), e.settings)
	if err != nil {
		return err
	}
	e.client = client
	e.sender = send.New(&send.Config{
		Endpoint:          e.cfg.Endpoint,
		Compression:       e.cfg.Compression,
		MaxRunsPerRequest: e.cfg.MaxRunsPerRequest,
		MaxRequestBytes:   e.cfg.MaxRequestBytes,
		RetryConfig:       e.cfg.RetryConfig,
	}, client, e.logger, e.telemetry)
	return nil
}

func (e *langsmithExporter) shutdown(context.Context) error {
	if e.client != nil {
		e.client.CloseIdleConnections()
	}
	e.telemetry.Shutdown()
	return nil
}

// pushTraces runs after the queue: every span already carries its placement.
func (e *langsmithExporter) pushTraces(ctx context.Context, td ptrace.Traces) error {
	if e.sender == nil {
		return errors.New("langsmith exporter used before start")
	}
	runs := e.mapper.Runs(td)
	if len(runs) == 0 {
		return nil
	}
	return e.sender.Send(ctx, runs)
}

// placingExporter places spans in their LangSmith trace before the queue, the
// last point where whole traces are still together (the queue's batcher
// splits batches by item count).
type placingExporter struct {
	exporter.Traces
	exp *langsmithExporter
}

func (p *placingExporter) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

func (p *placingExporter) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	stats := p.exp.tree.Annotate(td)
	if stats.Orphans > 0 {
		p.exp.telemetry.ExporterLangsmithOrphansRerooted.Add(ctx, int64(stats.Orphans))
	}
	return p.Traces.ConsumeTraces(ctx, td)
}
