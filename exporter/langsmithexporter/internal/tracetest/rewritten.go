package tracetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"
)

// Rewritten is a recording as the exporter receives it in the
// distribution: through the agent_span processor with default settings.
func Rewritten(t testing.TB, name string) ptrace.Traces {
	t.Helper()
	f := agentspanprocessor.NewFactory()
	sink := new(consumertest.TracesSink)
	p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(component.MustNewType("agent_span")), f.CreateDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeTraces(context.Background(), recordings.MustLoad(t, name)))
	require.NoError(t, p.Shutdown(context.Background())) // flushes every buffered trace
	td := ptrace.NewTraces()
	for _, batch := range sink.AllTraces() {
		batch.ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	}
	return td
}
