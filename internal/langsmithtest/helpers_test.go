package langsmithtest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/require"
)

const testKey = "ls-test-key"

var t0 = time.Date(2025, 1, 1, 12, 0, 0, 123456000, time.UTC)

// segmentOf formats a dotted_order segment the way the SDKs do.
func segmentOf(start time.Time, id string) string {
	u := start.UTC()
	return fmt.Sprintf("%s%06dZ%s", u.Format("20060102T150405"), u.Nanosecond()/1000, id)
}

// newRun builds a valid post payload; parent nil makes a root.
func newRun(parent map[string]any, name, runType string, start time.Time) map[string]any {
	id := uuid.NewString()
	r := map[string]any{
		"id": id, "name": name, "run_type": runType,
		"start_time":   start.UTC().Format(time.RFC3339Nano),
		"end_time":     start.Add(time.Second).UTC().Format(time.RFC3339Nano),
		"session_name": "test-project",
	}
	if parent == nil {
		r["trace_id"] = id
		r["dotted_order"] = segmentOf(start, id)
	} else {
		r["trace_id"] = parent["trace_id"]
		r["parent_run_id"] = parent["id"]
		r["dotted_order"] = parent["dotted_order"].(string) + "." + segmentOf(start, id)
	}
	return r
}

// part is one multipart part; nil length means "write the correct Content-Length header".
type part struct {
	name        string
	contentType string
	body        []byte
	length      *string // Content-Length header value; "" omits the header
	lengthParam bool    // put length=<n> on the Content-Type instead of a header
	header      map[string]string
}

func jsonBytes(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func jsonPartOf(name string, v any) part {
	return part{name: name, contentType: "application/json", body: jsonBytes(v)}
}

// runParts splits a payload the way the Python SDK does: main part, then out-of-band fields.
func runParts(event string, run map[string]any) []part {
	main := map[string]any{}
	oob := map[string]any{}
	for k, v := range run {
		if outOfBandFields[k] {
			oob[k] = v
		} else {
			main[k] = v
		}
	}
	id := run["id"].(string)
	parts := []part{jsonPartOf(event+"."+id, main)}
	for _, f := range []string{"inputs", "outputs", "events", "extra", "error", "serialized"} {
		if v, ok := oob[f]; ok {
			parts = append(parts, jsonPartOf(event+"."+id+"."+f, v))
		}
	}
	return parts
}

func postParts(runs ...map[string]any) []part {
	var parts []part
	for _, r := range runs {
		parts = append(parts, runParts("post", r)...)
	}
	return parts
}

// multipartBody encodes parts by hand with mime/multipart.
func multipartBody(t testing.TB, parts []part) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"`, p.name))
		ct := p.contentType
		if p.lengthParam {
			ct = fmt.Sprintf("%s; length=%d", ct, len(p.body))
		}
		if ct != "" {
			h.Set("Content-Type", ct)
		}
		switch {
		case p.length == nil && !p.lengthParam:
			h.Set("Content-Length", fmt.Sprint(len(p.body)))
		case p.length != nil && *p.length != "":
			h.Set("Content-Length", *p.length)
		}
		for k, v := range p.header {
			h.Set(k, v)
		}
		pw, err := w.CreatePart(h)
		require.NoError(t, err)
		_, err = pw.Write(p.body)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return buf.Bytes(), w.FormDataContentType()
}

func strptr(s string) *string { return &s }

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// send performs a request with the test key unless headers override it ("" deletes).
func send(t testing.TB, method, url string, body []byte, headers map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Api-Key", testKey)
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

func sendMultipart(t testing.TB, s *Server, parts []part, headers map[string]string) response {
	t.Helper()
	body, ct := multipartBody(t, parts)
	h := map[string]string{"Content-Type": ct}
	for k, v := range headers {
		h[k] = v
	}
	return send(t, http.MethodPost, s.URL()+PathMultipart, body, h)
}

func sendBatch(t testing.TB, s *Server, posts, patches []map[string]any) response {
	t.Helper()
	body := jsonBytes(map[string]any{"post": posts, "patch": patches})
	return send(t, http.MethodPost, s.URL()+PathBatch, body, map[string]string{"Content-Type": "application/json"})
}

func errorText(r response) string {
	s, _ := r.body["error"].(string)
	if d, ok := r.body["details"].(string); ok {
		s += " " + d
	}
	return s
}

func zstdBytes(t testing.TB, b []byte) []byte {
	enc, err := zstd.NewWriter(nil)
	require.NoError(t, err)
	defer enc.Close()
	return enc.EncodeAll(b, nil)
}

func gzipBytes(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, err := w.Write(b)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func containsAll(t testing.TB, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		require.Truef(t, strings.Contains(got, w), "%q does not contain %q", got, w)
	}
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
