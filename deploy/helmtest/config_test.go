package helmtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// configKey is the ConfigMap key the collector reads (--config=/conf/config.yaml).
const configKey = "config.yaml"

// collectorConfig is the collector config of a decoded rendering.
func (m decodedManifests) collectorConfig(t *testing.T) string {
	t.Helper()
	if m.configMap == nil || m.configMap.Data[configKey] == "" {
		t.Fatalf("no ConfigMap with %s", configKey)
	}
	return m.configMap.Data[configKey]
}

// parsedConfig is the collector config as a generic map, for lookups.
func (m decodedManifests) parsedConfig(t *testing.T) map[string]any {
	t.Helper()
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(m.collectorConfig(t)), &cfg); err != nil {
		t.Fatalf("collector config is not YAML: %v", err)
	}
	return cfg
}

// lookup walks nested maps; nil when a key is missing.
func lookup(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// validateRendering runs `otelcol-langsmith validate` on the rendering's
// config with the collector container's env: literal values as they are
// (GOMEMLIMIT must parse), secret and downward API ones as dummies.
func validateRendering(t *testing.T, m decodedManifests) ([]byte, error) {
	t.Helper()
	_, c := m.podSpec(t)
	return validateConfig(t, m.collectorConfig(t), c)
}

// validateConfig runs `otelcol-langsmith validate` on config with container
// c's env, as validateRendering does.
func validateConfig(t *testing.T, config string, c *corev1.Container) ([]byte, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), configKey)
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tool(t, "OTELCOL_BIN"), "validate", "--config", path)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	for _, e := range c.Env {
		value := e.Value
		if e.ValueFrom != nil {
			value = "dummy-" + strings.ToLower(e.Name)
		}
		cmd.Env = append(cmd.Env, e.Name+"="+value)
	}
	return cmd.CombinedOutput()
}

func TestCollectorConfigValidates(t *testing.T) {
	for name, args := range valueSets(t) {
		t.Run(name, func(t *testing.T) {
			if out, err := validateRendering(t, decodeRendered(t, render(t, args...))); err != nil {
				t.Fatalf("validate: %v\n%s", err, out)
			}
		})
	}
}

// The validation above means something only if the binary refuses a bad
// override that the chart passes through.
func TestCollectorRejectsBadOverride(t *testing.T) {
	for name, set := range map[string]string{
		"bad compression":   "config.exporters.langsmith.compression=bogus",
		"unknown processor": "config.service.pipelines.traces.processors={memory_limiter,no_such_processor,agent_span}",
	} {
		t.Run(name, func(t *testing.T) {
			m := decodeRendered(t, render(t, "--set", "langsmith.existingSecret=ls-key", "--set", set))
			if out, err := validateRendering(t, m); err == nil {
				t.Fatalf("validate accepted the override %s:\n%s", set, out)
			}
		})
	}
}
