package langsmithtest

import "time"

// Runs returns copies of the accepted runs, in arrival order.
func (s *Server) Runs() []Run {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Run, len(s.st.runs))
	for i, r := range s.st.runs {
		out[i] = cloneRun(r)
	}
	return out
}

// Violations returns every rule violation seen, oldest first.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.st.violations...)
}

// Requests returns every answered request (control endpoints excluded), oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.st.requests))
	for i, r := range s.st.requests {
		r.RunIDs = append(make([]string, 0, len(r.RunIDs)), r.RunIDs...)
		out[i] = r
	}
	return out
}

// Reset forgets runs, requests, violations and pending faults.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.reset()
	s.faults = faultQueue{}
}

// WaitForRuns waits until at least n runs are stored; false on timeout or when the server stopped.
func (s *Server) WaitForRuns(n int, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		count, changed := len(s.st.runs), s.st.changed
		s.mu.Unlock()
		if count >= n {
			return true
		}
		select {
		case <-changed:
		case <-deadline.C:
			return false
		case <-s.done:
			return false
		}
	}
}
