package langsmithtest

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInfoDefaults(t *testing.T) {
	s := New(t, Options{APIKey: "k"})
	resp := send(t, http.MethodGet, s.URL()+PathInfo, nil, map[string]string{"X-Api-Key": ""})
	require.Equal(t, http.StatusOK, resp.status, "/info needs no key")
	cfg := resp.body["batch_ingest_config"].(map[string]any)
	require.Equal(t, true, cfg["use_multipart_endpoint"])
	require.Equal(t, float64(100), cfg["size_limit"])
	require.Equal(t, float64(20971520), cfg["size_limit_bytes"])
	require.Equal(t, float64(1000), cfg["scale_up_qsize_trigger"])
	flags := resp.body["instance_flags"].(map[string]any)
	require.Equal(t, true, flags["zstd_compression_enabled"])
	require.Equal(t, true, flags["gzip_body_enabled"])
	require.Contains(t, resp.body, "license_expiration_time")
	require.Equal(t, "/info", s.Requests()[0].Path)
}

func TestInfoCustomAndDisabled(t *testing.T) {
	info := &Info{Version: "0.9.0", BatchIngestConfig: BatchIngestConfig{SizeLimit: 7, SizeLimitBytes: 1000}}
	s := New(t, Options{Info: info})
	resp := send(t, http.MethodGet, s.URL()+"/api/v1/info", nil, nil)
	require.Equal(t, http.StatusOK, resp.status)
	var got Info
	require.NoError(t, json.Unmarshal([]byte(resp.raw), &got))
	require.Equal(t, "0.9.0", got.Version)
	require.Equal(t, 7, got.BatchIngestConfig.SizeLimit)
	require.False(t, got.BatchIngestConfig.UseMultipartEndpoint)
	require.Equal(t, 7, s.lim.sizeLimit)
	require.False(t, s.lim.zstdEnabled, "flags absent from a custom Info are off")

	off := New(t, Options{DisableInfo: true})
	require.Equal(t, http.StatusNotFound, send(t, http.MethodGet, off.URL()+PathInfo, nil, nil).status)
}

func TestMultipartDisabledFallsBackToBatch(t *testing.T) {
	s := New(t, Options{MultipartDisabled: true})
	run := newRun(nil, "r", "chain", t0)
	resp := sendMultipart(t, s, postParts(run), nil)
	require.Equal(t, http.StatusNotFound, resp.status)
	require.Empty(t, s.Violations())
	require.Equal(t, http.StatusAccepted, sendBatch(t, s, []map[string]any{run}, nil).status)
	require.Len(t, s.Runs(), 1)
}
