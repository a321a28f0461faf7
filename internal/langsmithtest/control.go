package langsmithtest

import (
	"encoding/json"
	"io"
	"net/http"
)

// maxFaultBody bounds a POST /_test/faults body.
const maxFaultBody = 1 << 20

// ControlHandler serves the test-control endpoints used by the sink binary, the Python e2e tests
// and benchmarks:
//
//	GET  /_test/runs        JSON array of runs (LangSmith field names)
//	GET  /_test/tree        text of Tree()
//	GET  /_test/violations  JSON array of strings
//	GET  /_test/check       JSON array of strings (empty when consistent)
//	GET  /_test/requests    JSON array of requests
//	POST /_test/reset       forget everything
//	POST /_test/faults      queue a JSON array of {"path","status","retry_after","latency_ms","times","body"}
func (s *Server) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_test/runs", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, nonNil(s.Runs()))
	})
	mux.HandleFunc("GET /_test/tree", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, s.Tree())
	})
	mux.HandleFunc("GET /_test/violations", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, nonNil(s.Violations()))
	})
	mux.HandleFunc("GET /_test/check", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, nonNil(s.Check()))
	})
	mux.HandleFunc("GET /_test/requests", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, nonNil(s.Requests()))
	})
	mux.HandleFunc("POST /_test/reset", func(w http.ResponseWriter, _ *http.Request) {
		s.Reset()
		writeJSON(w, http.StatusOK, map[string]string{"status": "reset"})
	})
	mux.HandleFunc("POST /_test/faults", s.serveFaults)
	return mux
}

func (s *Server) serveFaults(w http.ResponseWriter, r *http.Request) {
	var faults []Fault
	dec := json.NewDecoder(io.LimitReader(r.Body, maxFaultBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&faults); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "faults must be a JSON array of faults: " + err.Error()})
		return
	}
	for _, f := range faults {
		if err := f.validate(); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
	}
	s.Inject(faults...)
	writeJSON(w, http.StatusOK, map[string]int{"queued": len(faults)})
}

// nonNil makes empty lists encode as [] rather than null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
