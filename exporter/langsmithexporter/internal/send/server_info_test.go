package send

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/encode"
)

func TestParseServerInfo(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    serverInfo
		wantErr bool
	}{
		{
			name: "full",
			body: `{"version":"0.10.1","batch_ingest_config":{"use_multipart_endpoint":false,"scale_up_qsize_trigger":1000,
				"size_limit":50,"size_limit_bytes":1048576},"instance_flags":{"zstd_compression_enabled":false,
				"gzip_body_enabled":true,"other_flag":"x"}}`,
			want: serverInfo{SizeLimit: 50, SizeLimitBytes: 1048576, UseMultipart: false, ZstdEnabled: false, GzipEnabled: true},
		},
		{
			name: "empty object keeps defaults",
			body: `{}`,
			want: defaultServerInfo(),
		},
		{
			name: "nonsense limits and flag types keep defaults",
			body: `{"batch_ingest_config":{"size_limit":0,"size_limit_bytes":-5},"instance_flags":{"zstd_compression_enabled":"no"}}`,
			want: defaultServerInfo(),
		},
		{
			name:    "not JSON",
			body:    `<html>gateway</html>`,
			want:    defaultServerInfo(),
			wantErr: true,
		},
		{
			name:    "wrong types",
			body:    `{"batch_ingest_config":{"size_limit":"many"}}`,
			want:    defaultServerInfo(),
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseServerInfo([]byte(tt.body))
			if tt.wantErr {
				assert.Error(t, err)
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// infoServer answers /info with handler and counts the calls.
func infoServer(t *testing.T, handler http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != infoPath {
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestServerInfoCacheFetchesOnce(t *testing.T) {
	var gotKey atomic.Value
	srv, calls := infoServer(t, func(w http.ResponseWriter, r *http.Request) {
		gotKey.Store(r.Header.Get("x-api-key"))
		_, _ = w.Write([]byte(`{"batch_ingest_config":{"size_limit":7}}`))
	})
	c := newServerInfoCache(srv.URL, srv.Client(), zaptest.NewLogger(t))
	h := http.Header{}
	h.Set("x-api-key", "k1")

	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.Equal(t, 7, c.get(context.Background(), h).SizeLimit)
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), calls.Load())
	assert.Equal(t, "k1", gotKey.Load())
}

func TestServerInfoCacheFinalFailures(t *testing.T) {
	for name, handler := range map[string]http.HandlerFunc{
		"404":      func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) },
		"bad JSON": func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"batch_ingest_config":`)) },
	} {
		t.Run(name, func(t *testing.T) {
			srv, calls := infoServer(t, handler)
			c := newServerInfoCache(srv.URL, srv.Client(), zap.NewNop())
			for range 3 {
				assert.Equal(t, defaultServerInfo(), c.get(context.Background(), http.Header{}))
			}
			assert.Equal(t, int32(1), calls.Load(), "an HTTP answer is final")
		})
	}
}

func TestServerInfoCacheRetriesTransientFailuresAtMostOncePerMinute(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	srv, calls := infoServer(t, func(w http.ResponseWriter, _ *http.Request) {
		if fail.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"batch_ingest_config":{"size_limit":3}}`))
	})
	c := newServerInfoCache(srv.URL, srv.Client(), zap.NewNop())
	now := time.Unix(1_700_000_000, 0)
	c.now = func() time.Time { return now }

	assert.Equal(t, defaultServerInfo(), c.get(context.Background(), http.Header{}))
	assert.Equal(t, defaultServerInfo(), c.get(context.Background(), http.Header{}))
	assert.Equal(t, int32(1), calls.Load(), "no new attempt within a minute")

	fail.Store(false)
	now = now.Add(30 * time.Second)
	assert.Equal(t, 100, c.get(context.Background(), http.Header{}).SizeLimit)
	assert.Equal(t, int32(1), calls.Load())

	now = now.Add(31 * time.Second)
	assert.Equal(t, 3, c.get(context.Background(), http.Header{}).SizeLimit)
	assert.Equal(t, int32(2), calls.Load())
	now = now.Add(time.Hour)
	assert.Equal(t, 3, c.get(context.Background(), http.Header{}).SizeLimit)
	assert.Equal(t, int32(2), calls.Load(), "a good answer is kept")
}

func TestServerInfoCacheNetworkErrorAndTimeout(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close())
		c := newServerInfoCache("http://"+addr, &http.Client{}, zap.NewNop())
		assert.Equal(t, defaultServerInfo(), c.get(context.Background(), http.Header{}))
		assert.False(t, c.done)
		assert.False(t, c.lastAttempt.IsZero(), "a network error schedules a later retry")
	})
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		srv, calls := infoServer(t, func(_ http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		defer close(release)
		c := newServerInfoCache(srv.URL, srv.Client(), zap.NewNop())
		c.timeout = 100 * time.Millisecond
		start := time.Now()
		assert.Equal(t, defaultServerInfo(), c.get(context.Background(), http.Header{}))
		assert.Less(t, time.Since(start), 5*time.Second)
		assert.Equal(t, int32(1), calls.Load())
		assert.False(t, c.done)
		assert.False(t, c.lastAttempt.IsZero())
	})
	t.Run("caller cancelled", func(t *testing.T) {
		srv, _ := infoServer(t, func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{}`))
		})
		c := newServerInfoCache(srv.URL, srv.Client(), zap.NewNop())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		assert.Equal(t, defaultServerInfo(), c.get(ctx, http.Header{}))
		assert.True(t, c.lastAttempt.IsZero(), "the caller's cancellation must not delay the next attempt")
	})
}

func TestChooseEncoding(t *testing.T) {
	both := serverInfo{ZstdEnabled: true, GzipEnabled: true}
	gzipOnly := serverInfo{GzipEnabled: true}
	zstdOnly := serverInfo{ZstdEnabled: true}
	neither := serverInfo{}
	tests := []struct {
		configured configcompression.Type
		info       serverInfo
		want       string
	}{
		{configcompression.TypeZstd, both, encode.EncodingZstd},
		{configcompression.TypeZstd, zstdOnly, encode.EncodingZstd},
		{configcompression.TypeZstd, gzipOnly, encode.EncodingGzip},
		{configcompression.TypeZstd, neither, encode.EncodingNone},
		{configcompression.TypeGzip, both, encode.EncodingGzip},
		{configcompression.TypeGzip, zstdOnly, encode.EncodingNone},
		{"none", both, encode.EncodingNone},
		{"", both, encode.EncodingNone},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, chooseEncoding(tt.configured, tt.info), "%q with %+v", tt.configured, tt.info)
	}
}
