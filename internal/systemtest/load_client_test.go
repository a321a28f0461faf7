//go:build systemtest || scaletest

package systemtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
)

// loadClient replays the reference AutoGen recording over OTLP/HTTP, each
// copy under its own trace id, and retries like an OpenTelemetry SDK: on
// 429, 502, 503, 504 and network errors, after Retry-After when given, else
// with exponential backoff. It records which copies got a 2xx.
type loadClient struct {
	url     string
	src     ptrace.Traces
	workers int
	perSec  int

	mu       sync.Mutex
	next     int
	accepted map[pcommon.TraceID]bool
	statuses map[int]int // non-2xx answers by status (0: network error)
	paused   bool

	stop chan struct{}
	wg   sync.WaitGroup
}

func newLoadClient(t *testing.T, url string, workers, perSec int) *loadClient {
	return &loadClient{url: url, src: recordings.MustLoad(t, recordings.Reference), workers: workers, perSec: perSec,
		accepted: map[pcommon.TraceID]bool{}, statuses: map[int]int{}, stop: make(chan struct{})}
}

// traceIDOf gives copy n of the recording its own trace id.
func traceIDOf(n int) pcommon.TraceID {
	var id pcommon.TraceID
	copy(id[:], "loadtest")
	binary.BigEndian.PutUint64(id[8:], uint64(n))
	return id
}

// start sends copies until stopAndWait; every copy started is retried until
// accepted or until ctx ends.
func (l *loadClient) start(ctx context.Context) {
	interval := time.Duration(l.workers) * time.Second / time.Duration(l.perSec)
	client := &http.Client{Timeout: 30 * time.Second}
	for w := 0; w < l.workers; w++ {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for {
				select {
				case <-l.stop:
					return
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				n, ok := l.take()
				if !ok {
					continue
				}
				l.send(ctx, client, n)
			}
		}()
	}
}

// waitWhilePaused holds a retry while the client is paused; false once ctx ends.
func (l *loadClient) waitWhilePaused(ctx context.Context) bool {
	for {
		l.mu.Lock()
		paused := l.paused
		l.mu.Unlock()
		if !paused || ctx.Err() != nil {
			return ctx.Err() == nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (l *loadClient) take() (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.paused {
		return 0, false
	}
	l.next++
	return l.next, true
}

// send posts copy n until it is accepted or ctx ends.
func (l *loadClient) send(ctx context.Context, client *http.Client, n int) {
	td := ptrace.NewTraces()
	l.src.CopyTo(td)
	spanwalk.SetTraceID(td, traceIDOf(n))
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		panic(err)
	}
	backoff := 100 * time.Millisecond
	for l.waitWhilePaused(ctx) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, l.url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-protobuf")
		resp, err := client.Do(req)
		status := 0
		wait := backoff
		if err == nil {
			status = resp.StatusCode
			if s, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && s > 0 {
				wait = time.Duration(s) * time.Second
			}
			resp.Body.Close()
		}
		if status >= 200 && status < 300 {
			l.mu.Lock()
			l.accepted[traceIDOf(n)] = true
			l.mu.Unlock()
			return
		}
		l.mu.Lock()
		l.statuses[status]++
		l.mu.Unlock()
		switch status {
		case 0, http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		default:
			return // not retryable: the SDK drops it, and so the test sees it
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// pause stops sending: no new copies, no retries, until pause(false).
func (l *loadClient) pause(p bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.paused = p
}

// stopAndWait stops starting copies and waits for the ones in flight.
func (l *loadClient) stopAndWait() {
	close(l.stop)
	l.wg.Wait()
}

// result returns the accepted trace ids, how many copies were started and
// the non-2xx answers by status.
func (l *loadClient) result() (accepted map[pcommon.TraceID]bool, started int, statuses map[int]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	accepted = make(map[pcommon.TraceID]bool, len(l.accepted))
	for id := range l.accepted {
		accepted[id] = true
	}
	statuses = make(map[int]int, len(l.statuses))
	for s, n := range l.statuses {
		statuses[s] = n
	}
	return accepted, l.next, statuses
}

func (l *loadClient) refusedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.statuses {
		n += c
	}
	return n
}
