// Command loadgen replays a recorded AutoGen trace at a fixed span rate to a
// collector's OTLP/HTTP receiver, each copy under a fresh trace id, while
// sampling the collector's CPU and resident memory from /proc. It prints one
// JSON object with what it sent and measured. Loopback only, bounded in time.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
)

type result struct {
	SpansSent     int64   `json:"spans_sent"`
	TracesSent    int64   `json:"traces_sent"`
	SendErrors    int64   `json:"send_errors"`
	Seconds       float64 `json:"seconds"`
	CPUAvgPercent float64 `json:"cpu_avg_percent"`
	CPUMaxPercent float64 `json:"cpu_max_percent"`
	RSSAvgMiB     float64 `json:"rss_avg_mib"`
	RSSMaxMiB     float64 `json:"rss_max_mib"`
}

func main() {
	target := flag.String("target", "", "OTLP/HTTP traces URL on loopback, e.g. http://127.0.0.1:4318/v1/traces")
	rate := flag.Int("rate", 10000, "spans per second")
	duration := flag.Duration("duration", 15*time.Second, "how long to send (at most 5m)")
	pid := flag.Int("pid", 0, "collector process to sample")
	name := flag.String("recording", recordings.Reference, "recorded trace to replay")
	flag.Parse()
	if err := checkLoopback(*target); err != nil {
		fail(err)
	}
	if *duration <= 0 || *duration > 5*time.Minute || *rate <= 0 || *pid <= 0 {
		fail(fmt.Errorf("need 0 < -duration <= 5m, -rate > 0 and -pid"))
	}
	src, err := recordings.Load(*name)
	if err != nil {
		fail(err)
	}
	perTrace := src.SpanCount()
	tracesPerSecond := float64(*rate) / float64(perTrace)

	var res result
	var errs atomic.Int64
	stop := make(chan struct{})
	samples := sampleProcess(*pid, stop)

	client := &http.Client{Timeout: 10 * time.Second}
	var wg sync.WaitGroup
	inflight := make(chan struct{}, 8)
	start := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	var sent int64
	for now := range tick.C {
		elapsed := now.Sub(start)
		if elapsed >= *duration {
			break
		}
		due := int64(elapsed.Seconds() * tracesPerSecond)
		for ; sent < due; sent++ {
			body := marshal(freshCopy(src, sent))
			inflight <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-inflight }()
				resp, err := client.Post(*target, "application/x-protobuf", bytes.NewReader(body))
				if err != nil {
					errs.Add(1)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs.Add(1)
				}
			}()
		}
	}
	tick.Stop()
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	close(stop)
	s := <-samples
	res.TracesSent, res.SpansSent, res.SendErrors = sent, sent*int64(perTrace), errs.Load()
	res.CPUAvgPercent, res.CPUMaxPercent, res.RSSAvgMiB, res.RSSMaxMiB = s.cpuAvg, s.cpuMax, s.rssAvg, s.rssMax
	_ = json.NewEncoder(os.Stdout).Encode(res)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(2)
}

func checkLoopback(target string) error {
	u, err := url.Parse(target)
	if err != nil || u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1" {
		return fmt.Errorf("-target must be an http URL on loopback, got %q", target)
	}
	return nil
}

// freshCopy gives a copy of the recording a trace id of its own.
func freshCopy(src ptrace.Traces, n int64) ptrace.Traces {
	td := ptrace.NewTraces()
	src.CopyTo(td)
	spanwalk.Each(td, func(_ pcommon.Resource, _ pcommon.InstrumentationScope, s ptrace.Span) {
		id := s.TraceID()
		for b := 0; b < 8; b++ {
			id[b] = byte(n >> (8 * b))
		}
		s.SetTraceID(id)
	})
	return td
}

func marshal(td ptrace.Traces) []byte {
	b, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		fail(err)
	}
	return b
}

type processSamples struct{ cpuAvg, cpuMax, rssAvg, rssMax float64 }

// sampleProcess reads the process's CPU time and RSS every second, like the
// contrib testbed does, until stop is closed.
func sampleProcess(pid int, stop <-chan struct{}) <-chan processSamples {
	out := make(chan processSamples, 1)
	go func() {
		var s processSamples
		var n, rssSum, cpuSum float64
		lastCPU, lastAt := cpuSeconds(pid), time.Now()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				if n > 0 {
					s.cpuAvg, s.rssAvg = cpuSum/n, rssSum/n
				}
				out <- s
				return
			case now := <-t.C:
				cpu := cpuSeconds(pid)
				pct := 100 * (cpu - lastCPU) / now.Sub(lastAt).Seconds()
				lastCPU, lastAt = cpu, now
				rss := rssMiB(pid)
				n++
				cpuSum += pct
				rssSum += rss
				s.cpuMax = max(s.cpuMax, pct)
				s.rssMax = max(s.rssMax, rss)
			}
		}
	}()
	return out
}

// cpuSeconds is utime+stime of a process, from /proc/<pid>/stat.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the parenthesised command name; utime and stime are 14 and 15.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / 100 // USER_HZ
}

// rssMiB is VmRSS of a process, from /proc/<pid>/status.
func rssMiB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
