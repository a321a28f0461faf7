// Package runmap is the exporter's mapping stage, run after the queue: each
// span, already placed, becomes one LangSmith run (run type, name, messages,
// usage, metadata, events, error), on its own.
package runmap

// Run is one LangSmith run exactly as it is posted to /runs/multipart (one
// "post" per run, already carrying end_time, outputs and error: OTel spans
// arrive ended, so no patch is ever needed).
//
// The fields that LangSmith accepts out of band (inputs, outputs, events,
// extra, error) are kept apart from the main part so that the multipart
// encoder can write them as their own parts, in the SDK's order.
type Run struct {
	ID          string   `json:"id"`
	TraceID     string   `json:"trace_id"`
	ParentRunID string   `json:"parent_run_id,omitempty"`
	DottedOrder string   `json:"dotted_order"`
	Name        string   `json:"name"`
	RunType     string   `json:"run_type"`
	StartTime   string   `json:"start_time"`
	EndTime     string   `json:"end_time,omitempty"`
	SessionName string   `json:"session_name"`
	Tags        []string `json:"tags,omitempty"`

	Inputs  map[string]any   `json:"-"`
	Outputs map[string]any   `json:"-"`
	Events  []map[string]any `json:"-"`
	Extra   map[string]any   `json:"-"`
	Error   string           `json:"-"`
	// Tenant selects the credentials the run is sent with; never serialised.
	Tenant Tenant `json:"-"`
}

// Tenant is the credential set a run is sent with. Runs of different tenants
// never share a request.
type Tenant struct {
	APIKey      string
	WorkspaceID string
}
