package send

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/encode"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
)

// This file sends one ingestion request and reads LangSmith's answer.

// answer is what the sender keeps of a response.
type answer struct {
	status     int
	message    string // start of the body, for logs and errors
	retryAfter time.Duration
}

// post encodes runs for the current endpoint and sends them in one request.
// err is set only when no HTTP answer came.
func (s *Sender) post(ctx context.Context, t runmap.Tenant, runs []*encode.EncodedRun, encoding string, batch bool) (answer, error) {
	raw := requestBufs.Get().(*bytes.Buffer)
	raw.Reset()
	path, endpointAttr := multipartPath, endpointMultipart
	var contentType string
	if batch {
		// Old servers that lack /runs/multipart may not decode bodies either.
		path, endpointAttr, encoding = batchPath, endpointBatch, encode.EncodingNone
		encode.WriteBatchBody(raw, runs)
		contentType = "application/json"
	} else {
		boundary := s.boundary(runs)
		encode.WriteMultipart(raw, boundary, runs)
		contentType = "multipart/form-data; boundary=" + boundary
	}
	payload, err := s.comp.Compress(encoding, raw.Bytes())
	if err != nil {
		s.logger.Warn("Compression failed; sending uncompressed", zap.Error(err))
		payload, encoding = raw.Bytes(), encode.EncodingNone
	}
	rawLen := raw.Len()
	if encoding != encode.EncodingNone && raw.Cap() <= maxPooledRequestBuf {
		// The request carries the compressed copy: the body can be reused.
		requestBufs.Put(raw)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.baseURL+path, bytes.NewReader(payload))
	if err != nil {
		return answer{}, fmt.Errorf("build request: %w", err)
	}
	req.Header = s.headers(t)
	req.Header.Set("Content-Type", contentType)
	if encoding != encode.EncodingNone {
		req.Header.Set("Content-Encoding", encoding)
		req.Header.Set("X-Pre-Compressed-Size", strconv.Itoa(rawLen))
	}
	s.tb.ExporterLangsmithRequestBytesUncompressed.Add(ctx, int64(rawLen))
	s.tb.ExporterLangsmithRequestBytesCompressed.Add(ctx, int64(len(payload)))

	resp, err := s.client.Do(req)
	if err != nil {
		s.countRequest(ctx, 0, endpointAttr)
		return answer{}, err
	}
	defer resp.Body.Close()
	s.countRequest(ctx, resp.StatusCode, endpointAttr)
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxDrainBody))
	if len(body) > maxLoggedBody {
		body = body[:maxLoggedBody]
	}
	ans := answer{status: resp.StatusCode, message: strings.ToValidUTF8(string(body), "\uFFFD")}
	ans.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), s.now())
	return ans, nil
}

// requestBufs pools uncompressed request bodies, which are garbage as soon
// as they are compressed: at saturation they were the exporter's largest
// allocation. Bodies over maxPooledRequestBuf are left to the collector.
var requestBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledRequestBuf = 4 << 20

// headers are the ones every request carries.
func (s *Sender) headers(t runmap.Tenant) http.Header {
	h := http.Header{}
	h.Set("User-Agent", userAgent)
	h.Set("Accept", "application/json")
	if t.APIKey != "" {
		h.Set("x-api-key", t.APIKey)
	}
	if t.WorkspaceID != "" {
		h.Set("X-Tenant-Id", t.WorkspaceID)
	}
	return h
}

// parseRetryAfter reads delta-seconds or an HTTP date; 0 when absent, bad
// or already past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseUint(v, 10, 64); err == nil {
		if secs > uint64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		d := at.Sub(now)
		if d <= 0 {
			return 0
		}
		return min(d, maxRetryAfter)
	}
	return 0
}
