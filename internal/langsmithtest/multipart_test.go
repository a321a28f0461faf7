package langsmithtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestMultipartStoresOutOfBandFields(t *testing.T) {
	s := New(t, Options{})
	root := newRun(nil, "team", "chain", t0)
	llm := newRun(root, "openai.chat", "llm", t0.Add(time.Millisecond))
	llm["inputs"] = map[string]any{"messages": []any{map[string]any{"role": "user", "content": "hi"}}}
	llm["outputs"] = map[string]any{"usage_metadata": map[string]any{"input_tokens": 27, "output_tokens": 13}}
	llm["events"] = []any{map[string]any{"name": "new_token", "time": "2025-01-01T12:00:00.2Z"}}
	llm["extra"] = map[string]any{"metadata": map[string]any{"ls_model_name": "gpt-4o"}}
	llm["error"] = "ValueError: boom"
	llm["tags"] = []any{"agent"}
	parts := postParts(root, llm)
	// The JS SDK form: length on the Content-Type and no Content-Length header.
	parts[0].lengthParam, parts[0].length = true, strptr("")
	resp := sendMultipart(t, s, parts, map[string]string{"X-Tenant-Id": "tenant-1"})
	require.Equal(t, http.StatusAccepted, resp.status, resp.raw)

	runs := s.Runs()
	require.Len(t, runs, 2)
	got := runs[1]
	require.Equal(t, llm["id"], got.ID)
	require.Equal(t, root["id"], got.ParentRunID)
	require.Equal(t, "ValueError: boom", got.Error)
	require.Equal(t, []string{"agent"}, got.Tags)
	require.Equal(t, "hi", got.Inputs["messages"].([]any)[0].(map[string]any)["content"])
	require.Equal(t, json.Number("13"), got.Outputs["usage_metadata"].(map[string]any)["output_tokens"])
	require.Equal(t, "new_token", got.Events[0]["name"])
	require.Equal(t, "gpt-4o", got.Extra["metadata"].(map[string]any)["ls_model_name"])
	require.Equal(t, testKey, got.APIKey)
	require.Equal(t, "tenant-1", got.TenantID)

	reqs := s.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, []string{root["id"].(string), llm["id"].(string)}, reqs[0].RunIDs)
	require.Equal(t, http.StatusAccepted, reqs[0].Status)
	require.Equal(t, reqs[0].BodyBytes, reqs[0].UncompressedBytes)

	// Returned runs are copies.
	runs[1].Inputs["messages"] = nil
	require.NotNil(t, s.Runs()[1].Inputs["messages"])
}

func TestMultipartPartRules(t *testing.T) {
	type tc struct {
		name   string
		parts  func(run map[string]any, id string) []part
		status int
		want   string
	}
	mainOf := func(run map[string]any) part { return runParts("post", run)[0] }
	cases := []tc{
		{"no Content-Type", func(r map[string]any, _ string) []part {
			p := mainOf(r)
			p.contentType = ""
			return []part{p}
		}, 400, "has no Content-Type"},
		{"no length at all", func(r map[string]any, _ string) []part {
			p := mainOf(r)
			p.length = strptr("")
			return []part{p}
		}, 400, "needs a Content-Length header or a length parameter"},
		{"Content-Length too small", func(r map[string]any, _ string) []part {
			p := mainOf(r)
			p.length = strptr("3")
			return []part{p}
		}, 422, "declares 3 bytes in its Content-Length header"},
		{"Content-Length not a number", func(r map[string]any, _ string) []part {
			p := mainOf(r)
			p.length = strptr("ten")
			return []part{p}
		}, 400, `invalid Content-Length header "ten"`},
		{"per-part Content-Encoding", func(r map[string]any, _ string) []part {
			p := mainOf(r)
			p.header = map[string]string{"Content-Encoding": "gzip"}
			return []part{p}
		}, 400, "per-part encoding is not allowed"},
		{"JSON part with another media type", func(r map[string]any, _ string) []part {
			p := mainOf(r)
			p.contentType = "text/plain"
			return []part{p}
		}, 400, "must have Content-Type application/json"},
		{"unknown event", func(r map[string]any, id string) []part {
			return []part{jsonPartOf("put."+id, r)}
		}, 400, "event must be one of post, patch, feedback, attachment"},
		{"unknown field", func(r map[string]any, id string) []part {
			return []part{mainOf(r), jsonPartOf("post."+id+".metadata", map[string]any{})}
		}, 400, "field must be one of inputs, outputs, events, extra, error, serialized"},
		{"name without run id", func(r map[string]any, _ string) []part {
			return []part{jsonPartOf("post", r)}
		}, 400, "want <event>.<run_id>[.<field>]"},
		{"run id in name not a UUID", func(r map[string]any, _ string) []part {
			return []part{jsonPartOf("post.1234", r)}
		}, 400, `"1234" is not a UUID`},
		{"payload id differs from part id", func(r map[string]any, id string) []part {
			other := newRun(nil, "x", "chain", t0)
			return []part{jsonPartOf("post."+other["id"].(string), r)}
		}, 400, "does not match the part's run id"},
		{"main part not an object", func(_ map[string]any, id string) []part {
			return []part{jsonPartOf("post."+id, []any{1})}
		}, 400, "must be a JSON object, got array"},
		{"invalid JSON", func(_ map[string]any, id string) []part {
			return []part{{name: "post." + id, contentType: "application/json", body: []byte(`{"id":`)}}
		}, 422, "invalid JSON in part"},
		{"trailing data after JSON", func(r map[string]any, id string) []part {
			return []part{{name: "post." + id, contentType: "application/json", body: append(jsonBytes(r), []byte(" {}")...)}}
		}, 422, "unexpected data after the JSON value"},
		{"inputs part not an object", func(r map[string]any, id string) []part {
			return []part{mainOf(r), jsonPartOf("post."+id+".inputs", []any{"a"})}
		}, 400, "'inputs' must be a JSON object, got array"},
		{"events part not an array", func(r map[string]any, id string) []part {
			return []part{mainOf(r), jsonPartOf("post."+id+".events", map[string]any{})}
		}, 400, "'events' must be a JSON array, got object"},
		{"error part not a string", func(r map[string]any, id string) []part {
			return []part{mainOf(r), jsonPartOf("post."+id+".error", map[string]any{"msg": "x"})}
		}, 400, "'error' must be a JSON string, got object"},
		{"field part before its main part", func(r map[string]any, id string) []part {
			return []part{jsonPartOf("post."+id+".inputs", map[string]any{}), mainOf(r)}
		}, 400, "comes before its run's main part"},
		{"same field twice", func(r map[string]any, id string) []part {
			return []part{mainOf(r), jsonPartOf("post."+id+".outputs", map[string]any{}), jsonPartOf("post."+id+".outputs", map[string]any{})}
		}, 400, `field "outputs" was already given`},
		{"attachment name with a dot", func(r map[string]any, id string) []part {
			return []part{mainOf(r), {name: "attachment." + id + ".img.png", contentType: "image/png", body: []byte{1, 2}}}
		}, 400, "no '.' in the name"},
		{"attachment before its run", func(r map[string]any, id string) []part {
			return []part{{name: "attachment." + id + ".img", contentType: "image/png", body: []byte{1}}, mainOf(r)}
		}, 400, "comes before its run's post or patch part"},
		{"feedback without trace_id", func(r map[string]any, id string) []part {
			return []part{jsonPartOf("feedback."+id, map[string]any{"key": "x"})}
		}, 400, "feedback must be a JSON object with trace_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := New(t, Options{})
			run := newRun(nil, "r", "chain", t0)
			resp := sendMultipart(t, s, c.parts(run, run["id"].(string)), nil)
			require.Equal(t, c.status, resp.status, resp.raw)
			containsAll(t, errorText(resp), c.want)
			require.Empty(t, s.Runs())
			require.Len(t, s.Violations(), 1)
		})
	}
}

func TestRefusedRequestStillNamesItsRuns(t *testing.T) {
	s := New(t, Options{})
	good := newRun(nil, "good", "chain", t0)
	bad := newRun(nil, "bad", "chain", t0)
	parts := append(postParts(good, bad), jsonPartOf("post."+bad["id"].(string)+".inputs", []any{}))
	resp := sendMultipart(t, s, parts, nil)
	require.Equal(t, http.StatusBadRequest, resp.status)
	require.Equal(t, []string{good["id"].(string), bad["id"].(string)}, s.Requests()[0].RunIDs)
}

func TestMultipartAttachmentsAndFeedback(t *testing.T) {
	s := New(t, Options{})
	run := newRun(nil, "r", "chain", t0)
	id := run["id"].(string)
	parts := append(postParts(run),
		part{name: "attachment." + id + ".screenshot", contentType: "image/png", body: []byte{0x89, 'P', 'N', 'G'}},
		jsonPartOf("feedback."+id, map[string]any{"trace_id": id, "key": "score", "score": 1}))
	resp := sendMultipart(t, s, parts, nil)
	require.Equal(t, http.StatusAccepted, resp.status, resp.raw)
	require.Equal(t, []string{"screenshot"}, s.Runs()[0].Attachments)
}

func TestMultipartBrokenFraming(t *testing.T) {
	run := newRun(nil, "r", "chain", t0)
	full, ct := multipartBody(t, postParts(run))
	cases := map[string][]byte{
		"empty body":            nil,
		"cut in a part":         full[:len(full)/2],
		"no closing boundary":   bytes.TrimSuffix(full, []byte("--\r\n")),
		"not multipart at all!": []byte(`{"post":[]}`),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			s := New(t, Options{})
			resp := send(t, http.MethodPost, s.URL()+PathMultipart, body, map[string]string{"Content-Type": ct})
			require.Equal(t, http.StatusUnprocessableEntity, resp.status, resp.raw)
			containsAll(t, errorText(resp), "Unprocessable entity: error reading multipart data: ")
			require.Empty(t, s.Runs())
			require.Len(t, s.Violations(), 1)
		})
	}
	s := New(t, Options{})
	resp := send(t, http.MethodPost, s.URL()+PathMultipart, nil, map[string]string{"Content-Type": ct})
	require.Equal(t, `{"error":"Unprocessable entity: error reading multipart data: multipart: NextPart: EOF"}`+"\n", resp.raw)

	resp = send(t, http.MethodPost, s.URL()+PathMultipart, full, map[string]string{"Content-Type": "application/json"})
	require.Equal(t, http.StatusBadRequest, resp.status)
	containsAll(t, errorText(resp), "Content-Type must be multipart/form-data with a boundary")
}

func TestMethodAndPathChecks(t *testing.T) {
	s := New(t, Options{})
	require.Equal(t, http.StatusMethodNotAllowed, send(t, http.MethodGet, s.URL()+PathMultipart, nil, nil).status)
	require.Equal(t, http.StatusMethodNotAllowed, send(t, http.MethodPost, s.URL()+PathInfo, nil, nil).status)
	require.Equal(t, http.StatusNotFound, send(t, http.MethodPost, s.URL()+"/runs", nil, nil).status)
	run := newRun(nil, "r", "chain", t0)
	body, ct := multipartBody(t, postParts(run))
	resp := send(t, http.MethodPost, s.URL()+"/api/v1"+PathMultipart, body, map[string]string{"Content-Type": ct})
	require.Equal(t, http.StatusAccepted, resp.status, "self-hosted /api/v1 prefix")
	require.Len(t, s.Requests(), 4)
}
