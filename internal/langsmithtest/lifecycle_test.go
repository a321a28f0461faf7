package langsmithtest

import (
	"bytes"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestServerStopsAfterMaxLifetime(t *testing.T) {
	s := New(t, Options{MaxLifetime: time.Second})
	require.Equal(t, http.StatusOK, send(t, http.MethodGet, s.URL()+PathInfo, nil, nil).status)
	select {
	case <-s.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("server did not stop after MaxLifetime")
	}
	_, err := http.Get(s.URL() + PathInfo)
	require.Error(t, err, "the listener is closed")
	s.Close() // idempotent
}

func TestStartRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:80", "nonsense"} {
		_, err := Start(Options{Addr: addr})
		require.Error(t, err, addr)
	}
	s, err := Start(Options{Addr: "localhost:0"})
	require.NoError(t, err)
	s.Close()
	require.NoError(t, CheckLoopback("[::1]:8080"))
}

func TestWaitForRuns(t *testing.T) {
	s := New(t, Options{})
	require.False(t, s.WaitForRuns(1, 50*time.Millisecond))
	body, ct := multipartBody(t, postParts(newRun(nil, "a", "chain", t0), newRun(nil, "b", "chain", t0)))
	sent := make(chan int, 1)
	go func() { // no require here: a failure must not outlive the test
		time.Sleep(50 * time.Millisecond)
		req, _ := http.NewRequest(http.MethodPost, s.URL()+PathMultipart, bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("X-Api-Key", testKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			sent <- 0
			return
		}
		resp.Body.Close()
		sent <- resp.StatusCode
	}()
	require.True(t, s.WaitForRuns(2, 5*time.Second))
	require.Equal(t, http.StatusAccepted, <-sent)
	require.True(t, s.WaitForRuns(0, 0))
	s.Close()
	require.False(t, s.WaitForRuns(3, 5*time.Second), "returns at once when the server stopped")
}

func TestConcurrentIngest(t *testing.T) {
	s := New(t, Options{})
	const workers, perWorker = 8, 10
	var wg sync.WaitGroup
	shared := newRun(nil, "shared", "chain", t0)
	accepted := make(chan int, workers*perWorker)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				root := newRun(nil, "root", "chain", t0)
				child := newRun(root, "child", "tool", t0.Add(time.Millisecond))
				sendMultipart(t, s, postParts(root, child), map[string]string{"Content-Encoding": ""})
				// Everyone races to post the same run: exactly one wins.
				accepted <- sendBatch(t, s, []map[string]any{shared}, nil).status
				_ = s.Runs()
				_ = s.Tree()
			}
		}()
	}
	wg.Wait()
	close(accepted)
	wins := 0
	for st := range accepted {
		if st == http.StatusAccepted {
			wins++
		} else {
			require.Equal(t, http.StatusConflict, st)
		}
	}
	require.Equal(t, 1, wins)
	require.Len(t, s.Runs(), 2*workers*perWorker+1)
	require.Nil(t, s.Check())
	require.Empty(t, s.Violations())
}
