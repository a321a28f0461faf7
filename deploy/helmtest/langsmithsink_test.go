package helmtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// langSmithSink is the LangSmith-compatible test server (SINK_BIN, built by
// make sink) on 127.0.0.1, driven through its /_test/ control endpoints
// (internal/langsmithtest/control.go).
type langSmithSink struct {
	url string
	log string
}

// sinkRun and sinkRequest are the parts of /_test/runs and /_test/requests the tests read.
type sinkRun struct {
	ID          string `json:"id"`
	TraceID     string `json:"trace_id"`
	ParentRunID string `json:"parent_run_id"`
	Name        string `json:"name"`
	SessionName string `json:"session_name"`
}

type sinkRequest struct {
	Method string   `json:"method"`
	Path   string   `json:"path"`
	Status int      `json:"status"`
	RunIDs []string `json:"run_ids"`
	Fault  bool     `json:"fault"`
}

// sinkFault is one POST /_test/faults entry.
type sinkFault struct {
	Path   string `json:"path"`
	Status int    `json:"status"`
	Times  int    `json:"times"`
}

// startLangSmithSink starts the sink requiring apiKey; it stops with the
// test, and by itself after maxDuration should the test binary be killed.
func startLangSmithSink(t *testing.T, apiKey string, maxDuration time.Duration) *langSmithSink {
	t.Helper()
	dir := t.TempDir()
	addrFile := filepath.Join(dir, "addr")
	s := &langSmithSink{log: filepath.Join(dir, "sink.log")}
	logFile, err := os.Create(s.log)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(tool(t, "SINK_BIN"), "-addr", "127.0.0.1:0", "-addr-file", addrFile,
		"-api-key", apiKey, "-max-duration", maxDuration.String())
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			b, _ := os.ReadFile(s.log)
			t.Logf("langsmith-sink log (last 4 KiB):\n%s", tail(b, 4096))
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(addrFile); err == nil && len(bytes.TrimSpace(b)) > 0 {
			s.url = strings.TrimSpace(string(b))
			return s
		}
		select {
		case <-exited:
			b, _ := os.ReadFile(s.log)
			t.Fatalf("langsmith-sink exited at start:\n%s", b)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("langsmith-sink did not write its address within 10s")
		}
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func (s *langSmithSink) runs(t *testing.T) []sinkRun {
	t.Helper()
	var runs []sinkRun
	s.control(t, http.MethodGet, "/_test/runs", nil, &runs)
	return runs
}

func (s *langSmithSink) requests(t *testing.T) []sinkRequest {
	t.Helper()
	var reqs []sinkRequest
	s.control(t, http.MethodGet, "/_test/requests", nil, &reqs)
	return reqs
}

// problems are the rule violations and consistency failures the sink saw.
func (s *langSmithSink) problems(t *testing.T) []string {
	t.Helper()
	var violations, check []string
	s.control(t, http.MethodGet, "/_test/violations", nil, &violations)
	s.control(t, http.MethodGet, "/_test/check", nil, &check)
	return append(violations, check...)
}

func (s *langSmithSink) injectFaults(t *testing.T, faults ...sinkFault) {
	t.Helper()
	s.control(t, http.MethodPost, "/_test/faults", faults, nil)
}

// reset forgets runs, requests and pending faults.
func (s *langSmithSink) reset(t *testing.T) {
	t.Helper()
	s.control(t, http.MethodPost, "/_test/reset", nil, nil)
}

func (s *langSmithSink) control(t *testing.T, method, path string, in, out any) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	client := http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %s: %s", method, path, resp.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode: %v\n%s", method, path, err, b)
		}
	}
}
