package helmtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// The pod as the chart renders it, run from the image make image built: the
// init container and the collector with their rendered command, env (Secret
// and downward API resolved), volumes, user, capabilities and read-only root,
// fed a recorded AutoGen run over the agent's hostPort, exporting to the
// LangSmith-compatible sink. Then LangSmith goes down, the pod is killed with
// runs queued on its hostPath volume, and its replacement delivers them once.

// referenceRuns is what the agent_span -> langsmith pipeline makes of the
// reference recording: the design's target tree (run_team, the team run,
// three speaker selections, three agent turns with their three LLM calls, one
// tool call), 12 runs in one trace instead of 61 spans.
const referenceRuns = 12

// podrunNamespace is the namespace the chart is rendered into.
const podrunNamespace = "podrun"

// Waits of the scenario; the pipeline's own delays (agent_span idle_timeout
// 5s, exporter retry backoff from 5s) fit several times into each.
const (
	podReadyTimeout = time.Minute
	deliveryTimeout = 90 * time.Second
	// settleTime is how long the run count must stay unchanged to count as final.
	settleTime = 3 * time.Second
)

func TestPodRunAsRendered(t *testing.T) {
	pm := newPodman(t)
	image := localImage(t, pm)
	suffix := podrunSuffix(t)
	apiKey := "podrun-key-" + suffix
	project := "podrun-" + suffix
	sink := startLangSmithSink(t, apiKey, 10*time.Minute)

	objs := renderPod(t, image, sink.url, apiKey, project)
	ds := objs.daemonSet
	spec := ds.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("DaemonSet %s has %d containers; the pod run models one", ds.Name, len(spec.Containers))
	}
	collector := spec.Containers[0]
	otlpHTTP := containerPort(t, collector, "otlp-http")
	if otlpHTTP.HostPort == 0 {
		t.Fatalf("the agent's otlp-http port has no hostPort: apps on the node could not reach it")
	}

	pc := &podContext{
		name: ds.Name + "-" + suffix, namespace: podrunNamespace, nodeName: "podrun-node-" + suffix,
		ip:        "127.0.0.1",
		imageUser: pm.run(t, "image", "inspect", "--format", "{{.Config.User}}", image),
		secrets:   objs.secrets, configMaps: objs.configMaps,
	}
	pc.prepareVolumes(t, spec)
	queueDir := hostPathVolume(t, spec, pc)

	// First pod: a trace goes through to LangSmith.
	first := startPod(t, pm, pc, spec, image, "podrun-"+suffix+"-a-")
	probesAnswer(t, pm, pc, collector, first)
	assertQueueDirOwned(t, queueDir, spec)

	otlpURL := fmt.Sprintf("http://%s:%d", pc.ip, otlpHTTP.HostPort)
	postTraces(t, otlpURL, recordingWithFreshIDs(t, referenceRecording))
	runsA := waitForSettledRuns(t, sink, referenceRuns)
	assertOneTrace(t, runsA, project)
	assertNoFailedRequests(t, sink.requests(t), "before the outage")
	assertNoSinkProblems(t, sink)

	// LangSmith goes down: every ingest and /info request gets 503.
	sink.injectFaults(t, sinkFault{Status: http.StatusServiceUnavailable, Times: 1 << 30},
		sinkFault{Path: "/info", Status: http.StatusServiceUnavailable, Times: 1 << 30})
	postTraces(t, otlpURL, recordingWithFreshIDs(t, referenceRecording))
	// A retry (a second 503) means the batch sits in the persistent queue.
	waitForFaults(t, sink, 2, deliveryTimeout)
	if n := len(sink.runs(t)); n != referenceRuns {
		t.Fatalf("runs stored during the outage: %d, want %d", n, referenceRuns)
	}
	if entries, _ := os.ReadDir(queueDir); len(entries) == 0 {
		t.Fatal("the collector keeps no queue file on its hostPath volume")
	}
	t.Logf("outage: %d ingest attempts refused, runs queued in %s", countFaults(sink.requests(t)), queueDir)

	// The node loses the pod; its replacement uses the same hostPath.
	pm.run(t, "kill", "--signal", "KILL", first)
	waitStopped(t, pm, first)
	faultsBefore := countFaults(sink.requests(t))
	second := startPod(t, pm, pc, spec, image, "podrun-"+suffix+"-b-")
	probesAnswer(t, pm, pc, collector, second)
	assertQueueDirOwned(t, queueDir, spec)
	// The replacement found the queued batch and is retrying it.
	waitForFaults(t, sink, faultsBefore+1, deliveryTimeout)

	// LangSmith is back. reset also forgets the first trace's runs, so a
	// resend of those would show up as new runs here.
	sink.reset(t)
	ended := time.Now()
	runsB := waitForSettledRuns(t, sink, referenceRuns)
	t.Logf("the replacement delivered the queued runs %s after the outage ended", time.Since(ended).Round(time.Second))
	assertOneTrace(t, runsB, project)
	seenA := map[string]bool{}
	for _, r := range runsA {
		seenA[r.ID] = true
	}
	for _, r := range runsB {
		if seenA[r.ID] {
			t.Errorf("run %s (%s) of the first trace was sent again", r.ID, r.Name)
		}
	}
	if got, want := runNames(runsB), runNames(runsA); got != want {
		t.Errorf("the queued trace arrived as\n%s\nwant the same runs as the first:\n%s", got, want)
	}
	// Exactly once: a batch resent after a lost answer may only meet 409.
	assertNoFailedRequests(t, sink.requests(t), "after the outage")
	assertNoSinkProblems(t, sink)
}

// assertNoSinkProblems requires that every request kept LangSmith's rules.
func assertNoSinkProblems(t *testing.T, sink *langSmithSink) {
	t.Helper()
	if p := sink.problems(t); len(p) > 0 {
		t.Errorf("the sink saw LangSmith rule violations:\n%s", strings.Join(p, "\n"))
	}
}

// podObjects are the rendered objects the pod needs.
type podObjects struct {
	daemonSet  appsv1.DaemonSet
	secrets    map[string]corev1.Secret
	configMaps map[string]corev1.ConfigMap
}

// renderPod renders the chart for the pod run. Host networking stands in for
// the pod's network namespace, so the chart's own values move the listeners to
// free ports on 127.0.0.1: nothing listens beyond loopback and nothing
// collides with other processes of this machine. The health port stays the
// chart's, the probes name it.
func renderPod(t *testing.T, image, sinkURL, apiKey, project string) podObjects {
	t.Helper()
	slash := strings.LastIndex(image, "/")
	colon := strings.LastIndex(image, ":")
	if colon < slash {
		t.Fatalf("image %s has no tag", image)
	}
	base := []string{"--namespace", podrunNamespace,
		"--set", "image.repository=" + image[:colon], "--set", "image.tag=" + image[colon+1:],
		"--set", "langsmith.apiKey=" + apiKey, "--set", "langsmith.endpoint=" + sinkURL,
		"--set", "langsmith.project=" + project}
	health := containerPort(t, decodePodObjects(t, render(t, base...)).daemonSet.Spec.Template.Spec.Containers[0], "health")
	requirePortFree(t, int(health.ContainerPort))

	grpcPort, httpPort, metricsPort := podrunFreePort(t), podrunFreePort(t), podrunFreePort(t)
	args := append(base,
		"--set", fmt.Sprintf("ports.otlp.containerPort=%d", grpcPort), "--set", fmt.Sprintf("ports.otlp.hostPort=%d", grpcPort),
		"--set", fmt.Sprintf("ports.otlpHttp.containerPort=%d", httpPort), "--set", fmt.Sprintf("ports.otlpHttp.hostPort=%d", httpPort),
		"--set", fmt.Sprintf("config.receivers.otlp.protocols.grpc.endpoint=127.0.0.1:%d", grpcPort),
		"--set", fmt.Sprintf("config.receivers.otlp.protocols.http.endpoint=127.0.0.1:%d", httpPort),
		"--set", fmt.Sprintf("config.extensions.health_check.endpoint=127.0.0.1:%d", health.ContainerPort),
		"--set-json", fmt.Sprintf(`config.service.telemetry.metrics={"readers":[{"pull":{"exporter":{"prometheus":{"host":"127.0.0.1","port":%d}}}}]}`, metricsPort))
	return decodePodObjects(t, render(t, args...))
}

// decodePodObjects strictly decodes the DaemonSet, Secrets and ConfigMaps.
func decodePodObjects(t *testing.T, rendered []byte) podObjects {
	t.Helper()
	objs := podObjects{secrets: map[string]corev1.Secret{}, configMaps: map[string]corev1.ConfigMap{}}
	daemonSets := 0
	for _, doc := range splitDocuments(rendered) {
		var meta struct{ Kind string }
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			t.Fatalf("decode rendered document: %v\n%s", err, doc)
		}
		switch meta.Kind {
		case "DaemonSet":
			daemonSets++
			strictDecode(t, doc, &objs.daemonSet)
		case "Secret":
			var s corev1.Secret
			strictDecode(t, doc, &s)
			objs.secrets[s.Name] = s
		case "ConfigMap":
			var cm corev1.ConfigMap
			strictDecode(t, doc, &cm)
			objs.configMaps[cm.Name] = cm
		}
	}
	if daemonSets != 1 {
		t.Fatalf("rendered %d DaemonSets, want 1", daemonSets)
	}
	return objs
}

func strictDecode(t *testing.T, doc []byte, into any) {
	t.Helper()
	if err := yaml.UnmarshalStrict(doc, into); err != nil {
		t.Fatalf("decode %T: %v\n%s", into, err, doc)
	}
}

// hostPathVolume is the directory standing in for the pod's one hostPath volume.
func hostPathVolume(t *testing.T, spec corev1.PodSpec, pc *podContext) string {
	t.Helper()
	var dirs []string
	for _, v := range spec.Volumes {
		if v.HostPath != nil {
			dirs = append(dirs, pc.volumes[v.Name])
		}
	}
	if len(dirs) != 1 {
		t.Fatalf("the pod has %d hostPath volumes, want 1 (the persistent queue)", len(dirs))
	}
	return dirs[0]
}

// startPod runs the init containers to completion, then starts the
// collector; prefix names the containers of this pod.
func startPod(t *testing.T, pm podmanCLI, pc *podContext, spec corev1.PodSpec, image, prefix string) string {
	t.Helper()
	envDir := t.TempDir()
	for _, ic := range spec.InitContainers {
		name := prefix + ic.Name
		t.Cleanup(func() { pm.removeContainer(t, name) })
		args := pc.runArgs(t, spec, ic, name, image, filepath.Join(envDir, ic.Name+".env"))
		out, err := pm.result(append([]string{"run"}, args...)...)
		if err != nil {
			t.Fatalf("init container %s failed: %v\n%s", ic.Name, err, out)
		}
		t.Logf("init container %s: %s", ic.Name, out)
	}
	c := spec.Containers[0]
	name := prefix + c.Name
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs of %s:\n%s", name, pm.logs(name, 60))
		}
		pm.removeContainer(t, name)
	})
	args := pc.runArgs(t, spec, c, name, image, filepath.Join(envDir, c.Name+".env"))
	pm.run(t, append([]string{"run", "--detach"}, args...)...)
	return name
}

// probesAnswer waits for the readiness probe as the kubelet would, then
// requires the liveness probe to answer too.
func probesAnswer(t *testing.T, pm podmanCLI, pc *podContext, c corev1.Container, container string) {
	t.Helper()
	ready := pc.probeURL(t, c, c.ReadinessProbe)
	client := http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(podReadyTimeout)
	for {
		resp, err := client.Get(ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if state := pm.run(t, "inspect", "--format", "{{.State.Status}}", container); state != "running" {
			t.Fatalf("container %s is %s before it was ready", container, state)
		}
		if time.Now().After(deadline) {
			t.Fatalf("readiness probe %s did not answer 200 within %s (last: %v)", ready, podReadyTimeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	live := pc.probeURL(t, c, c.LivenessProbe)
	resp, err := client.Get(live)
	if err != nil {
		t.Fatalf("liveness probe %s: %v", live, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("liveness probe %s: %s", live, resp.Status)
	}
}

// assertQueueDirOwned checks the init container's work: the hostPath queue
// directory belongs to the collector's user and is private.
func assertQueueDirOwned(t *testing.T, dir string, spec corev1.PodSpec) {
	t.Helper()
	sc := spec.SecurityContext
	if sc == nil || sc.RunAsUser == nil || sc.RunAsGroup == nil {
		t.Fatal("the pod sets no runAsUser/runAsGroup")
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if int64(st.Uid) != *sc.RunAsUser || int64(st.Gid) != *sc.RunAsGroup || fi.Mode().Perm() != 0o700 {
		t.Fatalf("queue directory is %d:%d %v, want %d:%d -rwx------", st.Uid, st.Gid, fi.Mode().Perm(), *sc.RunAsUser, *sc.RunAsGroup)
	}
}

// waitForSettledRuns waits until the sink holds want runs and no more arrive.
func waitForSettledRuns(t *testing.T, sink *langSmithSink, want int) []sinkRun {
	t.Helper()
	deadline := time.Now().Add(deliveryTimeout)
	var runs []sinkRun
	last, since := -1, time.Now()
	for time.Now().Before(deadline) {
		runs = sink.runs(t)
		if len(runs) != last {
			last, since = len(runs), time.Now()
		} else if len(runs) >= want && time.Since(since) >= settleTime {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if len(runs) != want {
		t.Fatalf("the sink holds %d runs, want %d:\n%s", len(runs), want, runNames(runs))
	}
	return runs
}

// assertOneTrace checks that the runs form one trace under run_team in the project.
func assertOneTrace(t *testing.T, runs []sinkRun, project string) {
	t.Helper()
	var roots []string
	for _, r := range runs {
		if r.ParentRunID == "" {
			roots = append(roots, r.Name)
		}
		if r.TraceID != runs[0].TraceID {
			t.Errorf("run %s is in trace %s, not %s", r.Name, r.TraceID, runs[0].TraceID)
		}
		if r.SessionName != project {
			t.Errorf("run %s is in project %q, want %q", r.Name, r.SessionName, project)
		}
	}
	if len(roots) != 1 || roots[0] != "run_team" {
		t.Errorf("roots %v, want [run_team]", roots)
	}
}

// assertNoFailedRequests allows only success and 409 (already stored) on ingest.
func assertNoFailedRequests(t *testing.T, reqs []sinkRequest, when string) {
	t.Helper()
	for _, r := range reqs {
		if strings.HasSuffix(r.Path, "/info") {
			continue
		}
		if (r.Status < 200 || r.Status > 299) && r.Status != http.StatusConflict {
			t.Errorf("%s: %s %s answered %d", when, r.Method, r.Path, r.Status)
		}
	}
}

func countFaults(reqs []sinkRequest) int {
	n := 0
	for _, r := range reqs {
		if r.Fault && !strings.HasSuffix(r.Path, "/info") {
			n++
		}
	}
	return n
}

// waitForFaults waits until the sink has refused n ingest requests in the outage.
func waitForFaults(t *testing.T, sink *langSmithSink, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := countFaults(sink.requests(t))
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the exporter made %d ingest attempts in the outage within %s, want %d", got, timeout, n)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func waitStopped(t *testing.T, pm podmanCLI, container string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for pm.run(t, "inspect", "--format", "{{.State.Status}}", container) == "running" {
		if time.Now().After(deadline) {
			t.Fatalf("container %s still runs 30s after SIGKILL", container)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// runNames lists run names sorted, one per line, to compare trees by content.
func runNames(runs []sinkRun) string {
	names := make([]string, len(runs))
	for i, r := range runs {
		names[i] = r.Name
	}
	sort.Strings(names)
	return strings.Join(names, "\n")
}

func podrunSuffix(t *testing.T) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// podrunFreePort returns a loopback port that was free at the time of the call.
func podrunFreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// requirePortFree fails early and clearly when a fixed port of the chart is
// taken on this machine (host networking shares the machine's ports).
func requirePortFree(t *testing.T, port int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("port %d, which the chart's pod listens on, is taken on this machine: %v", port, err)
	}
	l.Close()
}
