package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// The discard sink stands in for both ends the benchmark pipelines send to: an
// OTLP/HTTP receiver (the baseline's otlp_http exporter) and LangSmith's
// /info and /runs/multipart (the langsmith exporter). It decodes what it
// needs to count spans, runs and requests, keeps the set of run ids seen (to
// tell loss from duplicates) and discards the rest, so that its own cost stays
// small next to the collector's. GET /stats returns the counts.

type sinkStats struct {
	OTLPRequests int64 `json:"otlp_requests"`
	OTLPSpans    int64 `json:"otlp_spans"`
	LSRequests   int64 `json:"ls_requests"`
	LSRuns       int64 `json:"ls_runs"`
	LSUniqueRuns int64 `json:"ls_unique_runs"`
	BadRequests  int64 `json:"bad_requests"`
}

type sink struct {
	otlpRequests, otlpSpans, lsRequests, lsRuns, bad atomic.Int64

	mu   sync.Mutex
	seen map[string]struct{}

	zstdDec *zstd.Decoder
}

func runSink(args []string) {
	fs := flag.NewFlagSet("sink", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	addrFile := fs.String("addr-file", "", "write http://host:port here once listening")
	_ = fs.Parse(args)
	if err := checkLoopback("http://" + *addr); err != nil {
		fail(err)
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(2))
	if err != nil {
		fail(err)
	}
	s := &sink{seen: map[string]struct{}{}, zstdDec: dec}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", s.serveOTLP)
	mux.HandleFunc("GET /info", s.serveInfo)
	mux.HandleFunc("POST /runs/multipart", s.serveMultipart)
	mux.HandleFunc("GET /stats", s.serveStats)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fail(err)
	}
	url := "http://" + ln.Addr().String()
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile+".tmp", []byte(url+"\n"), 0o600); err != nil {
			fail(err)
		}
		if err := os.Rename(*addrFile+".tmp", *addrFile); err != nil {
			fail(err)
		}
	}
	fail(http.Serve(ln, mux))
}

// body reads and decompresses a request body.
func (s *sink) body(r *http.Request) ([]byte, error) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	switch r.Header.Get("Content-Encoding") {
	case "", "identity":
		return raw, nil
	case "zstd":
		return s.zstdDec.DecodeAll(raw, nil)
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(zr)
	}
	return nil, fmt.Errorf("unknown Content-Encoding %q", r.Header.Get("Content-Encoding"))
}

func (s *sink) serveOTLP(w http.ResponseWriter, r *http.Request) {
	b, err := s.body(r)
	req := ptraceotlp.NewExportRequest()
	if err == nil {
		err = req.UnmarshalProto(b)
	}
	if err != nil {
		s.bad.Add(1)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.otlpRequests.Add(1)
	s.otlpSpans.Add(int64(req.Traces().SpanCount()))
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(http.StatusOK)
}

func (s *sink) serveInfo(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"version":"0.12.0-bench-sink","batch_ingest_config":{"use_multipart_endpoint":true,`+
		`"size_limit":100,"size_limit_bytes":20971520},"instance_flags":{"zstd_compression_enabled":true,"gzip_body_enabled":true}}`)
}

// serveMultipart counts the runs of a /runs/multipart body: one part named
// post.<uuid> each (their inputs, outputs... parts are post.<uuid>.<field>).
func (s *sink) serveMultipart(w http.ResponseWriter, r *http.Request) {
	b, err := s.body(r)
	if err != nil {
		s.bad.Add(1)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	marker := []byte(`name="post.`)
	var ids []string
	for rest := b; ; {
		i := bytes.Index(rest, marker)
		if i < 0 {
			break
		}
		rest = rest[i+len(marker):]
		if len(rest) > 36 && rest[36] == '"' {
			ids = append(ids, string(rest[:36]))
		}
	}
	s.lsRequests.Add(1)
	s.lsRuns.Add(int64(len(ids)))
	s.mu.Lock()
	for _, id := range ids {
		s.seen[id] = struct{}{}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, "{}")
}

func (s *sink) stats() sinkStats {
	s.mu.Lock()
	unique := int64(len(s.seen))
	s.mu.Unlock()
	return sinkStats{
		OTLPRequests: s.otlpRequests.Load(), OTLPSpans: s.otlpSpans.Load(),
		LSRequests: s.lsRequests.Load(), LSRuns: s.lsRuns.Load(), LSUniqueRuns: unique,
		BadRequests: s.bad.Load(),
	}
}

func (s *sink) serveStats(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s.stats())
}

// fetchStats reads a sink's counters.
func fetchStats(base string) (sinkStats, error) {
	var st sinkStats
	resp, err := http.Get(base + "/stats")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	return st, json.NewDecoder(resp.Body).Decode(&st)
}
