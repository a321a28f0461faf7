//go:build systemtest || scaletest

package systemtest

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/collectortest"
)

// collectorProcess is the otelcol-langsmith binary running a config.
type collectorProcess struct {
	t       *testing.T
	cmd     *exec.Cmd
	logPath string
	metrics string // Prometheus URL of its internal telemetry
	exited  chan struct{}
}

// collectorBinary is the binary under test.
func collectorBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("OTELCOL_BIN")
	if bin == "" {
		bin = filepath.Join("..", "..", "bin", "otelcol-langsmith")
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(abs); err != nil {
		t.Fatalf("the collector binary is missing (run make build, or set OTELCOL_BIN): %v", err)
	}
	return abs
}

// startCollector runs the binary with cfg (a YAML body whose health_check
// and Prometheus ports are given) and waits until it is healthy. The process
// is killed when the test ends if it still runs.
func startCollector(t *testing.T, name, cfg string, healthPort, metricsPort int) *collectorProcess {
	t.Helper()
	return startCollectorWith(t, name, []string{cfg}, nil, healthPort, metricsPort)
}

// startCollectorWith is startCollector with several config bodies (merged by
// the collector in order) and extra environment variables.
func startCollectorWith(t *testing.T, name string, cfgs, env []string, healthPort, metricsPort int) *collectorProcess {
	t.Helper()
	dir := t.TempDir()
	var args []string
	for i, cfg := range cfgs {
		cfgPath := filepath.Join(dir, fmt.Sprintf("%s-%d.yaml", name, i))
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--config", cfgPath)
	}
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(collectorBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &collectorProcess{t: t, cmd: cmd, logPath: logPath, exited: make(chan struct{}),
		metrics: fmt.Sprintf("http://%s/metrics", collectortest.Endpoint(metricsPort))}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(c.exited)
	}()
	t.Cleanup(func() {
		c.kill()
		if t.Failed() {
			t.Logf("%s log (tail):\n%s", name, tail(c.log(), 60))
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(fmt.Sprintf("http://%s/", collectortest.Endpoint(healthPort)))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c
			}
		}
		select {
		case <-c.exited:
			t.Fatalf("%s exited while starting:\n%s", name, c.log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not healthy within 30s:\n%s", name, c.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *collectorProcess) pid() int { return c.cmd.Process.Pid }

// kill sends SIGKILL and waits for the process to be gone.
func (c *collectorProcess) kill() {
	select {
	case <-c.exited:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.exited
}

// terminate sends SIGTERM and waits at most limit for a graceful exit.
func (c *collectorProcess) terminate(limit time.Duration) time.Duration {
	c.t.Helper()
	start := time.Now()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
		return time.Since(start)
	case <-time.After(limit):
		c.t.Fatalf("collector still running %s after SIGTERM", limit)
		return 0
	}
}

func (c *collectorProcess) log() string {
	b, _ := os.ReadFile(c.logPath)
	return string(b)
}

// peakRSS is VmHWM, the process's peak resident set, in bytes.
func (c *collectorProcess) peakRSS() int64 {
	c.t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.pid()))
	if err != nil {
		c.t.Fatalf("reading the collector's /proc status: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	c.t.Fatal("no VmHWM in /proc status")
	return 0
}

// metric sums the samples of a Prometheus metric of the collector's own
// telemetry whose labels contain every given label (name="value").
func (c *collectorProcess) metric(name string, labels ...string) float64 {
	c.t.Helper()
	resp, err := http.Get(c.metrics)
	if err != nil {
		c.t.Fatalf("scraping %s: %v", c.metrics, err)
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name) {
			continue
		}
		rest := line[len(name):]
		if rest != "" && rest[0] != '{' && rest[0] != ' ' {
			continue // a longer metric name
		}
		matches := true
		for _, l := range labels {
			matches = matches && strings.Contains(rest, l)
		}
		if !matches {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err == nil {
			sum += v
		}
	}
	return sum
}

func tail(s string, lines int) string {
	parts := bytes.Split([]byte(s), []byte("\n"))
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return string(bytes.Join(parts, []byte("\n")))
}
