package agentspanprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/metadata"
)

func TestFactoryCreatesStatefulTracesProcessor(t *testing.T) {
	f := NewFactory()
	assert.Equal(t, "agent_span", f.Type().String())
	assert.Equal(t, metadata.TracesStability, f.TracesStability())
	cfg := f.CreateDefaultConfig()
	require.NoError(t, cfg.(*Config).Validate())

	sink := new(consumertest.TracesSink)
	p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	assert.True(t, p.Capabilities().MutatesData, "spans are moved out of incoming batches")
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(testSpan{trace: 1, id: 1})))
	assert.Zero(t, sink.SpanCount(), "default idle_timeout holds the trace")
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Equal(t, 1, sink.SpanCount(), "shutdown flushes")

	_, err = f.CreateMetrics(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	assert.Error(t, err, "traces only")
}
