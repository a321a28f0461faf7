package helmtest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// chartDir is the chart under test, relative to this package.
var chartDir = filepath.Join("..", "helm", "otelcol-langsmith")

// tool returns the path of a tool make helm-test passes in the environment
// variable name. The tests need every tool: a missing one is a failure.
func tool(t *testing.T, name string) string {
	t.Helper()
	p := os.Getenv(name)
	if p == "" {
		t.Fatalf("%s is not set: run these tests through make helm-test", name)
	}
	return p
}

// helm runs the helm binary and returns its standard output, failing the test
// with helm's standard error when it exits non-zero.
func helm(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := helmResult(t, args...)
	if err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// helmResult runs helm and returns its combined output and error, for tests
// that expect helm to refuse something.
func helmResult(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command(tool(t, "HELM"), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	if err := cmd.Run(); err != nil {
		return append(stdout.Bytes(), stderr.Bytes()...), err
	}
	return stdout.Bytes(), nil
}

// render runs helm template for release "x" with the given extra arguments
// (--set, -f, --namespace ...) and returns the rendered multi-document YAML.
func render(t *testing.T, args ...string) []byte {
	t.Helper()
	return helm(t, append([]string{"template", "x", chartDir}, args...)...)
}

// splitDocuments splits multi-document YAML into its non-empty documents.
func splitDocuments(rendered []byte) [][]byte {
	var docs [][]byte
	for _, doc := range bytes.Split(rendered, []byte("\n---")) {
		if len(bytes.TrimSpace(stripComments(doc))) > 0 {
			docs = append(docs, doc)
		}
	}
	return docs
}

// stripComments drops full-line YAML comments (helm's "# Source:" lines).
func stripComments(doc []byte) []byte {
	var b bytes.Buffer
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// repoRoot is the repository's top folder.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// ciValuesFiles lists the chart's ci/*.yaml value files, the option sets helm
// lint and the rendered-output tests exercise.
func ciValuesFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(chartDir, "ci", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no ci values files in %s: %v", chartDir, err)
	}
	return files
}

// valueSets names every rendering the tests cover: both modes with the
// minimum a user must set, and each ci values file (with the PodMonitor API
// advertised, so that template renders too).
func valueSets(t *testing.T) map[string][]string {
	t.Helper()
	sets := map[string][]string{
		"daemonset":  {"--set", "langsmith.existingSecret=ls-key"},
		"deployment": {"--set", "langsmith.existingSecret=ls-key", "--set", "mode=deployment"},
	}
	for _, f := range ciValuesFiles(t) {
		sets["ci/"+filepath.Base(f)] = []string{"-f", f, "--api-versions", "monitoring.coreos.com/v1/PodMonitor"}
	}
	return sets
}
