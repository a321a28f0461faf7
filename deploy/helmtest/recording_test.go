package helmtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// referenceRecording is the recorded AutoGen reference run (OTLP/JSON, see
// internal/recordings), the trace the pod is fed.
const referenceRecording = "autogen-0.7.5-reference"

// otlpIDField matches the hex trace and span ids of OTLP/JSON.
var otlpIDField = regexp.MustCompile(`"(traceId|spanId|parentSpanId)"\s*:\s*"([0-9a-fA-F]+)"`)

// recordingWithFreshIDs returns a recording with every trace and span id
// replaced consistently by new random ones: the same program run again, so
// its runs get new ids instead of meeting the first run's as duplicates.
func recordingWithFreshIDs(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(), "internal", "recordings", "testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	fresh := map[string]string{}
	return otlpIDField.ReplaceAllFunc(b, func(m []byte) []byte {
		sub := otlpIDField.FindSubmatch(m)
		old := string(sub[2])
		id, ok := fresh[old]
		if !ok {
			r := make([]byte, len(old)/2)
			if _, err := rand.Read(r); err != nil {
				t.Fatal(err)
			}
			id = hex.EncodeToString(r)
			fresh[old] = id
		}
		return []byte(`"` + string(sub[1]) + `":"` + id + `"`)
	})
}

// postTraces sends OTLP/JSON to an OTLP/HTTP receiver and requires success.
func postTraces(t *testing.T, baseURL string, body []byte) {
	t.Helper()
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Post(baseURL+"/v1/traces", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("send traces: %v", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("send traces: %s: %s", resp.Status, msg)
	}
}
