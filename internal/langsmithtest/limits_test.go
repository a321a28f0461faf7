package langsmithtest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDefaultLimits(t *testing.T) {
	l := Options{}.limits()
	require.Equal(t, limits{sizeLimit: 100, sizeLimitBytes: 20971520, maxBodyBytes: 2 * 20971520,
		maxRunsPerTrace: 25000, useMultipart: true, zstdEnabled: true, gzipEnabled: true}, l)
}

func TestSizeLimitIsAViolationButAccepted(t *testing.T) {
	info := DefaultInfo()
	info.BatchIngestConfig.SizeLimit = 2
	s := New(t, Options{Info: info})
	root := newRun(nil, "root", "chain", t0)
	a := newRun(root, "a", "tool", t0)
	b := newRun(root, "b", "tool", t0)
	resp := sendMultipart(t, s, postParts(root, a, b), nil)
	require.Equal(t, http.StatusAccepted, resp.status)
	require.Len(t, s.Runs(), 3)
	require.Len(t, s.Violations(), 1)
	containsAll(t, s.Violations()[0], "POST /runs/multipart: request has 3 operations, above /info size_limit 2")
}

func TestSizeLimitBytes(t *testing.T) {
	info := DefaultInfo()
	info.BatchIngestConfig.SizeLimitBytes = 2000
	s := New(t, Options{Info: info, MaxBodyBytes: 10000})
	big := newRun(nil, "big", "chain", t0)
	big["inputs"] = map[string]any{"text": strings.Repeat("x", 3000)}
	resp := sendMultipart(t, s, postParts(big), nil)
	require.Equal(t, http.StatusAccepted, resp.status)
	require.Len(t, s.Violations(), 1)
	containsAll(t, s.Violations()[0], "above /info size_limit_bytes 2000")

	huge := newRun(nil, "huge", "chain", t0)
	huge["inputs"] = map[string]any{"text": strings.Repeat("x", 20000)}
	resp = sendMultipart(t, s, postParts(huge), nil)
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.status)
	containsAll(t, errorText(resp), "Payload Too Large", "body exceeds 10000 bytes")
	require.Len(t, s.Runs(), 1)
	require.Len(t, s.Violations(), 2)
}

func TestMultipartWhenInfoSaysBatch(t *testing.T) {
	info := DefaultInfo()
	info.BatchIngestConfig.UseMultipartEndpoint = false
	s := New(t, Options{Info: info})
	require.Equal(t, http.StatusAccepted, sendMultipart(t, s, postParts(newRun(nil, "r", "chain", t0)), nil).status)
	require.Len(t, s.Violations(), 1)
	containsAll(t, s.Violations()[0], "use_multipart_endpoint is false")
}

func TestRunsPerTraceCap(t *testing.T) {
	s := New(t, Options{MaxRunsPerTrace: 3})
	root := newRun(nil, "root", "chain", t0)
	a := newRun(root, "a", "tool", t0)
	require.Equal(t, http.StatusAccepted, sendMultipart(t, s, postParts(root, a), nil).status)
	b := newRun(root, "b", "tool", t0)
	c := newRun(root, "c", "tool", t0)
	other := newRun(nil, "other", "chain", t0)
	resp := sendMultipart(t, s, postParts(b, c, other), nil)
	require.Equal(t, http.StatusBadRequest, resp.status)
	containsAll(t, errorText(resp), "would have 4 runs, above the limit of 3 runs per trace")
	require.Len(t, s.Runs(), 2, "nothing of the refused request is stored")
	require.Equal(t, http.StatusAccepted, sendMultipart(t, s, postParts(b, other), nil).status)
	require.Len(t, s.Runs(), 4)
	require.Empty(t, s.Check())
}

func TestLargeTraceWithinDefaultCap(t *testing.T) {
	s := New(t, Options{})
	root := newRun(nil, "root", "chain", t0)
	var posts []map[string]any
	posts = append(posts, root)
	for i := 1; i < DefaultMaxRunsPerTrace; i++ {
		posts = append(posts, newRun(root, "c", "tool", t0.Add(time.Microsecond)))
	}
	for i := 0; i < len(posts); i += 5000 {
		resp := sendBatch(t, s, posts[i:min(i+5000, len(posts))], nil)
		require.Equal(t, http.StatusAccepted, resp.status, resp.raw)
	}
	resp := sendBatch(t, s, []map[string]any{newRun(root, "one too many", "tool", t0)}, nil)
	require.Equal(t, http.StatusBadRequest, resp.status)
	containsAll(t, errorText(resp), "above the limit of 25000 runs per trace")
	require.Len(t, s.Runs(), DefaultMaxRunsPerTrace)
}
