package helmtest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// TestAPIServer installs the chart into a real kube-apiserver (with etcd),
// which applies the validation, defaulting and admission that helm template
// and strict decoding cannot: every mode and every ci/ values file must be
// accepted, and every object helm says it installed must be stored. The
// control plane takes seconds to start, so the cases share one.
func TestAPIServer(t *testing.T) {
	// helm keeps a discovery cache under $HOME/.kube; keep it in the test.
	t.Setenv("HOME", t.TempDir())
	cp := startControlPlane(t)

	t.Run("RefusesInvalidObject", func(t *testing.T) { testRefusesInvalidObject(t, cp) })

	for _, c := range []installCase{
		{
			name:   "mode=daemonset",
			args:   []string{"--set", "langsmith.apiKey=test-key"},
			want:   []string{"DaemonSet", "ConfigMap", "Secret", "ServiceAccount"},
			absent: []string{"Deployment", "Service"},
		},
		{
			name:   "mode=daemonset,service",
			args:   []string{"--set", "langsmith.apiKey=test-key", "--set", "service.enabled=true"},
			want:   []string{"DaemonSet", "ConfigMap", "Secret", "ServiceAccount", "Service"},
			absent: []string{"Deployment"},
		},
		{
			name: "mode=deployment",
			// The chart refuses the per-node hostPath queue for gateway replicas.
			args:   []string{"--set", "mode=deployment", "--set", "langsmith.apiKey=test-key"},
			want:   []string{"Deployment", "ConfigMap", "Secret", "ServiceAccount", "Service"},
			absent: []string{"DaemonSet"},
		},
		{
			name:    "existingSecret",
			args:    []string{"--set", "langsmith.existingSecret=langsmith-key"},
			secrets: map[string][]string{"langsmith-key": {"api-key"}},
			want:    []string{"DaemonSet", "ConfigMap", "ServiceAccount"},
			absent:  []string{"Deployment"},
		},
	} {
		t.Run("Install/"+c.name, func(t *testing.T) { c.run(t, cp) })
	}

	ciFiles, err := filepath.Glob(filepath.Join(chartDir, "ci", "*.yaml"))
	if err != nil || len(ciFiles) == 0 {
		t.Fatalf("no ci/*.yaml values files in %s (%v)", chartDir, err)
	}
	for _, f := range ciFiles {
		c := ciInstallCase(t, f)
		t.Run("Install/ci/"+filepath.Base(f), func(t *testing.T) { c.run(t, cp) })
	}

	t.Run("UpgradeChangesConfigChecksum", func(t *testing.T) { testUpgradeChangesChecksum(t, cp) })
	t.Run("PodMonitor", func(t *testing.T) { testPodMonitor(t, cp) })
}

// installCase is one helm install of the chart into a namespace of its own.
type installCase struct {
	name    string
	args    []string            // helm install arguments: values
	secrets map[string][]string // Secrets to create first (existingSecret), with their keys
	want    []string            // kinds the release must contain
	absent  []string            // kinds it must not contain
}

// run installs, checks every object of the release manifest is stored by the
// API server, uninstalls and checks they are gone.
func (c installCase) run(t *testing.T, cp *controlPlane) {
	ns := newNamespace(t, cp)
	for name, keys := range c.secrets {
		data := map[string]string{}
		for _, k := range keys {
			data[k] = "test-" + k
		}
		cp.createSecret(t, ns, name, data)
	}
	objs := cp.install(t, ns, "otel", chartDir, c.args...)
	kinds := map[string]bool{}
	for _, o := range objs {
		kinds[o.Kind] = true
	}
	for _, k := range c.want {
		if !kinds[k] {
			t.Errorf("release has no %s; it has %v", k, objs)
		}
	}
	for _, k := range c.absent {
		if kinds[k] {
			t.Errorf("release has a %s; want none (it has %v)", k, objs)
		}
	}
	cp.uninstall(t, ns, "otel", objs)
}

// ciInstallCase installs a ci/ values file as it stands, creating the Secrets
// it names and adding an API key when it sets no key source.
func ciInstallCase(t *testing.T, file string) installCase {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var values map[string]any
	if err := yaml.Unmarshal(b, &values); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	c := installCase{name: filepath.Base(file), args: []string{"-f", file}, secrets: existingSecrets(values)}
	langsmith, _ := values["langsmith"].(map[string]any)
	if langsmith["apiKey"] == nil && langsmith["existingSecret"] == nil {
		c.args = append(c.args, "--set", "langsmith.apiKey=test-key")
	}
	c.want = []string{"DaemonSet", "ConfigMap", "ServiceAccount"}
	service, _ := values["service"].(map[string]any)
	if values["mode"] == "deployment" {
		c.want = []string{"Deployment", "ConfigMap", "ServiceAccount", "Service"}
	} else if service["enabled"] == true {
		c.want = append(c.want, "Service")
	}
	return c
}

// existingSecrets maps every existingSecret named anywhere in values to the
// keys it is read under: its existingSecretKey, else the chart's defaults.
func existingSecrets(v any) map[string][]string {
	secrets := map[string][]string{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if name, _ := v["existingSecret"].(string); name != "" {
				if key, _ := v["existingSecretKey"].(string); key != "" {
					secrets[name] = append(secrets[name], key)
				} else {
					secrets[name] = append(secrets[name], "api-key", "token")
				}
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return secrets
}

// testRefusesInvalidObject proves the API server's validation is live: the
// probe chart installs with a valid container port, and helm install fails
// with the API server's own message when the port is out of range, which no
// OpenAPI type check catches.
func testRefusesInvalidObject(t *testing.T, cp *controlPlane) {
	chart := filepath.Join("testdata", "probe-chart")
	ns := newNamespace(t, cp)
	objs := cp.install(t, ns, "valid", chart)
	if len(objs) != 1 || objs[0].Kind != "DaemonSet" {
		t.Fatalf("probe chart installed %v, want one DaemonSet", objs)
	}
	cp.uninstall(t, ns, "valid", objs)

	out, err := helmResult(t, cp.helmArgs(ns, "install", "invalid", chart, "--set", "containerPort=70000")...)
	if err == nil {
		t.Fatalf("helm install of a DaemonSet with containerPort 70000 succeeded:\n%s", out)
	}
	for _, want := range []string{"containerPort", "must be between 1 and 65535"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("helm install error lacks %q:\n%s", want, out)
		}
	}
	if status, _, err := cp.do(http.MethodGet, "/apis/apps/v1/namespaces/"+ns+"/daemonsets/invalid-probe", nil); err != nil || status != http.StatusNotFound {
		t.Errorf("refused DaemonSet: GET status %d (%v), want 404", status, err)
	}
}

// testUpgradeChangesChecksum upgrades a release with a changed collector
// setting and checks the DaemonSet the API server stored has a new config
// checksum on its pod template, the change that rolls the pods.
func testUpgradeChangesChecksum(t *testing.T, cp *controlPlane) {
	ns := newNamespace(t, cp)
	objs := cp.install(t, ns, "otel", chartDir, "--set", "langsmith.apiKey=test-key")
	ds := findObject(t, objs, "DaemonSet")
	path := cp.objectPath(t, ds, ns)
	before := checksums(cp.get(t, path))
	if before[configChecksum] == "" {
		t.Fatalf("stored DaemonSet pod template has no %s annotation: %v", configChecksum, before)
	}

	cp.helm(t, ns, "upgrade", "otel", chartDir, "--reuse-values", "--set", "langsmith.project=upgraded")
	after := checksums(cp.get(t, path))
	if after[configChecksum] == "" || after[configChecksum] == before[configChecksum] {
		t.Errorf("%s after upgrade = %q, want a value other than %q", configChecksum, after[configChecksum], before[configChecksum])
	}
	cp.uninstall(t, ns, "otel", parseManifest(t, cp.helm(t, ns, "get", "manifest", "otel")))
}

// configChecksum is the pod template annotation the chart sets to the hash of
// its collector config.
const configChecksum = "checksum/config"

// checksums are the checksum/* annotations of a stored pod template.
func checksums(o storedObject) map[string]string {
	m := map[string]string{}
	for k, v := range o.Spec.Template.Metadata.Annotations {
		if strings.HasPrefix(k, "checksum/") {
			m[k] = v
		}
	}
	return m
}

// testPodMonitor checks the chart creates its PodMonitor only when the API
// server serves monitoring.coreos.com/v1: none before the CRD exists, one
// stored after.
func testPodMonitor(t *testing.T, cp *controlPlane) {
	args := []string{"--set", "langsmith.apiKey=test-key", "--set", "metrics.enabled=true", "--set", "metrics.podMonitor.enabled=true"}
	ns := newNamespace(t, cp)
	objs := cp.install(t, ns, "otel", chartDir, args...)
	for _, o := range objs {
		if o.Kind == "PodMonitor" {
			t.Errorf("release has a PodMonitor while the API server serves no monitoring.coreos.com/v1")
		}
	}
	cp.uninstall(t, ns, "otel", objs)

	cp.createCRD(t, filepath.Join("testdata", "podmonitor-crd.yaml"), "monitoring.coreos.com/v1", "podmonitors")
	ns = newNamespace(t, cp)
	objs = cp.install(t, ns, "otel", chartDir, args...)
	findObject(t, objs, "PodMonitor") // install already checked it is stored
	cp.uninstall(t, ns, "otel", objs)
}

// createCRD creates the CustomResourceDefinition in file and waits until the
// API server serves resource in apiVersion.
func (cp *controlPlane) createCRD(t *testing.T, file, apiVersion, resource string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var crd map[string]any
	if err := yaml.Unmarshal(b, &crd); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	cp.mustDo(t, http.StatusCreated, http.MethodPost, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, body, err := cp.do(http.MethodGet, groupVersionPath(apiVersion), nil)
		if err == nil && status == http.StatusOK && strings.Contains(string(body), `"name":"`+resource+`"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("API server does not serve %s/%s 30 s after creating its CRD: status %d, %v", apiVersion, resource, status, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func findObject(t *testing.T, objs []manifestObject, kind string) manifestObject {
	t.Helper()
	for _, o := range objs {
		if o.Kind == kind {
			return o
		}
	}
	t.Fatalf("release has no %s: %v", kind, objs)
	return manifestObject{}
}

// namespaces numbers the namespaces the cases install into.
var namespaces atomic.Int32

// newNamespace creates a fresh namespace. Namespaces are never deleted: with
// no controller manager their deletion would never finish.
func newNamespace(t *testing.T, cp *controlPlane) string {
	t.Helper()
	ns := fmt.Sprintf("helmtest-%d", namespaces.Add(1))
	cp.createNamespace(t, ns)
	return ns
}

// helmArgs adds the control plane and namespace to helm arguments.
func (cp *controlPlane) helmArgs(ns string, args ...string) []string {
	return append(args, "--kubeconfig", cp.Kubeconfig, "--namespace", ns)
}

// helm runs helm against the control plane in ns.
func (cp *controlPlane) helm(t *testing.T, ns string, args ...string) []byte {
	t.Helper()
	return helm(t, cp.helmArgs(ns, args...)...)
}

// install runs helm install without waiting (no pod ever runs here) and checks
// that every object of the release manifest is stored by the API server,
// labelled as helm's.
func (cp *controlPlane) install(t *testing.T, ns, release, chart string, args ...string) []manifestObject {
	t.Helper()
	cp.helm(t, ns, append([]string{"install", release, chart, "--create-namespace", "--wait=false"}, args...)...)
	objs := parseManifest(t, cp.helm(t, ns, "get", "manifest", release))
	if len(objs) == 0 {
		t.Fatalf("release %s has an empty manifest", release)
	}
	for _, o := range objs {
		got := cp.get(t, cp.objectPath(t, o, ns))
		if got.Metadata.Name != o.Metadata.Name || got.Metadata.UID == "" {
			t.Errorf("%s: API server returned name %q uid %q", o, got.Metadata.Name, got.Metadata.UID)
		}
		if r := got.Metadata.Annotations["meta.helm.sh/release-name"]; r != release {
			t.Errorf("%s: stored with meta.helm.sh/release-name %q, want %q", o, r, release)
		}
	}
	return objs
}

// uninstall runs helm uninstall and checks each object is gone.
func (cp *controlPlane) uninstall(t *testing.T, ns, release string, objs []manifestObject) {
	t.Helper()
	cp.helm(t, ns, "uninstall", release)
	for _, o := range objs {
		path := cp.objectPath(t, o, ns)
		if status, _, err := cp.do(http.MethodGet, path, nil); err != nil || status != http.StatusNotFound {
			t.Errorf("%s after uninstall: GET status %d (%v), want 404", o, status, err)
		}
	}
}
