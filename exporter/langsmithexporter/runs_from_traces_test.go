package langsmithexporter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/metadata"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/place"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/tracetest"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/jsonenc"
)

func newTestLangsmithExporter(t *testing.T, modify func(*Config)) *langsmithExporter {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.APIKey = "default-key"
	if modify != nil {
		modify(cfg)
	}
	e, err := newLangsmithExporter(cfg, exportertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	return e
}

func TestRunsChooseProjectAndCredentials(t *testing.T) {
	e := newTestLangsmithExporter(t, func(c *Config) {
		c.ProjectAttributes = []string{"langsmith.project", "k8s.namespace.name"}
		c.Projects = map[string]ProjectCredentials{"team-a": {APIKey: "team-a-key"}}
	})
	td := tracetest.Build(1,
		tracetest.Span{ID: 1, End: time.Millisecond, Attrs: map[string]string{"langsmith.project": "team-a"}},
		tracetest.Span{ID: 2, Parent: 1, End: time.Millisecond},
	)
	td.ResourceSpans().At(0).Resource().Attributes().PutStr("k8s.namespace.name", "research")
	e.tree.Annotate(td)
	runs := e.mapper.Runs(td)
	require.Len(t, runs, 2)
	byName := map[string]*runmap.Run{}
	for _, r := range runs {
		byName[r.ID] = r
	}
	s := tracetest.SpansByID(td)
	first, second := byName[tracetest.Attr(s[1], place.AnnotationRunID)], byName[tracetest.Attr(s[2], place.AnnotationRunID)]
	assert.Equal(t, "team-a", first.SessionName, "span attribute first")
	assert.Equal(t, runmap.Tenant{APIKey: "team-a-key"}, first.Tenant)
	assert.Equal(t, "research", second.SessionName, "then the resource")
	assert.Equal(t, runmap.Tenant{APIKey: "default-key"}, second.Tenant)
}

func TestRunsCarryPlacementThreadAndOrphanMarks(t *testing.T) {
	e := newTestLangsmithExporter(t, nil)
	td := tracetest.Build(1,
		tracetest.Span{ID: 1, Start: 5 * time.Millisecond, End: time.Millisecond, Attrs: map[string]string{"gen_ai.conversation.id": "conv-1"}},
		tracetest.Span{ID: 2, Parent: 9, End: time.Millisecond},
	)
	e.tree.Annotate(td)
	runs := e.mapper.Runs(td)
	require.Len(t, runs, 2)
	for _, r := range runs {
		md := r.Extra["metadata"].(jsonenc.Object).Map()
		assert.Equal(t, "conv-1", md["thread_id"], "thread id on every run of the trace")
		assert.Equal(t, "default", r.SessionName)
		assert.LessOrEqual(t, r.StartTime, r.EndTime, "an end before the start is clamped")
		assert.Equal(t, r.ID, r.TraceID, "both are roots")
	}
	s := tracetest.SpansByID(td)
	for _, r := range runs {
		if r.ID == tracetest.Attr(s[2], place.AnnotationRunID) {
			md := r.Extra["metadata"].(jsonenc.Object).Map()
			assert.Equal(t, true, md["ls_orphan"])
			assert.Equal(t, "0000000000000009", md["otel_missing_parent_span_id"])
		}
	}
}

func TestSpanWithoutPlacementStillBecomesARun(t *testing.T) {
	e := newTestLangsmithExporter(t, nil)
	td := tracetest.Build(1, tracetest.Span{ID: 3, Parent: 1, End: time.Millisecond})
	runs := e.mapper.Runs(td) // not annotated: e.g. queued by an older version
	require.Len(t, runs, 1)
	assert.Equal(t, runs[0].ID, runs[0].TraceID)
	assert.NotEmpty(t, runs[0].DottedOrder)
	assert.Equal(t, true, runs[0].Extra["metadata"].(jsonenc.Object).Map()["ls_orphan"])
}
