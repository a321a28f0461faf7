package langsmithexporter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/metadata"
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
	td := buildTrace(1,
		testSpan{id: 1, end: time.Millisecond, attrs: map[string]string{"langsmith.project": "team-a"}},
		testSpan{id: 2, parent: 1, end: time.Millisecond},
	)
	td.ResourceSpans().At(0).Resource().Attributes().PutStr("k8s.namespace.name", "research")
	e.tree.annotate(td)
	runs := e.runsFromTraces(td)
	require.Len(t, runs, 2)
	byName := map[string]*run{}
	for _, r := range runs {
		byName[r.ID] = r
	}
	s := spansByID(td)
	first, second := byName[attr(s[1], annotationRunID)], byName[attr(s[2], annotationRunID)]
	assert.Equal(t, "team-a", first.SessionName, "span attribute first")
	assert.Equal(t, tenant{APIKey: "team-a-key"}, first.Tenant)
	assert.Equal(t, "research", second.SessionName, "then the resource")
	assert.Equal(t, tenant{APIKey: "default-key"}, second.Tenant)
}

func TestRunsCarryPlacementThreadAndOrphanMarks(t *testing.T) {
	e := newTestLangsmithExporter(t, nil)
	td := buildTrace(1,
		testSpan{id: 1, start: 5 * time.Millisecond, end: time.Millisecond, attrs: map[string]string{"gen_ai.conversation.id": "conv-1"}},
		testSpan{id: 2, parent: 9, end: time.Millisecond},
	)
	e.tree.annotate(td)
	runs := e.runsFromTraces(td)
	require.Len(t, runs, 2)
	for _, r := range runs {
		md := r.Extra["metadata"].(map[string]any)
		assert.Equal(t, "conv-1", md["thread_id"], "thread id on every run of the trace")
		assert.Equal(t, "default", r.SessionName)
		assert.LessOrEqual(t, r.StartTime, r.EndTime, "an end before the start is clamped")
		assert.Equal(t, r.ID, r.TraceID, "both are roots")
	}
	s := spansByID(td)
	for _, r := range runs {
		if r.ID == attr(s[2], annotationRunID) {
			md := r.Extra["metadata"].(map[string]any)
			assert.Equal(t, true, md["ls_orphan"])
			assert.Equal(t, "0000000000000009", md["otel_missing_parent_span_id"])
		}
	}
}

func TestSpanWithoutPlacementStillBecomesARun(t *testing.T) {
	e := newTestLangsmithExporter(t, nil)
	td := buildTrace(1, testSpan{id: 3, parent: 1, end: time.Millisecond})
	runs := e.runsFromTraces(td) // not annotated: e.g. queued by an older version
	require.Len(t, runs, 1)
	assert.Equal(t, runs[0].ID, runs[0].TraceID)
	assert.NotEmpty(t, runs[0].DottedOrder)
	assert.Equal(t, true, runs[0].Extra["metadata"].(map[string]any)["ls_orphan"])
}
