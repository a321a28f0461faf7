package agentspanprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/metadatatest"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

func reasonSet(r string) attribute.Set { return attribute.NewSet(attribute.String("reason", r)) }

func TestMetrics(t *testing.T) {
	tel := componenttest.NewTelemetry()
	defer func() { assert.NoError(t, tel.Shutdown(context.Background())) }()
	sink := &recordingSink{}
	cfg := testConfig()
	cfg.MaxTraces = 3
	p := startProcessor(t, cfg, sink, []dialect.Dialect{foldDialect{}}, tel)
	ctx := context.Background()
	opts := []metricdatatest.Option{metricdatatest.IgnoreTimestamp()}

	// Stitched trace (7 spans, 2 folded), completes on idle.
	a, b, c := linkedTraces()
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(c...)))
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(b...)))
	metadatatest.AssertEqualProcessorAgentSpanTracesInBuffer(t, tel, []metricdata.DataPoint[int64]{{Value: 2}}, opts...)
	metadatatest.AssertEqualProcessorAgentSpanSpansInBuffer(t, tel, []metricdata.DataPoint[int64]{{Value: 5}}, opts...)
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(a...)))
	require.Eventually(t, func() bool { return sink.batchCount() == 1 }, waitFor, 5*time.Millisecond)
	metadatatest.AssertEqualProcessorAgentSpanTracesStitched(t, tel, []metricdata.DataPoint[int64]{{Value: 2}}, opts...)
	metadatatest.AssertEqualProcessorAgentSpanSpansFolded(t, tel, []metricdata.DataPoint[int64]{{Value: 2}}, opts...)
	metadatatest.AssertEqualProcessorAgentSpanSpansAdded(t, tel, []metricdata.DataPoint[int64]{{Value: 0}}, opts...)

	// Two late spans.
	require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: 3, id: 40, parent: 31}, testSpan{trace: 1, id: 41, parent: 1})))
	metadatatest.AssertEqualProcessorAgentSpanLateSpans(t, tel, []metricdata.DataPoint[int64]{{Value: 2}}, opts...)

	// Pressure: four root-less traces with room for three.
	for i := uint64(10); i < 14; i++ {
		require.NoError(t, p.ConsumeTraces(ctx, buildTraces(testSpan{trace: i, id: 100 + i, parent: 1})))
	}
	// Shutdown flushes the other three.
	require.NoError(t, p.Shutdown(ctx))

	metadatatest.AssertEqualProcessorAgentSpanTracesEmitted(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: reasonSet(reasonComplete)},
		{Value: 1, Attributes: reasonSet(reasonPressure)},
		{Value: 3, Attributes: reasonSet(reasonShutdown)},
	}, opts...)
	metadatatest.AssertEqualProcessorAgentSpanSpansEmitted(t, tel, []metricdata.DataPoint[int64]{{Value: 5 + 2 + 4}}, opts...)
	metadatatest.AssertEqualProcessorAgentSpanTracesInBuffer(t, tel, []metricdata.DataPoint[int64]{{Value: 0}}, opts...)
	metadatatest.AssertEqualProcessorAgentSpanSpansInBuffer(t, tel, []metricdata.DataPoint[int64]{{Value: 0}}, opts...)
}

func TestMetricsTimeoutAndErrors(t *testing.T) {
	tel := componenttest.NewTelemetry()
	defer func() { assert.NoError(t, tel.Shutdown(context.Background())) }()
	cfg := testConfig()
	cfg.MaxTraceDuration = 100 * time.Millisecond
	failing := &failingSink{}
	p := startProcessor(t, cfg, failing, nil, tel)
	require.NoError(t, p.ConsumeTraces(context.Background(), buildTraces(testSpan{trace: 1, id: 2, parent: 1}, testSpan{trace: 1, id: 3, parent: 1})))
	require.Eventually(t, func() bool { return failing.calls.Load() == 1 }, waitFor, 5*time.Millisecond)
	opts := []metricdatatest.Option{metricdatatest.IgnoreTimestamp()}
	metadatatest.AssertEqualProcessorAgentSpanTracesEmitted(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: reasonSet(reasonTimeout)},
	}, opts...)
	metadatatest.AssertEqualProcessorAgentSpanNextConsumerErrors(t, tel, []metricdata.DataPoint[int64]{{Value: 2}}, opts...)
	metadatatest.AssertEqualProcessorAgentSpanSpansDropped(t, tel, []metricdata.DataPoint[int64]{
		{Value: 2, Attributes: attribute.NewSet(attribute.String("reason", dropPermanent))},
	}, opts...)
}
