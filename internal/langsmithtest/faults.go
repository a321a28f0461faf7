package langsmithtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"
)

// Fault is an injected answer. Each request consumes the next queued fault whose Path matches.
type Fault struct {
	// Path to match ("/runs/multipart", "/runs/batch", "/info"); "" matches any ingest path.
	Path string `json:"path"`
	// Status to answer; 0 means "only add Latency, then handle the request normally".
	Status int `json:"status"`
	// RetryAfter, if set, is sent as the Retry-After header.
	RetryAfter string `json:"retry_after"`
	// Latency is waited before answering.
	Latency time.Duration `json:"-"`
	// Times is how many requests the fault answers (0 means 1).
	Times int `json:"times"`
	// Body replaces the default {"error": "<status text>"} body.
	Body string `json:"body"`
}

// faultJSON is the wire form of Fault for POST /_test/faults (latency in milliseconds).
type faultJSON struct {
	Path       string  `json:"path"`
	Status     int     `json:"status"`
	RetryAfter string  `json:"retry_after"`
	LatencyMS  float64 `json:"latency_ms"`
	Times      int     `json:"times"`
	Body       string  `json:"body"`
}

// MarshalJSON writes the control-endpoint form of the fault.
func (f Fault) MarshalJSON() ([]byte, error) {
	return json.Marshal(faultJSON{Path: f.Path, Status: f.Status, RetryAfter: f.RetryAfter,
		LatencyMS: float64(f.Latency) / float64(time.Millisecond), Times: f.Times, Body: f.Body})
}

// UnmarshalJSON reads the control-endpoint form of the fault.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	*f = Fault{Path: j.Path, Status: j.Status, RetryAfter: j.RetryAfter,
		Latency: time.Duration(j.LatencyMS * float64(time.Millisecond)), Times: j.Times, Body: j.Body}
	return nil
}

// validate rejects faults that could not be answered.
func (f Fault) validate() error {
	if f.Status != 0 && (f.Status < 100 || f.Status > 999) {
		return errorf("fault status %d is not an HTTP status", f.Status)
	}
	if f.Times < 0 || f.Latency < 0 {
		return errorf("fault times and latency must not be negative")
	}
	if f.Status == 0 && f.Latency == 0 {
		return errorf("fault needs a status or a latency")
	}
	return nil
}

// faultQueue holds pending faults; it is guarded by the Server's mutex.
type faultQueue struct {
	pending []Fault // Times already normalised to >= 1
}

func (q *faultQueue) add(fs ...Fault) {
	for _, f := range fs {
		if f.Times == 0 {
			f.Times = 1
		}
		q.pending = append(q.pending, f)
	}
}

// take consumes one use of the first fault that matches path.
func (q *faultQueue) take(path string, ingest bool) (Fault, bool) {
	for i, f := range q.pending {
		if f.Path == path || (f.Path == "" && ingest) {
			f.Times--
			if f.Times == 0 {
				q.pending = append(q.pending[:i], q.pending[i+1:]...)
			} else {
				q.pending[i] = f
			}
			return f, true
		}
	}
	return Fault{}, false
}

// answerFault writes the fault's status, Retry-After and body.
func answerFault(w http.ResponseWriter, f Fault) string {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	body := f.Body
	msg := http.StatusText(f.Status)
	if body == "" {
		b, _ := json.Marshal(map[string]string{"error": msg})
		body = string(b)
	} else {
		msg = body
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(body))
	return msg
}
