package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// syncBuffer collects the sink's log safely while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startSink(t *testing.T, ctx context.Context, args ...string) (url string, exit <-chan int, logs *syncBuffer) {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	logs = &syncBuffer{}
	ch := make(chan int, 1)
	go func() { ch <- run(ctx, append([]string{"-addr-file", addrFile}, args...), logs) }()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(addrFile); err == nil {
			return strings.TrimSpace(string(b)), ch, logs
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("sink did not write its address; log:\n%s", logs.String())
	return "", nil, nil
}

func TestSinkServesAPIAndControlAndStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, exit, logs := startSink(t, ctx, "-api-key", "k", "-size-limit", "5")
	require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)

	resp, err := http.Get(url + "/info")
	require.NoError(t, err)
	var info map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&info))
	resp.Body.Close()
	require.Equal(t, float64(5), info["batch_ingest_config"].(map[string]any)["size_limit"])

	req, _ := http.NewRequest(http.MethodPost, url+"/runs/batch", strings.NewReader(`{"post":[]}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "-api-key is enforced")

	resp, err = http.Get(url + "/_test/runs")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, "[]\n", string(body))

	cancel()
	select {
	case code := <-exit:
		require.Equal(t, 0, code)
	case <-time.After(5 * time.Second):
		t.Fatal("sink did not stop on cancel")
	}
	require.Contains(t, logs.String(), "POST /runs/batch -> 401")
}

func TestSinkExitsAfterMaxDuration(t *testing.T) {
	_, exit, logs := startSink(t, context.Background(), "-max-duration", "200ms", "-quiet")
	select {
	case code := <-exit:
		require.Equal(t, 0, code)
	case <-time.After(5 * time.Second):
		t.Fatal("sink outlived -max-duration")
	}
	require.Contains(t, logs.String(), "max duration reached")
}

func TestSinkRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-addr", "0.0.0.0:0"},
		{"-addr", ":8080"},
		{"-max-duration", "0s"},
		{"-no-such-flag"},
	} {
		var logs syncBuffer
		require.Equal(t, 2, run(context.Background(), args, &logs), args)
	}
	var logs syncBuffer
	require.Equal(t, 1, run(context.Background(), []string{"-addr-file", filepath.Join(t.TempDir(), "missing", "addr")}, &logs))
}
