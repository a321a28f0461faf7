package integration

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/collectortest"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/langsmithtest"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
)

// Runs queued on disk while LangSmith is unreachable survive a restart of the
// collector and are delivered by the next one.
func TestPersistentQueueSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	queue := `    sending_queue:
      storage: file_storage`
	storage := fmt.Sprintf(`  file_storage:
    directory: %s`, dir)

	// First life: LangSmith is down (nothing listens on the port).
	deadEndpoint := fmt.Sprintf("http://127.0.0.1:%d", collectortest.FreePort(t))
	port := collectortest.FreePort(t)
	col := collectortest.Start(t, pipelineConfig(port, deadEndpoint, "", "", queue, storage))
	td := recordings.MustLoad(t, "autogen-0.7.5-reference")
	spans := td.SpanCount()
	send(t, fmt.Sprintf("http://127.0.0.1:%d/v1/traces", port), td)
	time.Sleep(time.Second) // let the queue consumer try and fail at least once
	col.Shutdown()

	// Second life: LangSmith is back; the queue drains from disk.
	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: testKey})
	port2 := collectortest.FreePort(t)
	collectortest.Start(t, pipelineConfig(port2, srv.URL(), "", "", queue, storage))
	runs := waitForStableRuns(t, srv, spans, 30*time.Second)
	require.Len(t, runs, spans, "every span queued before the restart is delivered after it")
	assert.Empty(t, srv.Violations())
	assert.Empty(t, srv.Check())
}
