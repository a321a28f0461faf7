package langsmithtest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const conflictBody = `{"error":"Conflict: payload already received: payloads already received"}` + "\n"

func TestDuplicateRunIsConflictAndStoresNothing(t *testing.T) {
	s := New(t, Options{})
	root := newRun(nil, "root", "chain", t0)
	require.Equal(t, http.StatusAccepted, sendMultipart(t, s, postParts(root), nil).status)

	// A retry of the same run, together with a new one: 409 and the new run is not stored.
	child := newRun(root, "child", "tool", t0.Add(time.Millisecond))
	resp := sendMultipart(t, s, postParts(child, root), nil)
	require.Equal(t, http.StatusConflict, resp.status)
	require.Equal(t, conflictBody, resp.raw)
	require.Len(t, s.Runs(), 1)

	// The same run over the other endpoint.
	resp = sendBatch(t, s, []map[string]any{root}, nil)
	require.Equal(t, http.StatusConflict, resp.status)
	require.Equal(t, conflictBody, resp.raw)

	// The same run twice in one request.
	resp = sendMultipart(t, s, postParts(child, child), nil)
	require.Equal(t, http.StatusConflict, resp.status)
	resp = sendBatch(t, s, []map[string]any{child, child}, nil)
	require.Equal(t, http.StatusConflict, resp.status)

	require.Len(t, s.Runs(), 1)
	require.Empty(t, s.Violations(), "a 409 is not a rule violation")
	require.Equal(t, http.StatusAccepted, sendMultipart(t, s, postParts(child), nil).status)
	require.Len(t, s.Runs(), 2)
}

func TestConflictIsCaseInsensitiveOnIDs(t *testing.T) {
	s := New(t, Options{})
	root := newRun(nil, "root", "chain", t0)
	require.Equal(t, http.StatusAccepted, sendBatch(t, s, []map[string]any{root}, nil).status)
	upper := map[string]any{}
	for k, v := range root {
		upper[k] = v
	}
	id := root["id"].(string)
	upperID := ""
	for _, c := range id {
		if c >= 'a' && c <= 'f' {
			c -= 'a' - 'A'
		}
		upperID += string(c)
	}
	upper["id"], upper["trace_id"] = upperID, upperID
	upper["dotted_order"] = segmentOf(t0, upperID)
	require.Equal(t, http.StatusConflict, sendBatch(t, s, []map[string]any{upper}, nil).status)
}
