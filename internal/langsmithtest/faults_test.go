package langsmithtest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFaultAnswersAndStoresNothing(t *testing.T) {
	s := New(t, Options{})
	s.Inject(Fault{Status: http.StatusTooManyRequests, RetryAfter: "3", Times: 2})
	run := newRun(nil, "r", "chain", t0)
	for i := 0; i < 2; i++ {
		resp := sendMultipart(t, s, postParts(run), nil)
		require.Equal(t, http.StatusTooManyRequests, resp.status)
		require.Equal(t, "3", resp.header.Get("Retry-After"))
		require.Equal(t, `{"error":"Too Many Requests"}`, resp.raw)
	}
	require.Empty(t, s.Runs())
	resp := sendMultipart(t, s, postParts(run), nil)
	require.Equal(t, http.StatusAccepted, resp.status, "the fault is used up")
	require.Empty(t, resp.header.Get("Retry-After"))
	reqs := s.Requests()
	require.Len(t, reqs, 3)
	require.True(t, reqs[0].Fault)
	require.Equal(t, []string{run["id"].(string)}, reqs[0].RunIDs, "faulted requests still name their runs")
	require.False(t, reqs[2].Fault)
	require.Empty(t, s.Violations())
}

func TestFaultPathMatchingAndOrder(t *testing.T) {
	s := New(t, Options{})
	s.Inject(
		Fault{Path: PathBatch, Status: http.StatusServiceUnavailable},
		Fault{Path: PathMultipart, Status: http.StatusInternalServerError, Body: `{"error":"boom"}`},
		Fault{Status: http.StatusBadGateway},
	)
	r1, r2, r3 := newRun(nil, "a", "chain", t0), newRun(nil, "b", "chain", t0), newRun(nil, "c", "chain", t0)
	resp := sendMultipart(t, s, postParts(r1), nil)
	require.Equal(t, http.StatusInternalServerError, resp.status, "the batch fault is skipped for multipart")
	require.Equal(t, `{"error":"boom"}`, resp.raw)
	require.Equal(t, http.StatusBadGateway, sendMultipart(t, s, postParts(r1), nil).status)
	require.Equal(t, http.StatusAccepted, sendMultipart(t, s, postParts(r1), nil).status)
	require.Equal(t, http.StatusServiceUnavailable, sendBatch(t, s, []map[string]any{r2}, nil).status)
	require.Equal(t, http.StatusAccepted, sendBatch(t, s, []map[string]any{r2, r3}, nil).status)
	require.Len(t, s.Runs(), 3)
}

func TestFaultLatency(t *testing.T) {
	s := New(t, Options{})
	s.Inject(Fault{Latency: 150 * time.Millisecond}, Fault{Latency: 100 * time.Millisecond, Status: 504})
	run := newRun(nil, "r", "chain", t0)
	start := time.Now()
	resp := sendMultipart(t, s, postParts(run), nil)
	require.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
	require.Equal(t, http.StatusAccepted, resp.status, "latency-only fault then normal handling")
	start = time.Now()
	require.Equal(t, http.StatusGatewayTimeout, sendMultipart(t, s, postParts(newRun(nil, "x", "chain", t0)), nil).status)
	require.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
	require.Len(t, s.Runs(), 1)
}

func TestFaultOnInfo(t *testing.T) {
	s := New(t, Options{})
	s.Inject(Fault{Path: PathInfo, Status: http.StatusInternalServerError})
	require.Equal(t, http.StatusInternalServerError, send(t, http.MethodGet, s.URL()+PathInfo, nil, nil).status)
	require.Equal(t, http.StatusOK, send(t, http.MethodGet, s.URL()+PathInfo, nil, nil).status)
}

func TestInvalidFaultPanics(t *testing.T) {
	s := New(t, Options{})
	require.Panics(t, func() { s.Inject(Fault{}) })
	require.Panics(t, func() { s.Inject(Fault{Status: 42}) })
	require.Panics(t, func() { s.Inject(Fault{Status: 500, Times: -1}) })
}

func TestResetForgetsEverything(t *testing.T) {
	s := New(t, Options{})
	require.Equal(t, http.StatusAccepted, sendMultipart(t, s, postParts(newRun(nil, "r", "chain", t0)), nil).status)
	require.Equal(t, http.StatusBadRequest, sendMultipart(t, s, postParts(newRun(nil, "r", "agent", t0)), nil).status)
	s.Inject(Fault{Status: 500})
	s.Reset()
	require.Empty(t, s.Runs())
	require.Empty(t, s.Violations())
	require.Empty(t, s.Requests())
	require.Equal(t, http.StatusAccepted, sendMultipart(t, s, postParts(newRun(nil, "r", "chain", t0)), nil).status,
		"pending faults are dropped too")
}
