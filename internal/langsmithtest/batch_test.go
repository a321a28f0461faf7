package langsmithtest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBatchPostsAndPatches(t *testing.T) {
	s := New(t, Options{})
	root := newRun(nil, "root", "chain", t0)
	delete(root, "end_time")
	child := newRun(root, "tool", "tool", t0.Add(time.Millisecond))
	child["inputs"] = map[string]any{"city": "SF"}
	require.Equal(t, http.StatusAccepted, sendBatch(t, s, []map[string]any{root, child}, nil).status)

	patch := map[string]any{"id": root["id"], "trace_id": root["trace_id"], "dotted_order": root["dotted_order"],
		"end_time": t0.Add(time.Second).Format(time.RFC3339Nano), "outputs": map[string]any{"answer": 42},
		"extra": map[string]any{"metadata": map[string]any{"k": "v"}}}
	resp := sendBatch(t, s, nil, []map[string]any{patch})
	require.Equal(t, http.StatusAccepted, resp.status, resp.raw)
	got := s.Runs()[0]
	require.Equal(t, patch["end_time"], got.EndTime)
	require.Equal(t, "42", got.Outputs["answer"].(interface{ String() string }).String())
	require.Equal(t, "SF", s.Runs()[1].Inputs["city"])

	// Patching outputs again is a repeated payload.
	resp = sendBatch(t, s, nil, []map[string]any{patch})
	require.Equal(t, http.StatusConflict, resp.status)
	require.Equal(t, conflictBody, resp.raw)
	require.Empty(t, s.Violations())
}

func TestBatchRefusals(t *testing.T) {
	root := newRun(nil, "root", "chain", t0)
	cases := []struct {
		name   string
		body   string
		ct     string
		status int
		want   string
	}{
		{"not JSON", `{"post":[`, "application/json", 422, "invalid JSON body"},
		{"wrong content type", `{"post":[]}`, "text/plain", 400, "Content-Type must be application/json"},
		{"not an object", `[]`, "application/json", 400, "body must be a JSON object"},
		{"post not an array", `{"post":{}}`, "application/json", 400, "'post' must be an array"},
		{"post item not an object", `{"post":[1]}`, "application/json", 400, "'post[0]' must be a JSON object"},
		{"patch of an unknown run", string(jsonBytes(map[string]any{"patch": []any{root}})), "application/json", 400, "which was never posted"},
		{"patch changing dotted_order", string(jsonBytes(map[string]any{"post": []any{root},
			"patch": []any{map[string]any{"id": root["id"], "dotted_order": segmentOf(t0.Add(time.Hour), root["id"].(string))}}})),
			"application/json", 400, "patch 'dotted_order'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := New(t, Options{})
			resp := send(t, http.MethodPost, s.URL()+PathBatch, []byte(c.body), map[string]string{"Content-Type": c.ct})
			require.Equal(t, c.status, resp.status, resp.raw)
			containsAll(t, errorText(resp), c.want)
			require.Empty(t, s.Runs())
			require.Len(t, s.Violations(), 1)
		})
	}
}

func TestBatchAppliesRunRules(t *testing.T) {
	s := New(t, Options{})
	root := newRun(nil, "root", "chain", t0)
	child := newRun(root, "c", "tool", t0)
	delete(child, "parent_run_id")
	resp := sendBatch(t, s, []map[string]any{root, child}, nil)
	require.Equal(t, http.StatusBadRequest, resp.status)
	containsAll(t, errorText(resp), "dotted_order must contain a single part for root runs")
	require.Empty(t, s.Runs())
}

func TestPatchInSameMultipartRequest(t *testing.T) {
	s := New(t, Options{})
	root := newRun(nil, "root", "chain", t0)
	delete(root, "end_time")
	id := root["id"].(string)
	parts := append(postParts(root),
		jsonPartOf("patch."+id, map[string]any{"id": id, "end_time": t0.Add(time.Second).Format(time.RFC3339Nano)}),
		jsonPartOf("patch."+id+".outputs", map[string]any{"done": true}))
	resp := sendMultipart(t, s, parts, nil)
	require.Equal(t, http.StatusAccepted, resp.status, resp.raw)
	require.Len(t, s.Runs(), 1)
	require.Equal(t, true, s.Runs()[0].Outputs["done"])
	require.NotEmpty(t, s.Runs()[0].EndTime)
}
