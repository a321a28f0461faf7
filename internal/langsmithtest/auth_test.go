package langsmithtest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAuthentication(t *testing.T) {
	cases := []struct {
		name    string
		opts    Options
		headers map[string]string
		status  int
		raw     string
	}{
		{"any key when none configured", Options{}, map[string]string{"X-Api-Key": "whatever"}, 202, ""},
		{"missing key", Options{}, map[string]string{"X-Api-Key": ""}, 401, `{"details":"missing x-api-key header","error":"Unauthorized"}` + "\n"},
		{"configured key", Options{APIKey: testKey}, nil, 202, ""},
		{"wrong key", Options{APIKey: "other"}, nil, 401, `{"details":"invalid API key","error":"Unauthorized"}` + "\n"},
		{"org-scoped key without workspace", Options{APIKey: "other", OrgScopedKeys: []string{testKey}}, nil, 403,
			`{"error":"org_scoped_key_requires_workspace"}` + "\n"},
		{"org-scoped key with workspace", Options{OrgScopedKeys: []string{testKey}}, map[string]string{"X-Tenant-Id": "ws-1"}, 202, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := New(t, c.opts)
			resp := sendMultipart(t, s, postParts(newRun(nil, "r", "chain", t0)), c.headers)
			require.Equal(t, c.status, resp.status, resp.raw)
			if c.raw != "" {
				require.Equal(t, c.raw, resp.raw)
				require.Empty(t, s.Runs())
				require.Empty(t, s.Violations(), "auth failures are not rule violations")
			} else {
				require.Len(t, s.Runs(), 1)
			}
			require.Equal(t, c.status, s.Requests()[0].Status)
		})
	}
}

func TestAPIKeyHeaderNameIsCaseInsensitive(t *testing.T) {
	s := New(t, Options{APIKey: "k"})
	body, ct := multipartBody(t, postParts(newRun(nil, "r", "chain", t0)))
	req, err := http.NewRequest(http.MethodPost, s.URL()+PathMultipart, bytesReader(body))
	require.NoError(t, err)
	req.Header["x-api-key"] = []string{"k"} // sent verbatim in lower case
	req.Header.Set("Content-Type", ct)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	require.Equal(t, "k", s.Runs()[0].APIKey)
}
