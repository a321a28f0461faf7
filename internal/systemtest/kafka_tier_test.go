//go:build scaletest

package systemtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/collectortest"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/langsmithtest"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
)

const (
	scaleTopic       = "scale-test-spans"
	scalePartitions  = 6
	scaleProject     = "local-demo" // examples/local.yaml's project, given to the gateways too
	mSentSpans       = "otelcol_exporter_sent_spans"
	mTracesForwarded = "otelcol_processor_agent_span_traces_forwarded"
	mTracesInBuffer  = "otelcol_processor_agent_span_traces_in_buffer"
)

// exampleConfig is the body of an examples/ file: the tests run what ships.
func exampleConfig(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// metricsConfig points a collector's own Prometheus metrics at port, so that
// several collectors run side by side.
func metricsConfig(port int) string {
	return fmt.Sprintf(`
service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
`, port)
}

// scaleRecordings are the recordings the test replays: all of them, those
// whose traces are joined by links too (AutoGen's runtime outside the root,
// its gRPC runtime, Agent Framework's workflows). Partitioning by trace id
// puts linked traces in different partitions; the gateways forward a linked
// trace under the trace it links to (agent_span kafka::forward_linked_traces)
// so that one replica stitches them. linked counts the recordings with
// several trace ids.
func scaleRecordings(t *testing.T) (names []string, linked int) {
	t.Helper()
	for _, n := range recordings.Names() {
		if traceIDs(t, n) > 1 {
			linked++
		}
		names = append(names, n)
	}
	if linked == 0 {
		t.Fatalf("no recording of linked traces among %v", names)
	}
	return names, linked
}

// singleTraceRecordings are the recordings made of one trace id.
func singleTraceRecordings(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, n := range recordings.Names() {
		if traceIDs(t, n) == 1 {
			names = append(names, n)
		}
	}
	return names
}

func traceIDs(t *testing.T, recording string) int {
	ids := map[pcommon.TraceID]bool{}
	spanwalk.Each(recordings.MustLoad(t, recording), func(_ pcommon.Resource, _ pcommon.InstrumentationScope, s ptrace.Span) {
		ids[s.TraceID()] = true
	})
	return len(ids)
}

// sendSplit sends each trace's two halves, one to each URL (two nodes'
// agents), a few traces at a time.
func sendSplit(t *testing.T, input []splitTrace, urls [2]string) {
	t.Helper()
	var wg sync.WaitGroup
	work := make(chan splitTrace)
	for range 4 {
		wg.Go(func() {
			for tr := range work {
				postTraces(t, urls[0], tr.half[0])
				postTraces(t, urls[1], tr.half[1])
			}
		})
	}
	for _, tr := range input {
		work <- tr
	}
	close(work)
	wg.Wait()
}

// singleCollectorTree is the reference: one collector (examples/local.yaml)
// given every trace whole, as when all its agents run on one node.
func singleCollectorTree(t *testing.T, input []splitTrace) (string, []langsmithtest.Run) {
	t.Helper()
	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: serverKey})
	p := newPorts(t)
	col := startCollectorWith(t, "single", []string{exampleConfig(t, "local.yaml"), metricsConfig(p.metrics)}, []string{
		"OTLP_GRPC_ENDPOINT=" + collectortest.Endpoint(collectortest.FreePort(t)),
		"OTLP_HTTP_ENDPOINT=" + collectortest.Endpoint(p.otlp),
		"HEALTH_ENDPOINT=" + collectortest.Endpoint(p.health),
		"LANGSMITH_ENDPOINT=" + srv.URL(), "LANGSMITH_API_KEY=" + serverKey,
	}, p.health, p.metrics)
	for _, tr := range input {
		postTraces(t, p.otlpURL(), tr.whole)
	}
	waitForStableRuns(t, srv, 2*time.Minute)
	col.terminate(30 * time.Second)
	assertClean(t, srv)
	return srv.Tree(), srv.Runs()
}

// waitForStableRuns waits until runs stop arriving (3 s without a new one).
func waitForStableRuns(t *testing.T, srv *langsmithtest.Server, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last, since := -1, time.Now()
	for time.Now().Before(deadline) {
		if n := len(srv.Runs()); n != last {
			last, since = n, time.Now()
		} else if n > 0 && time.Since(since) > 3*time.Second {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("runs still arriving (or none) after %s: %d", timeout, last)
}

// assertClean: no run stored twice, no LangSmith rule broken, consistent trees.
func assertClean(t *testing.T, srv *langsmithtest.Server) {
	t.Helper()
	runsByTrace(t, srv)
	if v := srv.Violations(); len(v) > 0 {
		t.Errorf("LangSmith rule violations: %s", strings.Join(v[:min(len(v), 5)], "; "))
	}
	if c := srv.Check(); len(c) > 0 {
		t.Errorf("stored runs inconsistent: %s", strings.Join(c[:min(len(c), 5)], "; "))
	}
}

// kafkaTier is a running Kafka tier: a broker, gateways, agents.
type kafkaTier struct {
	broker *kafkaBroker
	srv    *langsmithtest.Server
	// idleTimeout is the gateways' agent_span idle_timeout.
	idleTimeout string
	gateways    []*collectorProcess
	agents      []*collectorProcess
	urls        [2]string
}

// startGateway starts gateway i (examples/kafka-gateway.yaml) of the tier's
// consumer group, in place of any earlier one, and waits until it holds
// partitions.
func (k *kafkaTier) startGateway(t *testing.T, i int) {
	t.Helper()
	p := newPorts(t)
	g := startCollectorWith(t, fmt.Sprintf("gateway-%d", i),
		[]string{exampleConfig(t, "kafka-gateway.yaml"), metricsConfig(p.metrics)},
		[]string{
			"KAFKA_BROKER=" + k.broker.addr, "KAFKA_TOPIC=" + scaleTopic,
			"KAFKA_GROUP=scale-test", "HEALTH_ENDPOINT=" + collectortest.Endpoint(p.health),
			"LANGSMITH_ENDPOINT=" + k.srv.URL(), "LANGSMITH_API_KEY=" + serverKey, "LANGSMITH_PROJECT=" + scaleProject,
			"AGENT_SPAN_IDLE_TIMEOUT=" + k.idleTimeout,
		}, p.health, p.metrics)
	if i < len(k.gateways) {
		k.gateways[i] = g
	} else {
		k.gateways = append(k.gateways, g)
	}
	waitFor(t, fmt.Sprintf("gateway %d to be assigned partitions", i), 60*time.Second, func() bool {
		return logContains(g, "new group session begun", `"added": "`+scaleTopic+"[")
	})
}

// startKafkaTier starts a broker with the topic, the gateways of one consumer
// group, then two agents (examples/kafka-agent.yaml) with their queues on disk.
func startKafkaTier(t *testing.T, srv *langsmithtest.Server, gateways int, idleTimeout string) *kafkaTier {
	t.Helper()
	k := &kafkaTier{broker: startKafka(t), srv: srv, idleTimeout: idleTimeout}
	start := time.Now()
	k.broker.createTopic(t, scaleTopic, scalePartitions)
	t.Logf("topic %s with %d partitions created in %s", scaleTopic, scalePartitions, time.Since(start).Round(100*time.Millisecond))
	common := []string{"KAFKA_BROKER=" + k.broker.addr, "KAFKA_TOPIC=" + scaleTopic}
	for i := range gateways {
		k.startGateway(t, i)
	}
	for i := range 2 {
		p := newPorts(t)
		k.agents = append(k.agents, startCollectorWith(t, fmt.Sprintf("agent-%d", i),
			[]string{exampleConfig(t, "kafka-agent.yaml"), metricsConfig(p.metrics)},
			append([]string{
				"OTLP_GRPC_ENDPOINT=" + collectortest.Endpoint(collectortest.FreePort(t)),
				"OTLP_HTTP_ENDPOINT=" + collectortest.Endpoint(p.otlp),
				"HEALTH_ENDPOINT=" + collectortest.Endpoint(p.health),
				"QUEUE_DIR=" + t.TempDir(),
			}, common...), p.health, p.metrics))
		k.urls[i] = p.otlpURL()
	}
	return k
}

// Two agents each see part of every trace, as two nodes would; two gateway
// replicas of one consumer group share the partitions. Every trace must
// arrive as one complete tree, identical to what one collector given the
// whole trace makes of it.
func TestKafkaTierRebuildsWholeTraces(t *testing.T) {
	names, linked := scaleRecordings(t)
	input := scaleInput(t, names, 3)
	want, wantList := singleCollectorTree(t, input)
	wantRuns := len(wantList)
	if wantRuns < len(input) {
		t.Fatalf("the single collector made %d runs of %d traces", wantRuns, len(input))
	}

	srv := langsmithtest.New(t, langsmithtest.Options{APIKey: serverKey})
	// Both halves of a trace are adjacent in one partition: 2 s is ample.
	k := startKafkaTier(t, srv, 2, "2s")
	start := time.Now()
	sendSplit(t, input, k.urls)
	waitForStableRuns(t, srv, 2*time.Minute)
	t.Logf("%d runs of agents (%d of them linked traces; %d runs) through 2 agents, Kafka (%d partitions) and 2 gateways in %s",
		len(input), 3*linked, wantRuns, scalePartitions, time.Since(start).Round(100*time.Millisecond))
	assertClean(t, srv)

	if got := srv.Tree(); got != want {
		t.Errorf("the Kafka tier's runs differ from one collector's:\n%s", firstDifference(want, got))
	}
	var sent, forwarded float64
	for i, g := range k.gateways {
		n := g.metric(mSentSpans, `exporter="langsmith"`)
		if n == 0 {
			t.Errorf("gateway %d exported nothing: the partitions were not shared", i)
		}
		sent += n
		forwarded += g.metric(mTracesForwarded)
		if held := g.metric(mTracesInBuffer); held != 0 {
			t.Errorf("gateway %d still holds %v traces (a linked trace waiting where its target never comes)", i, held)
		}
	}
	if forwarded == 0 {
		t.Error("no linked trace was forwarded: the test does not exercise forward_linked_traces")
	}
	t.Logf("%v traces forwarded to their link target's partition", forwarded)
	if int(sent) != wantRuns {
		t.Errorf("gateways exported %v runs, want %d (each once)", sent, wantRuns)
	}
}

// firstDifference shows the first differing line of two trees with context.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			from := max(0, i-3)
			return fmt.Sprintf("line %d:\nwant: %q\ngot:  %q\nwant context:\n%s\ngot context:\n%s", i+1, wl, gl,
				strings.Join(w[from:min(len(w), i+4)], "\n"), strings.Join(g[from:min(len(g), i+4)], "\n"))
		}
	}
	return "(no line differs)"
}
