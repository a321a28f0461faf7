package helmtest

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// renderDecoded renders the chart with a key source plus args and decodes it.
func renderDecoded(t *testing.T, args ...string) decodedManifests {
	t.Helper()
	return decodeRendered(t, render(t, append([]string{"--set", "langsmith.existingSecret=ls-key"}, args...)...))
}

// envVar finds a container env var.
func envVar(c *corev1.Container, name string) *corev1.EnvVar {
	for i := range c.Env {
		if c.Env[i].Name == name {
			return &c.Env[i]
		}
	}
	return nil
}

// secretRef asserts that env var name comes from secret/key.
func secretRef(t *testing.T, c *corev1.Container, name, secret, key string) {
	t.Helper()
	e := envVar(c, name)
	if e == nil || e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
		t.Fatalf("env %s: want a secretKeyRef, got %+v", name, e)
	}
	if ref := e.ValueFrom.SecretKeyRef; ref.Name != secret || ref.Key != key {
		t.Fatalf("env %s: secretKeyRef %s/%s, want %s/%s", name, ref.Name, ref.Key, secret, key)
	}
}

// volume finds a pod volume.
func volume(spec corev1.PodSpec, name string) *corev1.Volume {
	for i := range spec.Volumes {
		if spec.Volumes[i].Name == name {
			return &spec.Volumes[i]
		}
	}
	return nil
}

// renderNotes renders NOTES.txt, which helm template leaves out: a copy of the
// chart carries it as a ConfigMap rendered with tpl.
func renderNotes(t *testing.T, args ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "chart")
	if err := os.CopyFS(dir, os.DirFS(chartDir)); err != nil {
		t.Fatal(err)
	}
	notes, err := os.ReadFile(filepath.Join(dir, "templates", "NOTES.txt"))
	if err != nil {
		t.Fatal(err)
	}
	wrapper := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: {{ tpl (.Files.Get \"notes.txt\") . | quote }}\n"
	for name, content := range map[string]string{"notes.txt": string(notes), "templates/zz-notes.yaml": wrapper} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := helm(t, append([]string{"template", "x", dir, "--show-only", "templates/zz-notes.yaml"}, args...)...)
	var cm corev1.ConfigMap
	if err := decodeStrict(out, &cm); err != nil {
		t.Fatalf("notes: %v\n%s", err, out)
	}
	return cm.Data["notes"]
}

// The acceptance command: a working DaemonSet from one --set.
func TestDefaultRendersDaemonSet(t *testing.T) {
	m := renderDecoded(t)
	tmpl, c := m.podSpec(t)
	if m.daemonSet == nil || m.service != nil || m.secret != nil {
		t.Fatalf("want a DaemonSet, no Service, no Secret")
	}
	if c.Image != "otelcol-langsmith:0.1.0" || !reflect.DeepEqual(c.Command, []string{"/otelcol-langsmith"}) ||
		!reflect.DeepEqual(c.Args, []string{"--config=/conf/" + configKey}) {
		t.Fatalf("image/command/args: %s %v %v", c.Image, c.Command, c.Args)
	}
	if cm := volume(tmpl.Spec, "config"); cm == nil || cm.ConfigMap == nil || cm.ConfigMap.Name != m.configMap.Name {
		t.Fatalf("config volume: %+v", cm)
	}
	for _, p := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe} {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Port.String() != "health" {
			t.Fatalf("probe: %+v", p)
		}
	}
	if lookup(m.parsedConfig(t), "extensions", "health_check", "endpoint") != "0.0.0.0:13133" {
		t.Fatalf("health_check must listen on 13133 for the probes")
	}
	sc, psc := c.SecurityContext, tmpl.Spec.SecurityContext
	if *sc.AllowPrivilegeEscalation || !*sc.ReadOnlyRootFilesystem || sc.Capabilities.Drop[0] != "ALL" ||
		!*psc.RunAsNonRoot || *psc.RunAsUser != 10001 || *psc.RunAsGroup != 10001 || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Fatalf("security context: %+v %+v", sc, psc)
	}
	if *tmpl.Spec.AutomountServiceAccountToken || *m.serviceAccount.AutomountServiceAccountToken {
		t.Fatalf("the collector needs no API token")
	}
	if ru := m.daemonSet.Spec.UpdateStrategy.RollingUpdate; ru == nil || ru.MaxSurge != nil {
		t.Fatalf("rolling update without maxSurge (hostPort): %+v", ru)
	}
	for _, name := range []string{"K8S_NODE_NAME", "K8S_POD_NAME", "K8S_NAMESPACE"} {
		if e := envVar(c, name); e == nil || e.ValueFrom == nil || e.ValueFrom.FieldRef == nil {
			t.Fatalf("env %s from the downward API: %+v", name, e)
		}
	}
	attrs, _ := lookup(m.parsedConfig(t), "service", "telemetry", "resource", "attributes").([]any)
	want := map[string]string{"k8s.node.name": "${env:K8S_NODE_NAME}", "k8s.pod.name": "${env:K8S_POD_NAME}"}
	for _, a := range attrs {
		if kv, ok := a.(map[string]any); ok && want[fmt.Sprint(kv["name"])] == kv["value"] {
			delete(want, fmt.Sprint(kv["name"]))
		}
	}
	if len(want) != 0 {
		t.Fatalf("own telemetry resource attributes %v lack %v", attrs, want)
	}
}

func TestHostPortOnlyInDaemonSet(t *testing.T) {
	hostPorts := func(c *corev1.Container) map[string]int32 {
		ports := map[string]int32{}
		for _, p := range c.Ports {
			if p.HostPort != 0 {
				ports[p.Name] = p.HostPort
			}
		}
		return ports
	}
	_, agent := renderDecoded(t).podSpec(t)
	if got := hostPorts(agent); !reflect.DeepEqual(got, map[string]int32{"otlp": 4317, "otlp-http": 4318}) {
		t.Fatalf("daemonset hostPorts: %v", got)
	}
	gw := renderDecoded(t, "--set", "mode=deployment", "--set", "replicas=3")
	_, c := gw.podSpec(t)
	if got := hostPorts(c); len(got) != 0 {
		t.Fatalf("deployment hostPorts: %v", got)
	}
	if *gw.deployment.Spec.Replicas != 3 || gw.service == nil || gw.service.Spec.Type != corev1.ServiceTypeClusterIP ||
		gw.service.Spec.InternalTrafficPolicy != nil {
		t.Fatalf("gateway: replicas %d, service %+v", *gw.deployment.Spec.Replicas, gw.service)
	}
}

func TestDaemonSetServiceIsNodeLocal(t *testing.T) {
	svc := renderDecoded(t, "--set", "service.enabled=true").service
	if svc == nil || svc.Spec.InternalTrafficPolicy == nil || *svc.Spec.InternalTrafficPolicy != corev1.ServiceInternalTrafficPolicyLocal {
		t.Fatalf("service: %+v", svc)
	}
	if len(svc.Spec.Ports) != 2 || svc.Spec.Ports[0].Port != 4317 || svc.Spec.Ports[1].Port != 4318 {
		t.Fatalf("service ports: %+v", svc.Spec.Ports)
	}
}

// Literal keys go into the chart's Secret and nowhere else: not the ConfigMap,
// the pod spec, the other objects or NOTES.
func TestKeysOnlyThroughSecretRefs(t *testing.T) {
	const key, projectKey, token = "sk-test-SECRET", "sk-test-PROJECT", "tok-test-SECRET"
	args := []string{"--set", "langsmith.apiKey=" + key,
		"--set", "langsmith.projects[0].name=team-a", "--set", "langsmith.projects[0].apiKey=" + projectKey,
		"--set", "receiverAuth.enabled=true", "--set", "receiverAuth.token=" + token,
		"--set", "service.enabled=true", "--set", "metrics.enabled=true"}
	rendered := render(t, args...)
	m := decodeRendered(t, rendered)
	secret := m.secret
	if secret == nil || string(secret.Data["api-key"]) != key || string(secret.Data["project-0-api-key"]) != projectKey ||
		string(secret.Data["otlp-bearer-token"]) != token {
		t.Fatalf("chart Secret: %+v", secret)
	}
	_, c := m.podSpec(t)
	secretRef(t, c, "LANGSMITH_API_KEY", secret.Name, "api-key")
	secretRef(t, c, "LANGSMITH_API_KEY_0", secret.Name, "project-0-api-key")
	secretRef(t, c, "OTLP_BEARER_TOKEN", secret.Name, "otlp-bearer-token")
	cfg := m.parsedConfig(t)
	for path, want := range map[string]string{
		"exporters.langsmith.api_key":                 "${env:LANGSMITH_API_KEY}",
		"exporters.langsmith.projects.team-a.api_key": "${env:LANGSMITH_API_KEY_0}",
		"extensions.bearertokenauth.token":            "${env:OTLP_BEARER_TOKEN}",
	} {
		if got := lookup(cfg, strings.Split(path, ".")...); got != want {
			t.Fatalf("%s = %v, want %s", path, got, want)
		}
	}
	var public strings.Builder
	for _, doc := range splitDocuments(rendered) {
		if !strings.Contains(string(doc), "kind: Secret") {
			public.Write(doc)
		}
	}
	public.WriteString(renderNotes(t, args...))
	for _, s := range []string{key, projectKey, token} {
		for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte(s))} {
			if strings.Contains(public.String(), form) {
				t.Fatalf("%q appears outside the Secret", form)
			}
		}
	}
}

func TestExistingSecrets(t *testing.T) {
	m := decodeRendered(t, render(t, "-f", filepath.Join(chartDir, "ci", "existing-secret-values.yaml")))
	_, c := m.podSpec(t)
	secretRef(t, c, "LANGSMITH_API_KEY", "langsmith-credentials", "LANGSMITH_API_KEY")
	if m.secret != nil {
		t.Fatalf("no Secret when the key comes from an existing one")
	}
}

// Per-project credentials map onto the exporter's projects, keys by secretKeyRef.
func TestTenancyKeysFromSecrets(t *testing.T) {
	m := decodeRendered(t, render(t, "-f", filepath.Join(chartDir, "ci", "tenancy-values.yaml")))
	_, c := m.podSpec(t)
	secretRef(t, c, "LANGSMITH_API_KEY_0", "research-langsmith", "api-key")
	secretRef(t, c, "LANGSMITH_API_KEY_2", m.secret.Name, "project-2-api-key")
	if envVar(c, "LANGSMITH_API_KEY_1") != nil {
		t.Fatalf("team-support has only a workspace: no key env")
	}
	want := map[string]any{
		"team-research": map[string]any{"api_key": "${env:LANGSMITH_API_KEY_0}"},
		"team-support":  map[string]any{"workspace_id": "0f5c3a52-2a47-4a3c-9b8e-0d6f7f0c1e11"},
		"team-ops":      map[string]any{"api_key": "${env:LANGSMITH_API_KEY_2}"},
	}
	if got := lookup(m.parsedConfig(t), "exporters", "langsmith", "projects"); !reflect.DeepEqual(got, want) {
		t.Fatalf("projects = %v, want %v", got, want)
	}
}

func TestGOMEMLIMIT(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "409MiB"},
		{[]string{"--set", "resources.limits.memory=1Gi"}, "819MiB"},
		{[]string{"--set", "resources.limits.memory=2G"}, "1525MiB"},
		{[]string{"--set", "resources.limits.memory=1Gi", "--set", "goMemLimit.percent=90"}, "921MiB"},
		{[]string{"--set", "resources.limits=null"}, ""},
		{[]string{"--set", "goMemLimit.enabled=false"}, ""},
	} {
		_, ctr := renderDecoded(t, c.args...).podSpec(t)
		got := ""
		if e := envVar(ctr, "GOMEMLIMIT"); e != nil {
			got = e.Value
		}
		if got != c.want {
			t.Errorf("%v: GOMEMLIMIT %q, want %q", c.args, got, c.want)
		}
	}
	limiter := lookup(renderDecoded(t).parsedConfig(t), "processors", "memory_limiter")
	if want := map[string]any{"check_interval": "1s", "limit_percentage": 75.0, "spike_limit_percentage": 20.0}; !reflect.DeepEqual(limiter, want) {
		t.Fatalf("memory_limiter = %v, want %v (under GOMEMLIMIT's 80%%)", limiter, want)
	}
}

func TestChecksumFollowsConfig(t *testing.T) {
	checksum := func(args ...string) string {
		tmpl, _ := renderDecoded(t, args...).podSpec(t)
		return tmpl.Annotations["checksum/config"]
	}
	base := checksum()
	if base == "" || checksum() != base {
		t.Fatalf("checksum/config must be set and stable: %q", base)
	}
	if checksum("--set", "langsmith.project=other") == base {
		t.Fatalf("checksum/config did not change with the config")
	}
}

func TestPersistence(t *testing.T) {
	t.Run("hostPath", func(t *testing.T) {
		m := renderDecoded(t, "--namespace", "obs", "--set", "podSecurityContext.runAsUser=20000", "--set", "podSecurityContext.runAsGroup=20001")
		tmpl, c := m.podSpec(t)
		q := volume(tmpl.Spec, "queue")
		if q == nil || q.HostPath == nil || q.HostPath.Path != "/var/lib/otelcol-langsmith/obs-x" || *q.HostPath.Type != corev1.HostPathDirectoryOrCreate {
			t.Fatalf("queue volume: %+v", q)
		}
		if len(tmpl.Spec.InitContainers) != 1 {
			t.Fatalf("want the prepare-queue-dir init container")
		}
		ic := tmpl.Spec.InitContainers[0]
		wantArgs := []string{"-dir", "/var/lib/otelcol-langsmith", "-uid", "20000", "-gid", "20001"}
		if ic.Image != c.Image || !reflect.DeepEqual(ic.Command, []string{"/prepare-queue-dir"}) || !reflect.DeepEqual(ic.Args, wantArgs) {
			t.Fatalf("init container: %s %v %v", ic.Image, ic.Command, ic.Args)
		}
		isc := ic.SecurityContext
		if *isc.RunAsUser != 0 || *isc.AllowPrivilegeEscalation || !*isc.ReadOnlyRootFilesystem ||
			!reflect.DeepEqual(isc.Capabilities.Drop, []corev1.Capability{"ALL"}) ||
			!reflect.DeepEqual(isc.Capabilities.Add, []corev1.Capability{"CHOWN", "FOWNER"}) {
			t.Fatalf("init container security context: %+v", isc)
		}
		cfg := m.parsedConfig(t)
		if lookup(cfg, "exporters", "langsmith", "sending_queue", "storage") != "file_storage" ||
			lookup(cfg, "extensions", "file_storage", "directory") != "/var/lib/otelcol-langsmith" {
			t.Fatalf("queue not on file_storage at the mount: %v", cfg)
		}
	})
	for name, args := range map[string][]string{
		"emptyDir":           {"--set", "persistence.type=emptyDir"},
		"gateway by default": {"--set", "mode=deployment"},
	} {
		t.Run(name, func(t *testing.T) {
			tmpl, _ := renderDecoded(t, args...).podSpec(t)
			if q := volume(tmpl.Spec, "queue"); q == nil || q.EmptyDir == nil || len(tmpl.Spec.InitContainers) != 0 {
				t.Fatalf("want an emptyDir queue and no init container: %+v", tmpl.Spec)
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		m := renderDecoded(t, "--set", "persistence.enabled=false")
		tmpl, _ := m.podSpec(t)
		cfg := m.parsedConfig(t)
		if volume(tmpl.Spec, "queue") != nil || lookup(cfg, "extensions", "file_storage") != nil || lookup(cfg, "exporters", "langsmith", "sending_queue") != nil {
			t.Fatalf("persistence off still renders a queue volume or file_storage")
		}
	})
}

func TestSchedulingPassthrough(t *testing.T) {
	tmpl, _ := renderDecoded(t,
		"--set", "tolerations[0].operator=Exists",
		"--set", "nodeSelector.pool=agents",
		"--set", "priorityClassName=system-node-critical",
		"--set", "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key=gpu",
		"--set", "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator=DoesNotExist",
	).podSpec(t)
	s := tmpl.Spec
	if len(s.Tolerations) != 1 || s.Tolerations[0].Operator != corev1.TolerationOpExists || s.NodeSelector["pool"] != "agents" ||
		s.PriorityClassName != "system-node-critical" || s.Affinity == nil || s.Affinity.NodeAffinity == nil {
		t.Fatalf("scheduling values not passed through: %+v", s)
	}
}

// config overrides a generated key and keeps its siblings.
func TestConfigMergesOverGenerated(t *testing.T) {
	cfg := renderDecoded(t, "--set", "config.processors.memory_limiter.check_interval=5s",
		"--set", "config.processors.agent_span.idle_timeout=10s").parsedConfig(t)
	if lookup(cfg, "processors", "memory_limiter", "check_interval") != "5s" ||
		lookup(cfg, "processors", "memory_limiter", "limit_percentage") != 75.0 ||
		lookup(cfg, "processors", "agent_span", "idle_timeout") != "10s" {
		t.Fatalf("merged config: %v", lookup(cfg, "processors"))
	}
}

func TestMetricsAndAuth(t *testing.T) {
	ci := filepath.Join(chartDir, "ci", "auth-metrics-values.yaml")
	m := decodeRendered(t, render(t, "-f", ci, "--api-versions", "monitoring.coreos.com/v1/PodMonitor"))
	tmpl, c := m.podSpec(t)
	if tmpl.Annotations["prometheus.io/scrape"] != "true" || tmpl.Annotations["prometheus.io/port"] != "8888" {
		t.Fatalf("scrape annotations: %v", tmpl.Annotations)
	}
	if c.Ports[len(c.Ports)-1].ContainerPort != 8888 || m.podMonitor == nil {
		t.Fatalf("metrics port or PodMonitor missing")
	}
	cfg := m.parsedConfig(t)
	readers, _ := lookup(cfg, "service", "telemetry", "metrics", "readers").([]any)
	if len(readers) != 1 || lookup(readers[0], "pull", "exporter", "prometheus", "port") != 8888.0 {
		t.Fatalf("telemetry readers: %v", readers)
	}
	for _, proto := range []string{"grpc", "http"} {
		if lookup(cfg, "receivers", "otlp", "protocols", proto, "auth", "authenticator") != "bearertokenauth" {
			t.Fatalf("otlp %s without bearertokenauth", proto)
		}
	}
	secretRef(t, c, "OTLP_BEARER_TOKEN", "otlp-token", "token")
	if decodeRendered(t, render(t, "-f", ci)).podMonitor != nil {
		t.Fatalf("PodMonitor rendered without the monitoring.coreos.com/v1 API")
	}
}

func TestNotesPointAppsAtTheNodeAgent(t *testing.T) {
	notes := renderNotes(t, "--set", "langsmith.existingSecret=ls-key")
	for _, want := range []string{"status.hostIP", "http://$(HOST_IP):4318", "OTEL_RESOURCE_ATTRIBUTES", `Secret "ls-key"`} {
		if !strings.Contains(notes, want) {
			t.Fatalf("NOTES lack %q:\n%s", want, notes)
		}
	}
	kafka := renderNotes(t, "-f", filepath.Join(chartDir, "ci", "kafka-values.yaml"))
	for _, want := range []string{"Kafka tier", "x-otelcol-langsmith-gateway", "partitions first"} {
		if !strings.Contains(kafka, want) {
			t.Fatalf("NOTES with scaleOut.kafka lack %q:\n%s", want, kafka)
		}
	}
}

// Values the chart cannot turn into a working pod fail the render with a message.
func TestRenderRefusesBrokenValues(t *testing.T) {
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"no key source":         {nil, "set langsmith.existingSecret"},
		"two key sources":       {[]string{"--set", "langsmith.apiKey=a", "--set", "langsmith.existingSecret=b"}, "only one of langsmith.apiKey"},
		"gateway on hostPath":   {[]string{"--set", "langsmith.existingSecret=b", "--set", "mode=deployment", "--set", "persistence.type=hostPath"}, "persistence.type=emptyDir"},
		"limiter over memlimit": {[]string{"--set", "langsmith.existingSecret=b", "--set", "memoryLimiter.limitPercentage=85"}, "below goMemLimit.percent"},
		"auth without token":    {[]string{"--set", "langsmith.existingSecret=b", "--set", "receiverAuth.enabled=true"}, "receiverAuth.existingSecret"},
		"bad memory limit":      {[]string{"--set", "langsmith.existingSecret=b", "--set", "resources.limits.memory=lots"}, "resources.limits.memory"},
	} {
		t.Run(name, func(t *testing.T) {
			out, err := helmResult(t, append([]string{"template", "x", chartDir}, c.args...)...)
			if err == nil || !strings.Contains(string(out), c.want) {
				t.Fatalf("want a render error with %q, got %v:\n%s", c.want, err, out)
			}
		})
	}
}
