package langsmithtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestControlEndpoints(t *testing.T) {
	s := New(t, Options{Control: true})
	get := func(path string) response { return send(t, http.MethodGet, s.URL()+path, nil, nil) }

	require.Equal(t, "[]\n", get("/_test/runs").raw)
	require.Equal(t, "[]\n", get("/_test/check").raw)

	root := newRun(nil, "root", "chain", t0)
	child := newRun(root, "chat", "llm", t0.Add(time.Millisecond))
	child["inputs"] = map[string]any{"q": "hi"}
	child["tags"] = []any{"x"}
	require.Equal(t, http.StatusAccepted, sendMultipart(t, s, postParts(root, child), nil).status)
	require.Equal(t, http.StatusBadRequest, sendMultipart(t, s, postParts(newRun(nil, "bad", "agent", t0)), nil).status)

	var runs []map[string]any
	require.NoError(t, json.Unmarshal([]byte(get("/_test/runs").raw), &runs))
	require.Len(t, runs, 2)
	for _, k := range []string{"id", "trace_id", "parent_run_id", "dotted_order", "name", "run_type", "start_time",
		"end_time", "session_name", "tags", "inputs", "outputs", "extra", "events", "error"} {
		require.Contains(t, runs[0], k)
	}
	require.Nil(t, runs[0]["parent_run_id"], "a root's parent is null, as in LangSmith")
	require.Equal(t, root["id"], runs[1]["parent_run_id"])
	require.Equal(t, map[string]any{"q": "hi"}, runs[1]["inputs"])
	require.Equal(t, []any{"x"}, runs[1]["tags"])

	var typed []Run
	require.NoError(t, json.Unmarshal([]byte(get("/_test/runs").raw), &typed))
	require.Equal(t, child["dotted_order"], typed[1].DottedOrder)
	require.Equal(t, "", typed[0].ParentRunID)

	tree := get("/_test/tree")
	require.Equal(t, s.Tree(), tree.raw)
	require.True(t, strings.HasPrefix(tree.header.Get("Content-Type"), "text/plain"))

	var violations []string
	require.NoError(t, json.Unmarshal([]byte(get("/_test/violations").raw), &violations))
	require.Len(t, violations, 1)
	containsAll(t, violations[0], "invalid 'run_type' agent")

	var reqs []map[string]any
	require.NoError(t, json.Unmarshal([]byte(get("/_test/requests").raw), &reqs))
	require.Len(t, reqs, 2, "control requests are not recorded")
	require.Equal(t, float64(202), reqs[0]["status"])
	require.Equal(t, "/runs/multipart", reqs[0]["path"])
	require.Len(t, reqs[0]["run_ids"], 2)

	// Faults through the control API, with latency in milliseconds.
	resp := send(t, http.MethodPost, s.URL()+"/_test/faults",
		[]byte(`[{"path":"/runs/multipart","status":429,"retry_after":"1","latency_ms":50,"times":1}]`), nil)
	require.Equal(t, http.StatusOK, resp.status, resp.raw)
	start := time.Now()
	resp = sendMultipart(t, s, postParts(newRun(nil, "r", "chain", t0)), nil)
	require.Equal(t, http.StatusTooManyRequests, resp.status)
	require.Equal(t, "1", resp.header.Get("Retry-After"))
	require.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)

	for _, bad := range []string{`{"status":500}`, `[{"status":500,"nope":1}]`, `[{}]`, `[{"status":7}]`} {
		resp = send(t, http.MethodPost, s.URL()+"/_test/faults", []byte(bad), nil)
		require.Equal(t, http.StatusBadRequest, resp.status, bad)
	}

	require.Equal(t, http.StatusOK, send(t, http.MethodPost, s.URL()+"/_test/reset", nil, nil).status)
	require.Empty(t, s.Runs())
	require.Equal(t, "[]\n", get("/_test/violations").raw)
	require.Equal(t, "[]\n", get("/_test/requests").raw)
	require.Equal(t, http.StatusMethodNotAllowed, send(t, http.MethodGet, s.URL()+"/_test/reset", nil, nil).status)
}

func TestControlEndpointsAreOptIn(t *testing.T) {
	s := New(t, Options{})
	require.Equal(t, http.StatusNotFound, send(t, http.MethodGet, s.URL()+"/_test/runs", nil, nil).status)
}

func TestFaultJSONRoundTrip(t *testing.T) {
	f := Fault{Path: PathBatch, Status: 503, RetryAfter: "2", Latency: 1500 * time.Microsecond, Times: 3, Body: "x"}
	b, err := json.Marshal(f)
	require.NoError(t, err)
	require.JSONEq(t, `{"path":"/runs/batch","status":503,"retry_after":"2","latency_ms":1.5,"times":3,"body":"x"}`, string(b))
	var back Fault
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, f, back)
}
