package helmtest

import (
	"path/filepath"
	"strings"
	"testing"
)

// The defaults need a key source; everything else about them must lint clean.
func TestLintDefaultValues(t *testing.T) {
	helm(t, "lint", "--strict", chartDir, "--set", "langsmith.existingSecret=x")
}

func TestLintCIValues(t *testing.T) {
	for _, f := range ciValuesFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			helm(t, "lint", "--strict", chartDir, "-f", f)
		})
	}
}

// values.schema.json must refuse what the templates would silently ignore or
// mis-render.
func TestSchemaRejectsBadValues(t *testing.T) {
	for name, c := range map[string]struct{ set, want string }{
		"unknown top-level value": {"--set=bogus=1", "additional properties 'bogus' not allowed"},
		"unknown nested value":    {"--set=image.repo=x", "additional properties 'repo' not allowed"},
		"wrong type":              {"--set-string=replicas=two", "want integer"},
		"unknown mode":            {"--set=mode=statefulset", "mode"},
		"relative hostPath":       {"--set=persistence.hostPath=queue", "hostPath"},
	} {
		t.Run(name, func(t *testing.T) {
			out, err := helmResult(t, "lint", "--strict", chartDir, "--set", "langsmith.existingSecret=x", c.set)
			if err == nil {
				t.Fatalf("lint accepted %s:\n%s", c.set, out)
			}
			if !strings.Contains(string(out), c.want) {
				t.Fatalf("lint refused %s without mentioning %q:\n%s", c.set, c.want, out)
			}
		})
	}
}
