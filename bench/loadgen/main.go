// Command loadgen replays a recorded AutoGen trace to a collector's OTLP/HTTP
// receiver, each copy under a fresh trace id, at a fixed span rate or (-rate 0)
// as fast as -conns connections can, while sampling the collector's CPU and
// resident memory from /proc. With -sink it waits until the discard sink
// (`loadgen sink`) has received everything, so the CPU counted is all the
// collector spent on the spans sent. It prints one JSON object with what it
// sent, measured and what arrived. Loopback only, bounded in time.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
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
	Mode          string  `json:"mode"`
	SpansSent     int64   `json:"spans_sent"`
	TracesSent    int64   `json:"traces_sent"`
	SendErrors    int64   `json:"send_errors"`
	Seconds       float64 `json:"seconds"`
	SpansPerSec   float64 `json:"spans_per_sec"`
	DrainSeconds  float64 `json:"drain_seconds"`
	CPUSeconds    float64 `json:"cpu_seconds"`
	CPUMicrosSpan float64 `json:"cpu_us_per_span"`
	CPUAvgPercent float64 `json:"cpu_avg_percent"`
	CPUMaxPercent float64 `json:"cpu_max_percent"`
	RSSAvgMiB     float64 `json:"rss_avg_mib"`
	RSSMaxMiB     float64 `json:"rss_max_mib"`
	// What the sink received during this run (with -sink).
	Requests       int64   `json:"requests"`
	Items          int64   `json:"items"`
	ItemsPerReq    float64 `json:"items_per_request"`
	ItemsExpected  int64   `json:"items_expected"`
	ItemsLost      int64   `json:"items_lost"`
	DuplicateItems int64   `json:"duplicate_items"`
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "sink" {
		runSink(os.Args[2:])
		return
	}
	target := flag.String("target", "", "OTLP/HTTP traces URL on loopback, e.g. http://127.0.0.1:4318/v1/traces")
	rate := flag.Int("rate", 10000, "spans per second; 0 sends as fast as -conns connections can (saturation)")
	conns := flag.Int("conns", 4, "concurrent connections in saturation mode")
	duration := flag.Duration("duration", 15*time.Second, "how long to send (at most 5m)")
	pid := flag.Int("pid", 0, "collector process to sample")
	name := flag.String("recording", recordings.Reference, "recorded trace to replay")
	sinkURL := flag.String("sink", "", "discard sink (loadgen sink) to read counts from; waits until it has everything")
	expect := flag.String("expect", "spans", "what the sink counts for this pipeline: spans (OTLP) or runs (LangSmith)")
	runsPerTrace := flag.Int("runs-per-trace", 12, "runs LangSmith receives per replayed trace (with -expect runs)")
	flag.Parse()
	if err := checkLoopback(*target); err != nil {
		fail(err)
	}
	if *duration <= 0 || *duration > 5*time.Minute || *rate < 0 || *pid <= 0 || *conns <= 0 {
		fail(fmt.Errorf("need 0 < -duration <= 5m, -rate >= 0, -conns > 0 and -pid"))
	}
	src, err := recordings.Load(*name)
	if err != nil {
		fail(err)
	}
	perTrace := src.SpanCount()
	tmpl := newTemplate(src)
	// Copies are numbered from a base of this run's own, so that two runs
	// into the same sink never send the same trace (and so run) ids.
	tmpl.base = time.Now().Unix() << 32

	var before sinkStats
	if *sinkURL != "" {
		if before, err = fetchStats(*sinkURL); err != nil {
			fail(err)
		}
	}

	var res result
	var errs atomic.Int64
	stop := make(chan struct{})
	cpu0 := cpuSeconds(*pid)
	samples := sampleProcess(*pid, stop)

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 16, MaxIdleConnsPerHost: 16, IdleConnTimeout: time.Minute,
	}}
	post := func(body []byte) bool {
		resp, err := client.Post(*target, "application/x-protobuf", bytes.NewReader(body))
		if err != nil {
			errs.Add(1)
			return false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			errs.Add(1)
			return false
		}
		return true
	}
	start := time.Now()
	var sent, accepted int64
	if *rate == 0 {
		res.Mode = "saturation"
		sent, accepted = saturate(tmpl, *conns, *duration, post)
	} else {
		res.Mode = "fixed"
		sent, accepted = fixedRate(tmpl, float64(*rate)/float64(perTrace), *duration, post)
	}
	res.Seconds = time.Since(start).Seconds()

	if *sinkURL != "" {
		per := int64(perTrace)
		if *expect == "runs" {
			per = int64(*runsPerTrace)
		}
		res.ItemsExpected = accepted * per
		after := waitDrained(*sinkURL, before, *expect, res.ItemsExpected)
		res.DrainSeconds = time.Since(start).Seconds() - res.Seconds
		if *expect == "runs" {
			res.Requests = after.LSRequests - before.LSRequests
			res.Items = after.LSUniqueRuns - before.LSUniqueRuns
			res.DuplicateItems = (after.LSRuns - before.LSRuns) - res.Items
		} else {
			res.Requests = after.OTLPRequests - before.OTLPRequests
			res.Items = after.OTLPSpans - before.OTLPSpans
		}
		res.ItemsLost = max(res.ItemsExpected-res.Items, 0)
		if res.Requests > 0 {
			res.ItemsPerReq = float64(after.LSRuns-before.LSRuns+after.OTLPSpans-before.OTLPSpans) / float64(res.Requests)
		}
	}
	res.CPUSeconds = cpuSeconds(*pid) - cpu0
	close(stop)
	s := <-samples
	res.TracesSent, res.SpansSent, res.SendErrors = accepted, accepted*int64(perTrace), errs.Load()
	_ = sent
	res.SpansPerSec = float64(res.SpansSent) / res.Seconds
	if res.SpansSent > 0 {
		res.CPUMicrosSpan = res.CPUSeconds * 1e6 / float64(res.SpansSent)
	}
	res.CPUAvgPercent, res.CPUMaxPercent, res.RSSAvgMiB, res.RSSMaxMiB = s.cpuAvg, s.cpuMax, s.rssAvg, s.rssMax
	if hwm := rssPeakMiB(*pid); hwm > res.RSSMaxMiB {
		res.RSSMaxMiB = hwm
	}
	_ = json.NewEncoder(os.Stdout).Encode(res)
}

// fixedRate sends tracesPerSecond copies for d, at most 8 requests in flight.
func fixedRate(tmpl *template, tracesPerSecond float64, d time.Duration, post func([]byte) bool) (sent, accepted int64) {
	var ok atomic.Int64
	var wg sync.WaitGroup
	inflight := make(chan struct{}, 8)
	start := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	for now := range tick.C {
		elapsed := now.Sub(start)
		if elapsed >= d {
			break
		}
		due := int64(elapsed.Seconds() * tracesPerSecond)
		for ; sent < due; sent++ {
			body := tmpl.copy(sent)
			inflight <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-inflight }()
				if post(body) {
					ok.Add(1)
				}
			}()
		}
	}
	tick.Stop()
	wg.Wait()
	return sent, ok.Load()
}

// saturate sends copies back to back over conns connections for d: the
// collector's throughput, not the client, sets the pace.
func saturate(tmpl *template, conns int, d time.Duration, post func([]byte) bool) (sent, accepted int64) {
	var next, ok atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for time.Now().Before(deadline) {
				buf = tmpl.copyInto(buf, next.Add(1)-1)
				if post(buf) {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return next.Load(), ok.Load()
}

// waitDrained polls the sink until it has the expected items, or nothing new
// arrived for 5s (then something was lost), or 2 minutes passed.
func waitDrained(base string, before sinkStats, expect string, want int64) sinkStats {
	count := func(s sinkStats) int64 {
		if expect == "runs" {
			return s.LSUniqueRuns - before.LSUniqueRuns
		}
		return s.OTLPSpans - before.OTLPSpans
	}
	var last sinkStats
	lastChange := time.Now()
	for end := time.Now().Add(2 * time.Minute); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		st, err := fetchStats(base)
		if err != nil {
			fail(err)
		}
		if count(st) >= want {
			return st
		}
		if count(st) != count(last) {
			lastChange = time.Now()
		} else if time.Since(lastChange) > 5*time.Second {
			return st
		}
		last = st
	}
	return last
}

// template is the recording marshalled once, with the offsets of the 8 trace
// id bytes each copy overwrites: copies cost a memcpy, not a marshal, so the
// load generator leaves the CPU to the collector.
type template struct {
	body    []byte
	offsets []int
	base    int64 // added to every copy number
}

// templateMarker fills the bytes freshCopy overwrites while the template is made.
const templateMarker = 0x5a17c0de5a17c0de

func newTemplate(src ptrace.Traces) *template {
	body := marshal(freshCopy(src, templateMarker))
	var m [8]byte
	for b := 0; b < 8; b++ {
		m[b] = byte(uint64(templateMarker) >> (8 * b))
	}
	t := &template{body: body}
	for i := 0; ; {
		j := bytes.Index(body[i:], m[:])
		if j < 0 {
			break
		}
		t.offsets = append(t.offsets, i+j)
		i += j + 8
	}
	if len(t.offsets) < src.SpanCount() {
		fail(fmt.Errorf("template: found %d trace ids for %d spans", len(t.offsets), src.SpanCount()))
	}
	// The copy must be byte for byte what marshalling a fresh copy gives.
	if !bytes.Equal(t.copy(12345), marshal(freshCopy(src, 12345))) {
		fail(fmt.Errorf("template copy differs from a marshalled copy"))
	}
	return t
}

func (t *template) copy(n int64) []byte { return t.copyInto(nil, n) }

func (t *template) copyInto(buf []byte, n int64) []byte {
	buf = append(buf[:0], t.body...)
	n += t.base
	for _, off := range t.offsets {
		for b := 0; b < 8; b++ {
			buf[off+b] = byte(n >> (8 * b))
		}
	}
	return buf
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

// rssPeakMiB is VmHWM (peak resident set) of a process.
func rssPeakMiB(pid int) float64 { return procStatusMiB(pid, "VmHWM:") }

// rssMiB is VmRSS of a process, from /proc/<pid>/status.
func rssMiB(pid int) float64 { return procStatusMiB(pid, "VmRSS:") }

func procStatusMiB(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
