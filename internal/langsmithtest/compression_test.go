package langsmithtest

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCompressedBodies(t *testing.T) {
	for _, enc := range []string{"zstd", "gzip", "ZSTD", "identity"} {
		t.Run(enc, func(t *testing.T) {
			s := New(t, Options{})
			run := newRun(nil, "r", "chain", t0)
			run["inputs"] = map[string]any{"text": string(bytes.Repeat([]byte("compress me "), 500))}
			body, ct := multipartBody(t, postParts(run))
			wire := body
			switch enc {
			case "zstd", "ZSTD":
				wire = zstdBytes(t, body)
			case "gzip":
				wire = gzipBytes(t, body)
			}
			resp := send(t, http.MethodPost, s.URL()+PathMultipart, wire, map[string]string{"Content-Type": ct, "Content-Encoding": enc})
			require.Equal(t, http.StatusAccepted, resp.status, resp.raw)
			require.Len(t, s.Runs(), 1)
			req := s.Requests()[0]
			require.Equal(t, enc, req.ContentEncoding)
			require.Equal(t, int64(len(wire)), req.BodyBytes)
			require.Equal(t, int64(len(body)), req.UncompressedBytes)
		})
	}
}

func TestCompressionRefusals(t *testing.T) {
	run := newRun(nil, "r", "chain", t0)
	body, ct := multipartBody(t, postParts(run))
	noZstd := DefaultInfo()
	noZstd.InstanceFlags[FlagZstd] = false
	noGzip := DefaultInfo()
	delete(noGzip.InstanceFlags, FlagGzip)
	cases := []struct {
		name     string
		opts     Options
		encoding string
		wire     []byte
		status   int
		want     string
	}{
		{"brotli", Options{}, "br", body, 415, `unsupported Content-Encoding "br"`},
		{"corrupt zstd", Options{}, "zstd", []byte("definitely not zstd"), 422, "error decompressing zstd body"},
		{"corrupt gzip", Options{}, "gzip", []byte("definitely not gzip"), 422, "error decompressing gzip body"},
		{"truncated zstd", Options{}, "zstd", zstdBytes(t, body)[:20], 422, "error decompressing"},
		{"zstd disabled by /info", Options{Info: noZstd}, "zstd", zstdBytes(t, body), 415, "zstd is disabled"},
		{"gzip disabled by /info", Options{Info: noGzip}, "gzip", gzipBytes(t, body), 415, "gzip is disabled"},
		{"zip bomb above MaxBodyBytes", Options{MaxBodyBytes: 4096}, "zstd", zstdBytes(t, make([]byte, 1<<20)), 413, "uncompressed body exceeds 4096 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := New(t, c.opts)
			resp := send(t, http.MethodPost, s.URL()+PathMultipart, c.wire, map[string]string{"Content-Type": ct, "Content-Encoding": c.encoding})
			require.Equal(t, c.status, resp.status, resp.raw)
			containsAll(t, errorText(resp), c.want)
			require.Empty(t, s.Runs())
			require.Len(t, s.Violations(), 1)
		})
	}
}
