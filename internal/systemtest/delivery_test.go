//go:build systemtest

package systemtest

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/langsmithtest"
)

// Prometheus names of the collector's own metrics.
const (
	mBufferFull     = "otelcol_processor_agent_span_buffer_full"
	mSpansRefused   = "otelcol_processor_agent_span_spans_refused"
	mSpansDropped   = "otelcol_processor_agent_span_spans_dropped"
	mRetried        = "otelcol_processor_agent_span_emissions_retried"
	mTracesBuffered = "otelcol_processor_agent_span_traces_in_buffer"
	mAwaitingRetry  = "otelcol_processor_agent_span_emissions_awaiting_retry"
	mCredsRefused   = "otelcol_exporter_langsmith_credentials_refused"
	mConsumerErrors = "otelcol_processor_agent_span_next_consumer_errors"
)

// rssMargin is what the collector may use beyond its idle peak on top of
// agent_span's budget: the exporter's queue (50 traces) and two in-flight
// batches of 200 runs, pdata's in-memory form being a few times the
// protobuf size the budget counts, and Go's heap headroom (GOGC=100 lets the
// heap reach twice the live data before collecting).
const rssMargin = 4*budgetBytes + 96<<20

// outage makes every ingest request of srv answer 503 until srv.Reset.
func outage(srv *langsmithtest.Server) {
	srv.Inject(langsmithtest.Fault{Status: http.StatusServiceUnavailable, Times: 1 << 30})
}

// A LangSmith outage longer than the exporter's queue holds, under load: the
// door closes (503 + Retry-After), the apps retry, and once LangSmith is back
// every span the receiver accepted arrives exactly once; memory stays within
// agent_span's budget.
func TestLongOutageLosesNothingAccepted(t *testing.T) {
	perCopy := runsPerRecording(t)
	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: serverKey})
	outage(srv)
	p := newPorts(t)
	col := startCollector(t, "outage", pipeline{endpoint: srv.URL(), apiKey: serverKey}.config(p), p.health, p.metrics)
	idlePeak := col.peakRSS()

	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	load := newLoadClient(t, p.otlpURL(), 16, 120)
	load.start(ctx)
	waitFor(t, "agent_span to refuse at its budget", 60*time.Second, func() bool { return col.metric(mBufferFull) == 1 })
	time.Sleep(5 * time.Second) // the outage goes on under load, against a closed door
	refusedInOutage := load.refusedCount()
	assert.Positive(t, col.metric(mSpansRefused))
	srv.Reset() // LangSmith is back (it stored nothing while down)
	time.Sleep(5 * time.Second)
	load.stopAndWait()

	accepted, started, statuses := load.result()
	waitForRuns(t, srv, len(accepted)*perCopy, 2*time.Minute)
	assertExactlyOnce(t, srv, accepted, perCopy)
	for status := range statuses {
		assert.Contains(t, []int{http.StatusServiceUnavailable, http.StatusTooManyRequests}, status, "refusals are retryable")
	}
	assert.Positive(t, refusedInOutage, "the receiver refused data during the outage")
	assert.Equal(t, started, len(accepted), "every copy was accepted in the end, after retries")
	assert.Zero(t, col.metric(mSpansDropped), "agent_span dropped nothing")
	assert.Positive(t, col.metric(mRetried), "refused traces were offered again")
	assert.Zero(t, col.metric(mBufferFull), "the door is open again")

	peak := col.peakRSS()
	t.Logf("copies started %d, accepted %d (%d spans), refusals by status %v; runs %d; spans refused by agent_span %.0f; "+
		"re-offers %.0f; VmHWM %d MiB (idle %d MiB, budget %d MiB + margin %d MiB)",
		started, len(accepted), len(accepted)*load.src.SpanCount(), statuses, len(srv.Runs()), col.metric(mSpansRefused),
		col.metric(mRetried), peak>>20, idlePeak>>20, budgetBytes>>20, rssMargin>>20)
	assert.LessOrEqual(t, peak, idlePeak+budgetBytes+rssMargin, "peak RSS within agent_span's budget plus margin")
	col.terminate(30 * time.Second)
}

// A SIGKILL in the middle of an outage, with the persistent queue: what was
// in the queue arrives after the restart. What is lost is exactly what
// agent_span held in memory (buffered, or refused by the full queue and
// awaiting re-offer) at the kill.
func TestSIGKILLDuringOutageKeepsThePersistentQueue(t *testing.T) {
	perCopy := runsPerRecording(t)
	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: serverKey})
	outage(srv)
	pl := pipeline{endpoint: srv.URL(), apiKey: serverKey, queueDir: t.TempDir()}
	p := newPorts(t)
	col := startCollector(t, "life1", pl.config(p), p.health, p.metrics)

	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	load := newLoadClient(t, p.otlpURL(), 16, 120)
	load.start(ctx)
	waitFor(t, "the persistent queue and agent_span to fill", 60*time.Second, func() bool { return col.metric(mBufferFull) == 1 })
	time.Sleep(2 * time.Second)

	// Freeze the apps, read what agent_span holds, kill it: life 1 accepted
	// nothing after that.
	load.pause(true)
	time.Sleep(500 * time.Millisecond) // requests in flight are answered
	// Each copy is one trace; no late spans here, so each held output is one.
	heldCopies := int(col.metric(mTracesBuffered) + col.metric(mAwaitingRetry))
	require.Positive(t, heldCopies)
	col.kill()
	acceptedByLife1, _, _ := load.result()

	// Life 2 on the same queue directory and port; LangSmith recovers a bit later.
	col2 := startCollector(t, "life2", pl.config(p), p.health, p.metrics)
	load.pause(false)
	time.Sleep(2 * time.Second)
	srv.Reset()
	time.Sleep(3 * time.Second)
	load.stopAndWait()

	accepted, started, statuses := load.result()
	waitForRuns(t, srv, (len(accepted)-heldCopies)*perCopy, 2*time.Minute)
	got := runsByTrace(t, srv)
	var lost []string
	for id := range accepted {
		switch n := got[id.String()]; {
		case n == 0:
			lost = append(lost, id.String())
			assert.True(t, acceptedByLife1[id], "trace %s accepted after the restart was lost", id)
		case n != perCopy:
			t.Errorf("trace %s: %d runs, want %d (a trace arrives whole or not at all)", id, n, perCopy)
		}
	}
	for status := range statuses {
		assert.Contains(t, []int{0, http.StatusServiceUnavailable, http.StatusTooManyRequests}, status,
			"refusals are retryable (0: the port was closed between the lives)")
	}
	assert.LessOrEqual(t, len(lost), heldCopies, "only what agent_span held in memory at the kill is lost")
	assert.LessOrEqual(t, len(lost), budgetTraces, "which is at most its budget")
	assert.Zero(t, col2.metric(mSpansDropped))
	t.Logf("copies started %d, accepted %d (%d by life 1); agent_span held %d copies at SIGKILL, lost %d; "+
		"delivered %d runs; non-2xx answers %v", started, len(accepted), len(acceptedByLife1), heldCopies, len(lost),
		len(srv.Runs()), statuses)
	col2.terminate(30 * time.Second)
}

// A rotated key: LangSmith answers 401 for a while; the runs stay in the
// persistent queue, SIGTERM flushes agent_span into it, and the collector
// restarted with the right key delivers every one of them.
func TestRefusedKeyThenFixedKeyLosesNothing(t *testing.T) {
	perCopy := runsPerRecording(t)
	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: serverKey})
	dir := t.TempDir()
	p := newPorts(t)
	bad := startCollector(t, "rotated-key", pipeline{endpoint: srv.URL(), apiKey: "rotated-key", queueDir: dir}.config(p), p.health, p.metrics)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	load := newLoadClient(t, p.otlpURL(), 4, 30)
	load.start(ctx)
	time.Sleep(2 * time.Second)
	load.stopAndWait()
	waitFor(t, "LangSmith to refuse the key", 30*time.Second, func() bool {
		for _, r := range srv.Requests() {
			if r.Status == http.StatusUnauthorized {
				return true
			}
		}
		return false
	})
	assert.Equal(t, float64(1), bad.metric(mCredsRefused), "the refused key shows in a metric")
	assert.Zero(t, bad.metric(mConsumerErrors), "the queue had room: agent_span was never refused")
	took := bad.terminate(30 * time.Second)
	assert.Equal(t, 1, strings.Count(bad.log(), "LangSmith refused the credentials"), "the hint is logged once a minute, not per request")
	assert.Empty(t, srv.Runs())

	good := startCollector(t, "fixed-key", pipeline{endpoint: srv.URL(), apiKey: serverKey, queueDir: dir}.config(p), p.health, p.metrics)
	accepted, started, statuses := load.result()
	require.Equal(t, started, len(accepted), "nothing was refused: %v", statuses)
	waitForRuns(t, srv, len(accepted)*perCopy, time.Minute)
	assertExactlyOnce(t, srv, accepted, perCopy)
	assert.Zero(t, good.metric(mCredsRefused))
	t.Logf("copies accepted %d under a refused key; SIGTERM took %s; delivered %d runs after the restart with the fixed key",
		len(accepted), took.Round(time.Millisecond), len(srv.Runs()))
	good.terminate(30 * time.Second)
}
