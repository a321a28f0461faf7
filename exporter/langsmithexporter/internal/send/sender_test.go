package send

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/encode"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/metadata"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/metadatatest"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runtest"
)

// receivedRequest is what the fake server decoded from one ingest request.
type receivedRequest struct {
	path    string
	header  http.Header
	rawSize int // bytes after decompression
	wireLen int
	runIDs  []string
	// runs holds each run's fields by id, out-of-band parts merged in.
	runs map[string]map[string]any
}

// fakeLangSmith decodes ingest requests like LangSmith would (multipart or
// batch, zstd/gzip) and answers what respond says.
type fakeLangSmith struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	info     string // /info body; "" answers 404
	requests []*receivedRequest
	respond  func(req *receivedRequest) (status int, header http.Header, body string)
}

func newFakeLangSmith(t *testing.T) *fakeLangSmith {
	f := &fakeLangSmith{t: t, info: `{"batch_ingest_config":{"size_limit":100,"size_limit_bytes":20971520,"use_multipart_endpoint":true},
		"instance_flags":{"zstd_compression_enabled":true,"gzip_body_enabled":true}}`}
	f.respond = func(*receivedRequest) (int, http.Header, string) { return http.StatusAccepted, nil, `{}` }
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLangSmith) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == infoPath {
		f.mu.Lock()
		info := f.info
		f.mu.Unlock()
		if info == "" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(info))
		return
	}
	req, err := decodeIngest(r)
	if err != nil {
		// Handlers run outside the test goroutine: report, never FailNow.
		f.t.Errorf("fake LangSmith could not decode %s: %v", r.URL.Path, err)
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	respond := f.respond
	f.mu.Unlock()
	status, header, body := respond(req)
	for k, v := range header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func decodeIngest(r *http.Request) (*receivedRequest, error) {
	wire, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	req := &receivedRequest{path: r.URL.Path, header: r.Header.Clone(), wireLen: len(wire), runs: map[string]map[string]any{}}
	raw, err := decompressBody(r.Header.Get("Content-Encoding"), wire)
	if err != nil {
		return nil, err
	}
	req.rawSize = len(raw)
	if pre := r.Header.Get("X-Pre-Compressed-Size"); pre != "" && pre != strconv.Itoa(len(raw)) {
		return nil, fmt.Errorf("X-Pre-Compressed-Size %s, body %d bytes", pre, len(raw))
	}
	switch r.URL.Path {
	case multipartPath:
		return req, decodeMultipart(r.Header.Get("Content-Type"), raw, req)
	case batchPath:
		return req, decodeBatch(r.Header.Get("Content-Type"), raw, req)
	}
	return req, nil
}

func decompressBody(encoding string, body []byte) ([]byte, error) {
	switch encoding {
	case "":
		return body, nil
	case encode.EncodingZstd:
		dec, err := zstd.NewReader(nil)
		if err != nil {
			return nil, err
		}
		defer dec.Close()
		return dec.DecodeAll(body, nil)
	case encode.EncodingGzip:
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(zr)
	}
	return nil, fmt.Errorf("unknown Content-Encoding %q", encoding)
}

func decodeMultipart(contentType string, raw []byte, req *receivedRequest) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" {
		return fmt.Errorf("content type %q: %v", contentType, err)
	}
	mr := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		body, err := io.ReadAll(p)
		if err != nil {
			return err
		}
		if cl := p.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
			return fmt.Errorf("part %s: Content-Length %s, %d bytes", p.FormName(), cl, len(body))
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return fmt.Errorf("part %s: %w", p.FormName(), err)
		}
		name := strings.Split(p.FormName(), ".")
		switch {
		case name[0] != "post" || len(name) < 2 || len(name) > 3:
			return fmt.Errorf("unexpected part name %q", p.FormName())
		case len(name) == 2:
			m, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("main part %s is not an object", p.FormName())
			}
			req.runIDs = append(req.runIDs, name[1])
			req.runs[name[1]] = m
		default:
			m, ok := req.runs[name[1]]
			if !ok {
				return fmt.Errorf("part %s before its run", p.FormName())
			}
			m[name[2]] = v
		}
	}
}

func decodeBatch(contentType string, raw []byte, req *receivedRequest) error {
	if contentType != "application/json" {
		return fmt.Errorf("content type %q", contentType)
	}
	var body struct {
		Post  []map[string]any `json:"post"`
		Patch []map[string]any `json:"patch"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return err
	}
	if body.Patch == nil || len(body.Patch) > 0 {
		return errors.New(`"patch" must be an empty array`)
	}
	for _, r := range body.Post {
		id, _ := r["id"].(string)
		req.runIDs = append(req.runIDs, id)
		req.runs[id] = r
	}
	return nil
}

func (f *fakeLangSmith) setInfo(info string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.info = info
}

func (f *fakeLangSmith) setRespond(fn func(req *receivedRequest) (int, http.Header, string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.respond = fn
}

func (f *fakeLangSmith) received() []*receivedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*receivedRequest(nil), f.requests...)
}

// statusOnly answers every request with status.
func statusOnly(status int) func(*receivedRequest) (int, http.Header, string) {
	return func(*receivedRequest) (int, http.Header, string) { return status, nil, `{"error":"x"}` }
}

type senderFixture struct {
	s    *Sender
	fake *fakeLangSmith
	tel  *componenttest.Telemetry
	logs *observer.ObservedLogs
}

func newSenderFixture(t *testing.T, mutate func(*Config)) *senderFixture {
	t.Helper()
	fake := newFakeLangSmith(t)
	cfg := senderTestConfig(fake.srv.URL + "/")
	if mutate != nil {
		mutate(cfg)
	}
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	tb, err := metadata.NewTelemetryBuilder(metadatatest.NewSettings(tel).TelemetrySettings)
	require.NoError(t, err)
	core, logs := observer.New(zapcore.DebugLevel)
	s := New(cfg, fake.srv.Client(), zap.New(core), tb)
	return &senderFixture{s: s, fake: fake, tel: tel, logs: logs}
}

// senderTestConfig is the config the sender tests start from.
func senderTestConfig(endpoint string) *Config {
	return &Config{Endpoint: endpoint, Compression: configcompression.TypeZstd}
}

var senderTestTenant = runmap.Tenant{APIKey: "secret-key-123"}

func runIDsOf(runs []*runmap.Run) []string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r.ID
	}
	return out
}

// isThrottle reports whether err is exporterhelper's throttle error with
// exactly delay.
func isThrottle(err error, delay time.Duration) bool {
	inner := errors.Unwrap(err)
	return inner != nil && err == exporterhelper.NewThrottleRetry(inner, delay) //nolint:errorlint // comparing the value
}

func (fx *senderFixture) assertRunsSent(t *testing.T, n int64) {
	t.Helper()
	metadatatest.AssertEqualExporterLangsmithRunsSent(t, fx.tel,
		[]metricdata.DataPoint[int64]{{Value: n}}, metricdatatest.IgnoreTimestamp())
}

func (fx *senderFixture) assertRejected(t *testing.T, byReason map[string]int64) {
	t.Helper()
	var dps []metricdata.DataPoint[int64]
	for reason, n := range byReason {
		dps = append(dps, metricdata.DataPoint[int64]{Value: n, Attributes: attribute.NewSet(attribute.String("reason", reason))})
	}
	metadatatest.AssertEqualExporterLangsmithRunsRejected(t, fx.tel, dps, metricdatatest.IgnoreTimestamp())
}

func (fx *senderFixture) assertRequests(t *testing.T, counts map[[2]string]int64) {
	t.Helper()
	var dps []metricdata.DataPoint[int64]
	for k, n := range counts {
		code, _ := strconv.Atoi(k[0])
		dps = append(dps, metricdata.DataPoint[int64]{Value: n, Attributes: attribute.NewSet(
			attribute.Int("status_code", code), attribute.String("endpoint_path", k[1]))})
	}
	metadatatest.AssertEqualExporterLangsmithRequests(t, fx.tel, dps, metricdatatest.IgnoreTimestamp())
}

func TestSendAcceptedMultipartZstd(t *testing.T) {
	fx := newSenderFixture(t, nil)
	runs := runtest.Runs(3, runmap.Tenant{APIKey: "secret-key-123", WorkspaceID: "ws-1"})
	runs[1].Error = "boom"
	require.NoError(t, fx.s.Send(context.Background(), runs))

	reqs := fx.fake.received()
	require.Len(t, reqs, 1)
	req := reqs[0]
	assert.Equal(t, multipartPath, req.path)
	assert.Equal(t, runIDsOf(runs), req.runIDs)
	assert.Equal(t, "secret-key-123", req.header.Get("x-api-key"))
	assert.Equal(t, "ws-1", req.header.Get("X-Tenant-Id"))
	assert.Equal(t, "otelcol-langsmith/"+exporterVersion, req.header.Get("User-Agent"))
	assert.Equal(t, "application/json", req.header.Get("Accept"))
	assert.Equal(t, "zstd", req.header.Get("Content-Encoding"))
	assert.Equal(t, strconv.Itoa(req.rawSize), req.header.Get("X-Pre-Compressed-Size"))
	assert.Equal(t, map[string]any{"input": "hello 2"}, req.runs[runs[1].ID]["inputs"])
	assert.Equal(t, "boom", req.runs[runs[1].ID]["error"])
	assert.Equal(t, runs[0].DottedOrder, req.runs[runs[0].ID]["dotted_order"])

	fx.assertRunsSent(t, 3)
	fx.assertRequests(t, map[[2]string]int64{{"202", endpointMultipart}: 1})
	metadatatest.AssertEqualExporterLangsmithRequestBytesUncompressed(t, fx.tel,
		[]metricdata.DataPoint[int64]{{Value: int64(req.rawSize)}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualExporterLangsmithRequestBytesCompressed(t, fx.tel,
		[]metricdata.DataPoint[int64]{{Value: int64(req.wireLen)}}, metricdatatest.IgnoreTimestamp())
	for _, e := range fx.logs.All() {
		assert.NotContains(t, e.Message+fmt.Sprint(e.ContextMap()), "secret-key-123")
	}
}

func TestSendCompressionChoice(t *testing.T) {
	tests := []struct {
		name       string
		configured configcompression.Type
		flags      string
		want       string
	}{
		{"zstd", configcompression.TypeZstd, `{"zstd_compression_enabled":true,"gzip_body_enabled":true}`, "zstd"},
		{"gzip configured", configcompression.TypeGzip, `{"zstd_compression_enabled":true,"gzip_body_enabled":true}`, "gzip"},
		{"zstd disabled by server", configcompression.TypeZstd, `{"zstd_compression_enabled":false,"gzip_body_enabled":true}`, "gzip"},
		{"both disabled by server", configcompression.TypeZstd, `{"zstd_compression_enabled":false,"gzip_body_enabled":false}`, ""},
		{"none configured", "none", `{}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newSenderFixture(t, func(c *Config) { c.Compression = tt.configured })
			fx.fake.setInfo(`{"instance_flags":` + tt.flags + `}`)
			require.NoError(t, fx.s.Send(context.Background(), runtest.Runs(2, senderTestTenant)))
			reqs := fx.fake.received()
			require.Len(t, reqs, 1)
			assert.Equal(t, tt.want, reqs[0].header.Get("Content-Encoding"))
			assert.Len(t, reqs[0].runIDs, 2)
			if tt.want == "" {
				assert.Empty(t, reqs[0].header.Get("X-Pre-Compressed-Size"))
				assert.Equal(t, reqs[0].rawSize, reqs[0].wireLen)
			}
		})
	}
}

func TestSendChunksByCount(t *testing.T) {
	t.Run("config", func(t *testing.T) {
		fx := newSenderFixture(t, func(c *Config) { c.MaxRunsPerRequest = 2 })
		runs := runtest.Runs(5, senderTestTenant)
		require.NoError(t, fx.s.Send(context.Background(), runs))
		var got [][]string
		for _, r := range fx.fake.received() {
			got = append(got, r.runIDs)
		}
		assert.Equal(t, [][]string{runIDsOf(runs[:2]), runIDsOf(runs[2:4]), runIDsOf(runs[4:])}, got)
		fx.assertRunsSent(t, 5)
	})
	t.Run("server lower than config", func(t *testing.T) {
		fx := newSenderFixture(t, func(c *Config) { c.MaxRunsPerRequest = 50 })
		fx.fake.setInfo(`{"batch_ingest_config":{"size_limit":3}}`)
		require.NoError(t, fx.s.Send(context.Background(), runtest.Runs(7, senderTestTenant)))
		var sizes []int
		for _, r := range fx.fake.received() {
			sizes = append(sizes, len(r.runIDs))
		}
		assert.Equal(t, []int{3, 3, 1}, sizes)
	})
	t.Run("many runs never one request each", func(t *testing.T) {
		fx := newSenderFixture(t, nil)
		require.NoError(t, fx.s.Send(context.Background(), runtest.Runs(250, senderTestTenant)))
		assert.Len(t, fx.fake.received(), 3)
		fx.assertRunsSent(t, 250)
	})
}

func TestSendChunksByBytes(t *testing.T) {
	const limit = 64 * 1024
	fx := newSenderFixture(t, func(c *Config) { c.MaxRequestBytes = limit })
	runs := runtest.Runs(10, senderTestTenant)
	for _, r := range runs {
		r.Inputs = map[string]any{"input": strings.Repeat("y", 20*1024)}
	}
	require.NoError(t, fx.s.Send(context.Background(), runs))
	reqs := fx.fake.received()
	var seen []string
	for _, r := range reqs {
		assert.LessOrEqual(t, r.rawSize, limit)
		seen = append(seen, r.runIDs...)
	}
	require.Len(t, reqs, 4)
	// Three 20 KiB runs fit in 64 KiB, four do not.
	for i, want := range []int{3, 3, 3, 1} {
		assert.Len(t, reqs[i].runIDs, want)
	}
	assert.Equal(t, runIDsOf(runs), seen)
}

func TestSendOversizedRunIsCutToFit(t *testing.T) {
	fx := newSenderFixture(t, func(c *Config) { c.MaxRequestBytes = 64 * 1024 })
	runs := runtest.Runs(3, senderTestTenant)
	usage := map[string]any{"input_tokens": 10, "output_tokens": 2, "total_tokens": 12}
	runs[1].Outputs = map[string]any{"output": strings.Repeat("z", 100*1024), "usage_metadata": usage}
	require.NoError(t, fx.s.Send(context.Background(), runs))

	reqs := fx.fake.received()
	require.Len(t, reqs, 1)
	assert.Equal(t, runIDsOf(runs), reqs[0].runIDs, "nothing dropped")
	assert.LessOrEqual(t, reqs[0].rawSize, 64*1024)
	outputs := reqs[0].runs[runs[1].ID]["outputs"].(map[string]any)
	assert.Equal(t, true, outputs[encode.TruncationMarker])
	assert.NotEmpty(t, outputs["preview"])
	assert.EqualValues(t, 10, outputs["usage_metadata"].(map[string]any)["input_tokens"], "usage survives the cut")
	fx.assertRunsSent(t, 3)
	require.Len(t, fx.logs.FilterMessageSnippet("Cut the largest fields").FilterField(zap.String("run_id", runs[1].ID)).All(), 1)
}

func TestSendRunThatCannotFitRejectedOthersSent(t *testing.T) {
	fx := newSenderFixture(t, func(c *Config) { c.MaxRequestBytes = 64 * 1024 })
	runs := runtest.Runs(3, senderTestTenant)
	runs[1].Name = strings.Repeat("n", 100*1024) // the main part itself is too big
	err := fx.s.Send(context.Background(), runs)
	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err))
	assert.Contains(t, err.Error(), runs[1].ID)

	reqs := fx.fake.received()
	require.Len(t, reqs, 1)
	assert.Equal(t, []string{runs[0].ID, runs[2].ID}, reqs[0].runIDs)
	fx.assertRunsSent(t, 2)
	fx.assertRejected(t, map[string]int64{reasonTooLarge: 1})
	logged := fx.logs.FilterMessageSnippet("larger than").FilterField(zap.String("run_id", runs[1].ID)).All()
	require.Len(t, logged, 1)
	assert.Greater(t, logged[0].ContextMap()["run_bytes"], int64(100*1024))
}

func TestSendSeparatesTenants(t *testing.T) {
	fx := newSenderFixture(t, nil)
	a := runmap.Tenant{APIKey: "key-a"}
	b := runmap.Tenant{APIKey: "key-b", WorkspaceID: "ws-b"}
	runs := runtest.Runs(4, a)
	runs[1].Tenant, runs[3].Tenant = b, b
	require.NoError(t, fx.s.Send(context.Background(), runs))
	reqs := fx.fake.received()
	require.Len(t, reqs, 2)
	assert.Equal(t, "key-a", reqs[0].header.Get("x-api-key"))
	assert.Empty(t, reqs[0].header.Get("X-Tenant-Id"))
	assert.Equal(t, []string{runs[0].ID, runs[2].ID}, reqs[0].runIDs)
	assert.Equal(t, "key-b", reqs[1].header.Get("x-api-key"))
	assert.Equal(t, "ws-b", reqs[1].header.Get("X-Tenant-Id"))
	assert.Equal(t, []string{runs[1].ID, runs[3].ID}, reqs[1].runIDs)
}

func TestSend409(t *testing.T) {
	t.Run("whole request duplicate", func(t *testing.T) {
		fx := newSenderFixture(t, nil)
		fx.fake.setRespond(statusOnly(http.StatusConflict))
		require.NoError(t, fx.s.Send(context.Background(), runtest.Runs(4, senderTestTenant)))
		// 4 runs -> halves of 2 -> single runs: 1 + 2 + 4 requests.
		assert.Len(t, fx.fake.received(), 7)
		fx.assertRunsSent(t, 4)
		fx.assertRequests(t, map[[2]string]int64{{"409", endpointMultipart}: 7})
	})
	t.Run("partial duplicate bisected", func(t *testing.T) {
		fx := newSenderFixture(t, nil)
		runs := runtest.Runs(5, senderTestTenant)
		stored := map[string]bool{runs[3].ID: true}
		var mu sync.Mutex
		// Like LangSmith: one known run fails the whole request.
		fx.fake.setRespond(func(req *receivedRequest) (int, http.Header, string) {
			mu.Lock()
			defer mu.Unlock()
			for _, id := range req.runIDs {
				if stored[id] {
					return http.StatusConflict, nil, `{"error":"Conflict: payload already received"}`
				}
			}
			for _, id := range req.runIDs {
				stored[id] = true
			}
			return http.StatusAccepted, nil, `{}`
		})
		require.NoError(t, fx.s.Send(context.Background(), runs))
		for _, r := range runs {
			assert.True(t, stored[r.ID], r.ID)
		}
		fx.assertRunsSent(t, 5)
	})
}

func TestSend413Splits(t *testing.T) {
	fx := newSenderFixture(t, nil)
	fx.fake.setRespond(func(req *receivedRequest) (int, http.Header, string) {
		if len(req.runIDs) > 2 {
			return http.StatusRequestEntityTooLarge, nil, `Payload Too Large`
		}
		return http.StatusAccepted, nil, `{}`
	})
	runs := runtest.Runs(5, senderTestTenant)
	require.NoError(t, fx.s.Send(context.Background(), runs))
	var accepted []string
	var sizes []int
	for _, r := range fx.fake.received() {
		sizes = append(sizes, len(r.runIDs))
		if len(r.runIDs) <= 2 {
			accepted = append(accepted, r.runIDs...)
		}
	}
	assert.Equal(t, []int{5, 2, 3, 1, 2}, sizes)
	assert.Equal(t, runIDsOf(runs), accepted)
	fx.assertRunsSent(t, 5)
}

func TestSend413SingleRunPermanent(t *testing.T) {
	fx := newSenderFixture(t, nil)
	fx.fake.setRespond(statusOnly(http.StatusRequestEntityTooLarge))
	err := fx.s.Send(context.Background(), runtest.Runs(2, senderTestTenant))
	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err))
	assert.Contains(t, err.Error(), "413")
	assert.Len(t, fx.fake.received(), 3)
	fx.assertRejected(t, map[string]int64{reasonTooLarge: 2})
}

func TestSendRefusedRunIsolated(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusUnprocessableEntity} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			fx := newSenderFixture(t, nil)
			runs := runtest.Runs(6, senderTestTenant)
			bad := runs[4]
			longMsg := `{"error":"invalid dotted_order for run ` + bad.ID + `: ` + strings.Repeat("x", 5000) + `"}`
			var accepted []string
			var mu sync.Mutex
			fx.fake.setRespond(func(req *receivedRequest) (int, http.Header, string) {
				mu.Lock()
				defer mu.Unlock()
				for _, id := range req.runIDs {
					if id == bad.ID {
						return status, nil, longMsg
					}
				}
				accepted = append(accepted, req.runIDs...)
				return http.StatusAccepted, nil, `{}`
			})
			err := fx.s.Send(context.Background(), runs)
			require.Error(t, err)
			assert.True(t, consumererror.IsPermanent(err))
			assert.Contains(t, err.Error(), bad.ID)
			assert.ElementsMatch(t, runIDsOf(append(runs[:4:4], runs[5])), accepted)

			logged := fx.logs.FilterMessage("LangSmith refused a run").All()
			require.Len(t, logged, 1)
			fields := logged[0].ContextMap()
			assert.Equal(t, bad.ID, fields["run_id"])
			assert.Equal(t, bad.Name, fields["run_name"])
			assert.Equal(t, int64(status), fields["status_code"])
			msg := fields["response"].(string)
			assert.Contains(t, msg, "invalid dotted_order for run "+bad.ID)
			assert.Len(t, msg, maxLoggedBody)

			fx.assertRunsSent(t, 5)
			fx.assertRejected(t, map[string]int64{reasonRejectedByServer: 1})
		})
	}
}

func TestSend404FallsBackToBatch(t *testing.T) {
	fx := newSenderFixture(t, nil)
	fx.fake.setRespond(func(req *receivedRequest) (int, http.Header, string) {
		if req.path == multipartPath {
			return http.StatusNotFound, nil, `Not Found`
		}
		return http.StatusAccepted, nil, `{}`
	})
	runs := runtest.Runs(3, senderTestTenant)
	runs[0].Error = "boom"
	require.NoError(t, fx.s.Send(context.Background(), runs))
	require.NoError(t, fx.s.Send(context.Background(), runtest.Runs(2, senderTestTenant)))

	reqs := fx.fake.received()
	require.Len(t, reqs, 3)
	assert.Equal(t, multipartPath, reqs[0].path)
	assert.Equal(t, batchPath, reqs[1].path)
	assert.Equal(t, runIDsOf(runs), reqs[1].runIDs)
	assert.Equal(t, "application/json", reqs[1].header.Get("Content-Type"))
	assert.Empty(t, reqs[1].header.Get("Content-Encoding"))
	assert.Equal(t, "secret-key-123", reqs[1].header.Get("x-api-key"))
	assert.Equal(t, map[string]any{"input": "hello 1"}, reqs[1].runs[runs[0].ID]["inputs"])
	assert.Equal(t, "boom", reqs[1].runs[runs[0].ID]["error"])
	assert.Equal(t, batchPath, reqs[2].path, "the switch is for the rest of the process")
	assert.Equal(t, 1, fx.logs.FilterMessageSnippet(batchPath).Len(), "warned once")

	fx.assertRunsSent(t, 5)
	fx.assertRequests(t, map[[2]string]int64{{"404", endpointMultipart}: 1, {"202", endpointBatch}: 2})
}

func TestSendInfoDisablesMultipart(t *testing.T) {
	fx := newSenderFixture(t, nil)
	fx.fake.setInfo(`{"batch_ingest_config":{"use_multipart_endpoint":false}}`)
	require.NoError(t, fx.s.Send(context.Background(), runtest.Runs(2, senderTestTenant)))
	reqs := fx.fake.received()
	require.Len(t, reqs, 1)
	assert.Equal(t, batchPath, reqs[0].path)
}

func TestSendBatch404IsPermanent(t *testing.T) {
	fx := newSenderFixture(t, nil)
	fx.fake.setRespond(statusOnly(http.StatusNotFound))
	err := fx.s.Send(context.Background(), runtest.Runs(2, senderTestTenant))
	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err))
	assert.Contains(t, err.Error(), "check the endpoint")
	assert.Len(t, fx.fake.received(), 2)
}

func TestSendRetryable(t *testing.T) {
	for _, status := range []int{408, 425, 429, 500, 502, 503, 504, 507} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			fx := newSenderFixture(t, nil)
			fx.fake.setRespond(statusOnly(status))
			err := fx.s.Send(context.Background(), runtest.Runs(3, senderTestTenant))
			require.Error(t, err)
			assert.False(t, consumererror.IsPermanent(err))
			assert.NotContains(t, err.Error(), "Throttle")
			assert.Contains(t, err.Error(), strconv.Itoa(status))
			assert.Len(t, fx.fake.received(), 1, "no splitting on a retryable status")
			fx.assertRequests(t, map[[2]string]int64{{strconv.Itoa(status), endpointMultipart}: 1})
		})
	}
}

func TestSendRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		value string
		want  time.Duration
	}{
		{"seconds", "7", 7 * time.Second},
		{"http date", now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{"huge", "99999999999999999", maxRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newSenderFixture(t, nil)
			fx.s.now = func() time.Time { return now }
			fx.fake.setRespond(func(*receivedRequest) (int, http.Header, string) {
				return http.StatusTooManyRequests, http.Header{"Retry-After": {tt.value}}, `{"error":"rate limited"}`
			})
			err := fx.s.Send(context.Background(), runtest.Runs(1, senderTestTenant))
			require.Error(t, err)
			assert.False(t, consumererror.IsPermanent(err))
			assert.True(t, isThrottle(err, tt.want), "%v", err)
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	assert.Equal(t, time.Duration(0), parseRetryAfter("", now))
	assert.Equal(t, time.Duration(0), parseRetryAfter("soon", now))
	assert.Equal(t, time.Duration(0), parseRetryAfter("-3", now))
	assert.Equal(t, time.Duration(0), parseRetryAfter(now.Add(-time.Minute).Format(http.TimeFormat), now))
	assert.Equal(t, 2*time.Second, parseRetryAfter(" 2 ", now))
	assert.Equal(t, maxRetryAfter, parseRetryAfter(now.Add(48*time.Hour).Format(http.TimeFormat), now))
}

func TestSendNetworkError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	fx := newSenderFixture(t, nil)
	fx.s = New(senderTestConfig("http://"+addr), &http.Client{Timeout: 5 * time.Second}, zap.NewNop(), fx.s.tb)
	err = fx.s.Send(context.Background(), runtest.Runs(2, senderTestTenant))
	require.Error(t, err)
	assert.False(t, consumererror.IsPermanent(err))
	fx.assertRequests(t, map[[2]string]int64{{"0", endpointMultipart}: 1})
}

func TestSendPartialOutcomes(t *testing.T) {
	a, b := runmap.Tenant{APIKey: "key-a"}, runmap.Tenant{APIKey: "key-b"}
	byKey := func(statusB int) func(*receivedRequest) (int, http.Header, string) {
		return func(req *receivedRequest) (int, http.Header, string) {
			if req.header.Get("x-api-key") == "key-b" {
				return statusB, nil, `{"error":"x"}`
			}
			return http.StatusAccepted, nil, `{}`
		}
	}
	t.Run("retryable chunk makes the send retryable, others delivered", func(t *testing.T) {
		fx := newSenderFixture(t, nil)
		fx.fake.setRespond(byKey(http.StatusServiceUnavailable))
		runs := append(runtest.Runs(2, a), runtest.Runs(2, b)...)
		err := fx.s.Send(context.Background(), runs)
		require.Error(t, err)
		assert.False(t, consumererror.IsPermanent(err))
		assert.Len(t, fx.fake.received(), 2)
		fx.assertRunsSent(t, 2)
	})
	t.Run("permanent plus retryable is retryable", func(t *testing.T) {
		fx := newSenderFixture(t, nil)
		fx.fake.setRespond(func(req *receivedRequest) (int, http.Header, string) {
			if req.header.Get("x-api-key") == "key-b" {
				return http.StatusServiceUnavailable, http.Header{"Retry-After": {"3"}}, ``
			}
			return http.StatusBadRequest, nil, `{"detail":"bad run"}`
		})
		runs := append(runtest.Runs(2, a), runtest.Runs(2, b)...)
		err := fx.s.Send(context.Background(), runs)
		require.Error(t, err)
		assert.False(t, consumererror.IsPermanent(err))
		assert.True(t, isThrottle(err, 3*time.Second), "%v", err)
		assert.Contains(t, err.Error(), "refused for good")
	})
}

func TestSendRespectsContext(t *testing.T) {
	fx := newSenderFixture(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := fx.s.Send(ctx, runtest.Runs(3, senderTestTenant))
	require.Error(t, err)
	assert.False(t, consumererror.IsPermanent(err))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, fx.fake.received())

	t.Run("deadline during a slow request", func(t *testing.T) {
		fx := newSenderFixture(t, nil)
		release := make(chan struct{})
		defer close(release)
		fx.fake.setRespond(func(*receivedRequest) (int, http.Header, string) {
			<-release
			return http.StatusAccepted, nil, ``
		})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := fx.s.Send(ctx, runtest.Runs(1, senderTestTenant))
		require.Error(t, err)
		assert.False(t, consumererror.IsPermanent(err))
		assert.Less(t, time.Since(start), 5*time.Second)
	})
}

func TestSendInvalidRunIDDoesNotBlockOthers(t *testing.T) {
	fx := newSenderFixture(t, nil)
	runs := runtest.Runs(3, senderTestTenant)
	runs[0].ID = "not-a-uuid"
	err := fx.s.Send(context.Background(), runs)
	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err))
	reqs := fx.fake.received()
	require.Len(t, reqs, 1)
	assert.Equal(t, runIDsOf(runs[1:]), reqs[0].runIDs)
}

func TestSendConcurrent(t *testing.T) {
	fx := newSenderFixture(t, func(c *Config) { c.MaxRunsPerRequest = 3 })
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, fx.s.Send(context.Background(), runtest.Runs(10, senderTestTenant)))
		}()
	}
	wg.Wait()
	assert.Len(t, fx.fake.received(), 16)
	fx.assertRunsSent(t, 40)
}
