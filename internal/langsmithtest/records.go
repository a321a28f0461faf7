package langsmithtest

import (
	"encoding/json"
	"time"
)

// Run is one accepted run as stored by the server. Empty strings mean "absent".
type Run struct {
	ID          string
	TraceID     string
	ParentRunID string
	DottedOrder string
	Name        string
	RunType     string
	StartTime   string
	EndTime     string
	SessionName string
	SessionID   string
	Tags        []string
	Inputs      map[string]any
	Outputs     map[string]any
	Extra       map[string]any
	Events      []map[string]any
	Error       string
	// Attachments are the names of attachment parts received for the run.
	Attachments []string
	// APIKey and TenantID are the credentials the run came with.
	APIKey   string
	TenantID string
}

// runJSON is Run with LangSmith's snake_case names; absent optional strings become null.
type runJSON struct {
	ID          string           `json:"id"`
	TraceID     string           `json:"trace_id"`
	ParentRunID *string          `json:"parent_run_id"`
	DottedOrder string           `json:"dotted_order"`
	Name        string           `json:"name"`
	RunType     string           `json:"run_type"`
	StartTime   string           `json:"start_time"`
	EndTime     *string          `json:"end_time"`
	SessionName *string          `json:"session_name"`
	SessionID   *string          `json:"session_id"`
	Tags        []string         `json:"tags"`
	Inputs      map[string]any   `json:"inputs"`
	Outputs     map[string]any   `json:"outputs"`
	Extra       map[string]any   `json:"extra"`
	Events      []map[string]any `json:"events"`
	Error       *string          `json:"error"`
	Attachments []string         `json:"attachments"`
	APIKey      string           `json:"api_key"`
	TenantID    *string          `json:"tenant_id"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func fromNullable(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// MarshalJSON writes the run with LangSmith field names.
func (r Run) MarshalJSON() ([]byte, error) {
	return json.Marshal(runJSON{
		ID: r.ID, TraceID: r.TraceID, ParentRunID: nullable(r.ParentRunID), DottedOrder: r.DottedOrder,
		Name: r.Name, RunType: r.RunType, StartTime: r.StartTime, EndTime: nullable(r.EndTime),
		SessionName: nullable(r.SessionName), SessionID: nullable(r.SessionID), Tags: r.Tags,
		Inputs: r.Inputs, Outputs: r.Outputs, Extra: r.Extra, Events: r.Events, Error: nullable(r.Error),
		Attachments: r.Attachments, APIKey: r.APIKey, TenantID: nullable(r.TenantID),
	})
}

// UnmarshalJSON reads what MarshalJSON writes (used by clients of the control endpoints).
func (r *Run) UnmarshalJSON(b []byte) error {
	var j runJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Run{
		ID: j.ID, TraceID: j.TraceID, ParentRunID: fromNullable(j.ParentRunID), DottedOrder: j.DottedOrder,
		Name: j.Name, RunType: j.RunType, StartTime: j.StartTime, EndTime: fromNullable(j.EndTime),
		SessionName: fromNullable(j.SessionName), SessionID: fromNullable(j.SessionID), Tags: j.Tags,
		Inputs: j.Inputs, Outputs: j.Outputs, Extra: j.Extra, Events: j.Events, Error: fromNullable(j.Error),
		Attachments: j.Attachments, APIKey: j.APIKey, TenantID: fromNullable(j.TenantID),
	}
	return nil
}

// Request is one HTTP request the server answered (control endpoints excluded).
type Request struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Status int    `json:"status"`
	// RunIDs are the run ids named in the body, in order, even when the request was refused.
	RunIDs          []string `json:"run_ids"`
	ContentEncoding string   `json:"content_encoding"`
	// BodyBytes is the size on the wire; UncompressedBytes after Content-Encoding was undone.
	BodyBytes         int64     `json:"body_bytes"`
	UncompressedBytes int64     `json:"uncompressed_bytes"`
	APIKey            string    `json:"api_key"`
	TenantID          string    `json:"tenant_id"`
	Time              time.Time `json:"time"`
	// Error is the "error" text of a non-2xx answer.
	Error string `json:"error,omitempty"`
	// Fault is true when an injected fault produced the answer.
	Fault bool `json:"fault,omitempty"`
}

// cloneRun deep-copies a run so callers cannot alter the store.
func cloneRun(r Run) Run {
	c := r
	c.Tags = append([]string(nil), r.Tags...)
	c.Attachments = append([]string(nil), r.Attachments...)
	c.Inputs = cloneMap(r.Inputs)
	c.Outputs = cloneMap(r.Outputs)
	c.Extra = cloneMap(r.Extra)
	if r.Events != nil {
		c.Events = make([]map[string]any, len(r.Events))
		for i, e := range r.Events {
			c.Events[i] = cloneMap(e)
		}
	}
	return c
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return cloneMap(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = cloneValue(e)
		}
		return out
	default:
		return v
	}
}
