package langsmithtest

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Ingest and info paths, relative to the API base (a "/api/v1" prefix is also accepted).
const (
	PathMultipart = "/runs/multipart"
	PathBatch     = "/runs/batch"
	PathInfo      = "/info"
	pathPrefixV1  = "/api/v1"
)

// Server is a running LangSmith-compatible test server.
type Server struct {
	opts     Options
	lim      limits
	info     *Info
	listener net.Listener
	http     *http.Server
	url      string
	done     chan struct{}
	once     sync.Once

	mu     sync.Mutex
	st     *store
	faults faultQueue
}

// Start listens on Options.Addr (loopback only) and serves until Close or MaxLifetime.
func Start(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if err := CheckLoopback(opts.Addr); err != nil {
		return nil, err
	}
	lifetime := opts.MaxLifetime
	if lifetime <= 0 {
		lifetime = DefaultMaxLifetime
	}
	info := opts.Info
	if info == nil {
		info = DefaultInfo()
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("langsmithtest: listen %s: %w", opts.Addr, err)
	}
	s := &Server{opts: opts, lim: opts.limits(), info: info, listener: ln, st: newStore(),
		url: "http://" + ln.Addr().String(), done: make(chan struct{})}
	s.http = &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	go s.closeAfter(lifetime)
	return s, nil
}

// New starts a server for a test and closes it when the test ends.
func New(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s, err := Start(opts)
	if err != nil {
		tb.Fatalf("langsmithtest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// CheckLoopback refuses listen addresses that are not loopback: the server must never be
// reachable from outside the machine.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("langsmithtest: invalid address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("langsmithtest: address %q is not a loopback address", addr)
}

// URL is the API base URL, e.g. http://127.0.0.1:41234.
func (s *Server) URL() string { return s.url }

// Done is closed when the server has stopped (Close or MaxLifetime).
func (s *Server) Done() <-chan struct{} { return s.done }

// Close stops the server at once; it is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		_ = s.http.Close()
		close(s.done)
	})
}

// closeAfter enforces MaxLifetime so a forgotten server never outlives its test or demo.
func (s *Server) closeAfter(lifetime time.Duration) {
	t := time.NewTimer(lifetime)
	defer t.Stop()
	select {
	case <-t.C:
		s.Close()
	case <-s.done:
	}
}

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	if s.opts.Control {
		mux.Handle("/_test/", s.ControlHandler())
	}
	mux.HandleFunc("/", s.serveAPI)
	return mux
}

// serveAPI answers the LangSmith routes and records every request.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	rec := Request{
		Method: r.Method, Path: r.URL.Path, Time: time.Now(),
		ContentEncoding: r.Header.Get("Content-Encoding"),
		APIKey:          r.Header.Get("X-Api-Key"), TenantID: r.Header.Get("X-Tenant-Id"),
	}
	path := strings.TrimPrefix(r.URL.Path, pathPrefixV1)
	var aerr *apiError
	switch {
	case path == PathInfo && !s.opts.DisableInfo:
		aerr = s.serveInfo(w, r, &rec)
	case path == PathBatch, path == PathMultipart && !s.opts.MultipartDisabled:
		aerr = s.serveIngest(w, r, path, &rec)
	default:
		aerr = &apiError{status: http.StatusNotFound, message: "Not Found"}
	}
	if aerr != nil {
		aerr.write(w)
		rec.Status, rec.Error = aerr.status, aerr.message
	}
	s.mu.Lock()
	s.st.requests = append(s.st.requests, rec)
	for _, v := range aerr.violationList() {
		s.st.violations = append(s.st.violations, fmt.Sprintf("%s %s: %s", r.Method, r.URL.Path, v))
	}
	s.mu.Unlock()
	if s.opts.Logf != nil {
		s.opts.Logf("%s %s -> %d runs=%d %s", r.Method, r.URL.Path, rec.Status, len(rec.RunIDs), rec.Error)
	}
}

func (e *apiError) violationList() []string {
	if e == nil {
		return nil
	}
	return e.violations
}

func (s *Server) serveInfo(w http.ResponseWriter, r *http.Request, rec *Request) *apiError {
	if r.Method != http.MethodGet {
		return &apiError{status: http.StatusMethodNotAllowed, message: "Method Not Allowed"}
	}
	if f, ok := s.takeFault(PathInfo, false); ok && s.applyFault(w, r, f, rec) {
		return nil
	}
	writeJSON(w, http.StatusOK, s.info)
	rec.Status = http.StatusOK
	return nil
}

// serveIngest handles /runs/multipart and /runs/batch.
func (s *Server) serveIngest(w http.ResponseWriter, r *http.Request, path string, rec *Request) *apiError {
	if r.Method != http.MethodPost {
		return &apiError{status: http.StatusMethodNotAllowed, message: "Method Not Allowed"}
	}
	wire, readErr := readWire(r, s.lim)
	rec.BodyBytes = int64(len(wire))
	if f, ok := s.takeFault(path, true); ok {
		if s.applyFault(w, r, f, rec) {
			if body, err := decodeBody(wire, rec.ContentEncoding, s.lim); err == nil {
				b, _ := s.parse(path, body, r.Header.Get("Content-Type"))
				rec.RunIDs = b.runIDs()
			}
			return nil
		}
	}
	if aerr := s.authenticate(rec); aerr != nil {
		return aerr
	}
	if readErr != nil {
		return readErr
	}
	body, aerr := decodeBody(wire, rec.ContentEncoding, s.lim)
	if aerr != nil {
		return aerr
	}
	rec.UncompressedBytes = int64(len(body))
	b, aerr := s.parse(path, body, r.Header.Get("Content-Type"))
	rec.RunIDs = b.runIDs()
	if aerr != nil {
		return aerr
	}
	policy := s.policyViolations(path, b)
	s.mu.Lock()
	aerr = s.st.ingest(b, s.lim, rec.APIKey, rec.TenantID)
	for _, v := range policy {
		s.st.violations = append(s.st.violations, fmt.Sprintf("%s %s: %s", r.Method, r.URL.Path, v))
	}
	s.mu.Unlock()
	if aerr != nil {
		return aerr
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
	rec.Status = http.StatusAccepted
	return nil
}

func (s *Server) parse(path string, body []byte, contentType string) (*ingestBatch, *apiError) {
	if path == PathMultipart {
		return parseMultipart(body, contentType)
	}
	return parseBatch(body, contentType)
}

// policyViolations are client behaviours that ignore /info; LangSmith would still process them.
func (s *Server) policyViolations(path string, b *ingestBatch) []string {
	var out []string
	if n := b.opCount(); n > s.lim.sizeLimit {
		out = append(out, fmt.Sprintf("request has %d operations, above /info size_limit %d", n, s.lim.sizeLimit))
	}
	if b.payloadBytes > s.lim.sizeLimitBytes {
		out = append(out, fmt.Sprintf("request has %d uncompressed payload bytes, above /info size_limit_bytes %d", b.payloadBytes, s.lim.sizeLimitBytes))
	}
	if path == PathMultipart && !s.lim.useMultipart {
		out = append(out, "multipart used although /info use_multipart_endpoint is false")
	}
	return out
}

// authenticate applies the x-api-key / X-Tenant-Id rules.
func (s *Server) authenticate(rec *Request) *apiError {
	if rec.APIKey == "" {
		return &apiError{status: http.StatusUnauthorized, message: "Unauthorized", details: "missing x-api-key header"}
	}
	orgScoped := false
	for _, k := range s.opts.OrgScopedKeys {
		orgScoped = orgScoped || k == rec.APIKey
	}
	if s.opts.APIKey != "" && rec.APIKey != s.opts.APIKey && !orgScoped {
		return &apiError{status: http.StatusUnauthorized, message: "Unauthorized", details: "invalid API key"}
	}
	if orgScoped && rec.TenantID == "" {
		return &apiError{status: http.StatusForbidden, message: "org_scoped_key_requires_workspace"}
	}
	return nil
}

func (s *Server) takeFault(path string, ingest bool) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.take(path, ingest)
}

// applyFault waits the fault's latency and, if it has a status, answers it (returns true).
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f Fault, rec *Request) bool {
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		case <-s.done:
			t.Stop()
		}
	}
	if f.Status == 0 {
		return false
	}
	rec.Status, rec.Fault = f.Status, true
	rec.Error = answerFault(w, f)
	return true
}

// Inject queues faults; each request consumes the next fault whose Path matches.
// It panics on a fault that cannot be answered (a bug in the test).
func (s *Server) Inject(fs ...Fault) {
	for _, f := range fs {
		if err := f.validate(); err != nil {
			panic(err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.add(fs...)
}
