//go:build scaletest

package systemtest

import (
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/langsmithtest"
)

// The tier under load loses a gateway to SIGKILL (its partitions move to the
// other replica, then back when it is started again), then the broker (the
// agents keep what they accept on their node's disk meanwhile). Every run one
// collector makes of the whole traces must be stored exactly once, in its
// place (same trace, parent and dotted order): nothing the killed gateway
// held was committed, so the partition's next owner read it again, and what
// had been sent met 409.
func TestKafkaTierSurvivesSIGKILLOfAGatewayAndOfTheBroker(t *testing.T) {
	// Traces joined by links are left out: a gateway killed while forwarding
	// them, or the primary sent before a re-read secondary, stitches them
	// in part (README, limits of the Kafka tier).
	input := scaleInput(t, singleTraceRecordings(t), 8)
	_, wantRuns := singleCollectorTree(t, input)

	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: serverKey})
	// A trace whose halves the broker's outage separates must wait for the
	// second half: idle_timeout above the outage (about 15 s here).
	k := startKafkaTier(t, srv, 2, "60s")
	start := time.Now()
	part := len(input) / 3

	sent := make(chan struct{})
	go func() {
		defer close(sent)
		sendSplit(t, input[:2*part], k.urls)
	}()
	waitFor(t, "gateway 0 to send runs", time.Minute, func() bool {
		return k.gateways[0].metric(mSentSpans, `exporter="langsmith"`) > 0
	})
	k.gateways[0].kill()
	t.Logf("gateway 0 killed after %s, %d runs stored", time.Since(start).Round(100*time.Millisecond), len(srv.Runs()))
	<-sent
	k.startGateway(t, 0)

	k.broker.kill()
	t.Logf("broker killed after %s, %d runs stored", time.Since(start).Round(100*time.Millisecond), len(srv.Runs()))
	sendSplit(t, input[2*part:], k.urls) // the agents accept and queue
	k.broker.restart(t)

	if !srv.WaitForRuns(len(wantRuns), 3*time.Minute) {
		t.Fatalf("%d runs of %d arrived within 3 minutes", len(srv.Runs()), len(wantRuns))
	}
	waitForStableRuns(t, srv, time.Minute)
	conflicts := 0
	for _, r := range srv.Requests() {
		if r.Status == http.StatusConflict {
			conflicts++
		}
	}
	t.Logf("%d traces (%d runs) through a gateway and a broker killed in %s; %d requests met 409",
		len(input), len(wantRuns), time.Since(start).Round(100*time.Millisecond), conflicts)
	runsByTrace(t, srv) // no run stored twice
	if v := srv.Violations(); len(v) > 0 {
		t.Errorf("LangSmith rule violations: %s", strings.Join(v[:min(len(v), 5)], "; "))
	}
	// A trace the old owner sent whole can have records on both sides of the
	// committed offset; the next owner reads back the records before it
	// (agent_span kafka::lookback), so it sends the whole trace again, never
	// its later part alone: no run beyond one collector's.
	if extra := assertRunsInPlace(t, wantRuns, srv.Runs()); len(extra) > 0 {
		t.Errorf("%d runs beyond the single collector's, from traces read again in part: %s", len(extra), strings.Join(extra, ", "))
	}
}

// assertRunsInPlace checks that every wanted run is stored in its place and
// returns the names of stored runs that are not wanted.
func assertRunsInPlace(t *testing.T, want, got []langsmithtest.Run) []string {
	t.Helper()
	stored := make(map[string]langsmithtest.Run, len(got))
	for _, r := range got {
		stored[r.ID] = r
	}
	missing := 0
	for _, w := range want {
		g, ok := stored[w.ID]
		switch {
		case !ok:
			missing++
		case g.TraceID != w.TraceID || g.ParentRunID != w.ParentRunID || g.DottedOrder != w.DottedOrder || g.Name != w.Name:
			t.Errorf("run %s (%s) stored out of place: trace %s parent %s, want trace %s parent %s",
				w.ID, w.Name, g.TraceID, g.ParentRunID, w.TraceID, w.ParentRunID)
		}
		delete(stored, w.ID)
	}
	if missing > 0 {
		t.Errorf("%d of %d runs missing", missing, len(want))
	}
	var extra []string
	for _, r := range stored {
		extra = append(extra, r.Name)
	}
	sort.Strings(extra)
	return extra
}
