package encode

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
)

var updateMultipartGolden = flag.Bool("update-multipart", false, "rewrite testdata/multipart golden files")

// goldenRuns are a full run (every out-of-band field) and a minimal one.
func goldenRuns() []*runmap.Run {
	return []*runmap.Run{
		{
			ID:          "0191f6a2-7c1e-7abc-9def-0123456789ab",
			TraceID:     "0191f6a2-7c00-7000-8000-000000000001",
			ParentRunID: "0191f6a2-7c00-7000-8000-000000000001",
			DottedOrder: "20250101T120000000000Z0191f6a2-7c00-7000-8000-000000000001.20250101T120000123456Z0191f6a2-7c1e-7abc-9def-0123456789ab",
			Name:        "ChatOpenAI",
			RunType:     "llm",
			StartTime:   "2025-01-01T12:00:00.123456Z",
			EndTime:     "2025-01-01T12:00:01.500000Z",
			SessionName: "my-project",
			Tags:        []string{"agent"},
			Inputs:      map[string]any{"messages": []any{map[string]any{"role": "user", "content": "What is <the> capital & why?"}}},
			Outputs:     map[string]any{"messages": []any{map[string]any{"role": "assistant", "content": "Paris"}}},
			Events:      []map[string]any{{"name": "new_token", "time": "2025-01-01T12:00:00.200000Z"}},
			Extra:       map[string]any{"metadata": map[string]any{"ls_provider": "openai", "ls_model_name": "gpt-4o"}},
			Error:       "ValueError: bad \"quote\"\n  at line 1",
			Tenant:      runmap.Tenant{APIKey: "never-serialised"},
		},
		{
			ID:          "0191f6a2-7c00-7000-8000-000000000001",
			TraceID:     "0191f6a2-7c00-7000-8000-000000000001",
			DottedOrder: "20250101T120000000000Z0191f6a2-7c00-7000-8000-000000000001",
			Name:        "team",
			RunType:     "chain",
			StartTime:   "2025-01-01T12:00:00.000000Z",
			EndTime:     "2025-01-01T12:00:02.000000Z",
			SessionName: "my-project",
		},
	}
}

func mustEncode(t *testing.T, runs ...*runmap.Run) []*EncodedRun {
	t.Helper()
	out := make([]*EncodedRun, 0, len(runs))
	for _, r := range runs {
		er, fieldErrs, err := Run(r)
		require.NoError(t, err)
		require.Empty(t, fieldErrs)
		out = append(out, er)
	}
	return out
}

func TestWriteMultipartGolden(t *testing.T) {
	const boundary = "b7e3fixedboundary0000000000000000"
	var buf bytes.Buffer
	WriteMultipart(&buf, boundary, mustEncode(t, goldenRuns()...))

	golden := filepath.Join("testdata", "multipart", "two_runs.golden")
	if *updateMultipartGolden {
		require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
		require.NoError(t, os.WriteFile(golden, buf.Bytes(), 0o600))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run with -update-multipart to create the golden file")
	assert.Equal(t, string(want), buf.String())

	// The golden bytes also have to be what a standard multipart reader
	// understands, with the SDK's part order and honest Content-Lengths.
	mr := multipart.NewReader(bytes.NewReader(want), boundary)
	var names []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		body, err := io.ReadAll(p)
		require.NoError(t, err)
		names = append(names, p.FormName())
		assert.Equal(t, "application/json", p.Header.Get("Content-Type"))
		assert.Equal(t, strconv.Itoa(len(body)), p.Header.Get("Content-Length"))
		assert.True(t, json.Valid(body), "part %s is not JSON: %s", p.FormName(), body)
	}
	id1, id2 := goldenRuns()[0].ID, goldenRuns()[1].ID
	assert.Equal(t, []string{
		"post." + id1, "post." + id1 + ".inputs", "post." + id1 + ".outputs", "post." + id1 + ".events",
		"post." + id1 + ".extra", "post." + id1 + ".error",
		"post." + id2,
	}, names)
	assert.True(t, bytes.HasSuffix(want, []byte("--"+boundary+"--\r\n")))
	assert.NotContains(t, string(want), "never-serialised")
}

func TestEncodeRunParts(t *testing.T) {
	r := goldenRuns()[0]
	er := mustEncode(t, r)[0]
	byName := map[string]string{}
	for _, p := range er.parts {
		byName[strings.TrimPrefix(p.name, "post."+r.ID)] = string(p.body)
	}
	// The main part leaves the out-of-band fields to their own parts.
	var main map[string]any
	require.NoError(t, json.Unmarshal([]byte(byName[""]), &main))
	for _, k := range []string{"inputs", "outputs", "events", "extra", "error", "Tenant"} {
		assert.NotContains(t, main, k)
	}
	assert.Equal(t, r.DottedOrder, main["dotted_order"])
	// The error part is a JSON string literal.
	assert.Equal(t, `"ValueError: bad \"quote\"\n  at line 1"`, byName[".error"])
	// Text is not HTML-escaped.
	assert.Contains(t, byName[".inputs"], "What is <the> capital & why?")
}

func TestEncodeRunOmitsEmptyFields(t *testing.T) {
	r := goldenRuns()[1]
	r.Inputs = map[string]any{}
	r.Events = []map[string]any{}
	er := mustEncode(t, r)[0]
	require.Len(t, er.parts, 1)
	assert.Equal(t, "post."+r.ID, er.parts[0].name)
}

func TestEncodeRunRepairsInvalidUTF8(t *testing.T) {
	r := goldenRuns()[0]
	r.Name = "bad\xffname"
	r.Inputs = map[string]any{"text\xfe": "a\xc3(b"}
	r.Error = "boom \xff"
	er := mustEncode(t, r)[0]
	for _, p := range er.parts {
		assert.True(t, utf8.Valid(p.body), "part %s is not valid UTF-8", p.name)
		assert.True(t, json.Valid(p.body), "part %s is not JSON", p.name)
	}
	var main map[string]any
	require.NoError(t, json.Unmarshal(er.parts[0].body, &main))
	assert.Equal(t, "bad\uFFFDname", main["name"])
}

func TestEncodeRunReplacesUnencodableField(t *testing.T) {
	r := goldenRuns()[0]
	r.Outputs = map[string]any{"score": math.NaN()}
	r.Events = []map[string]any{{"name": "x", "kwargs": map[string]any{"v": math.Inf(1)}}}
	er, fieldErrs, err := Run(r)
	require.NoError(t, err)
	require.Len(t, fieldErrs, 2)
	assert.Contains(t, fieldErrs[0].Error(), "outputs")
	assert.Contains(t, fieldErrs[1].Error(), "events")

	byName := map[string][]byte{}
	for _, p := range er.parts {
		byName[strings.TrimPrefix(p.name, "post."+r.ID)] = p.body
	}
	// The run keeps its other fields; the bad ones say why they are empty.
	require.Len(t, er.parts, 6)
	var outputs map[string]string
	require.NoError(t, json.Unmarshal(byName[".outputs"], &outputs))
	assert.Contains(t, outputs["otelcol_langsmith_encoding_error"], "NaN")
	var events []map[string]any
	require.NoError(t, json.Unmarshal(byName[".events"], &events))
	require.Len(t, events, 1)
	assert.Equal(t, "otelcol_langsmith_encoding_error", events[0]["name"])
	assert.Contains(t, string(byName[".inputs"]), "capital")
}

func TestEncodeRunRejectsBadID(t *testing.T) {
	for _, id := range []string{"", "not-a-uuid", "post\"\r\nX: y", "{0191f6a2-7c1e-7abc-9def-0123456789ab}"} {
		r := goldenRuns()[1]
		r.ID = id
		_, _, err := Run(r)
		assert.Error(t, err, "id %q", id)
	}
}

func TestMultipartBodySizeIsExact(t *testing.T) {
	runs := mustEncode(t, goldenRuns()...)
	big := goldenRuns()[1]
	big.ID = "0191f6a2-7c00-7000-8000-0000000000ff"
	big.Inputs = map[string]any{"input": strings.Repeat("x", 123456)}
	runs = append(runs, mustEncode(t, big)...)
	for n := 0; n <= len(runs); n++ {
		var buf bytes.Buffer
		WriteMultipart(&buf, NewBoundary(runs[:n]), runs[:n])
		assert.Equal(t, buf.Len(), multipartBodySize(runs[:n]), "%d runs", n)
	}
}

func TestNewBoundary(t *testing.T) {
	runs := mustEncode(t, goldenRuns()...)
	a, b := NewBoundary(runs), NewBoundary(runs)
	assert.Len(t, a, BoundaryLen)
	assert.NotEqual(t, a, b)
	// The boundary must be a valid multipart boundary per mime.
	_, params, err := mime.ParseMediaType("multipart/form-data; boundary=" + a)
	require.NoError(t, err)
	assert.Equal(t, a, params["boundary"])

	runs[0].parts[1].body = []byte(`{"x":"` + a + `"}`)
	assert.True(t, boundaryOccurs(a, runs))
	assert.False(t, boundaryOccurs(b, runs))
}

func TestWriteBatchBodyMatchesBatchRun(t *testing.T) {
	src := goldenRuns()
	var buf bytes.Buffer
	WriteBatchBody(&buf, mustEncode(t, src...))

	var got struct {
		Post  []map[string]any `json:"post"`
		Patch []map[string]any `json:"patch"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	require.NotNil(t, got.Patch)
	assert.Empty(t, got.Patch)
	require.Len(t, got.Post, len(src))
	for i, r := range src {
		// Compare through JSON so that both sides have JSON's types.
		wantJSON, err := json.Marshal(batchRunReference(r))
		require.NoError(t, err)
		var want map[string]any
		require.NoError(t, json.Unmarshal(wantJSON, &want))
		assert.Equal(t, want, got.Post[i])
	}
}

// batchRunReference is the /runs/batch form of a run built the plain way
// (main object with the out-of-band fields inlined), to check the bytes
// WriteBatchBody splices together.
func batchRunReference(r *runmap.Run) map[string]any {
	main, _ := json.Marshal(r)
	var m map[string]any
	_ = json.Unmarshal(main, &m)
	if r.Inputs != nil {
		m["inputs"] = r.Inputs
	}
	if r.Outputs != nil {
		m["outputs"] = r.Outputs
	}
	if r.Events != nil {
		m["events"] = r.Events
	}
	if r.Extra != nil {
		m["extra"] = r.Extra
	}
	if r.Error != "" {
		m["error"] = r.Error
	}
	return m
}

func TestDecimalLen(t *testing.T) {
	for _, n := range []int{0, 1, 9, 10, 99, 100, 999, 1000, 12345, 99999, 100000, 1 << 40} {
		assert.Equal(t, len(strconv.Itoa(n)), decimalLen(n), n)
	}
}
