package langsmithtest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// TestRunRules posts a root and a child in one request; each case breaks the child one way.
func TestRunRules(t *testing.T) {
	replaceFrac := func(frac string) func(root, c map[string]any) {
		return func(_, c map[string]any) {
			do := c["dotted_order"].(string)
			i := strings.LastIndex(do, ".")
			seg := do[i+1:]
			c["dotted_order"] = do[:i+1] + seg[:15] + frac + "Z" + c["id"].(string)
		}
	}
	cases := []struct {
		name   string
		mutate func(root, child map[string]any)
		want   string // "" means accepted
	}{
		{"valid", func(_, _ map[string]any) {}, ""},
		{"session_id instead of session_name", func(_, c map[string]any) {
			delete(c, "session_name")
			c["session_id"] = uuid.NewString()
		}, ""},
		{"python offset and nanoseconds in the same microsecond", func(_, c map[string]any) {
			c["start_time"] = t0.Add(time.Second).Format("2006-01-02T15:04:05.000000") + "789+00:00"
		}, ""},
		{"no end_time (pending run)", func(_, c map[string]any) { delete(c, "end_time") }, ""},
		{"trace_id not a UUID", func(_, c map[string]any) { c["trace_id"] = "abc" }, "invalid 'trace_id'"},
		{"trace_id missing", func(_, c map[string]any) { delete(c, "trace_id") }, "'trace_id' is required"},
		{"parent_run_id not a UUID", func(_, c map[string]any) { c["parent_run_id"] = 42 }, "'parent_run_id' must be a string"},
		{"unknown run_type", func(_, c map[string]any) { c["run_type"] = "agent" }, "invalid 'run_type' agent"},
		{"uppercase run_type", func(_, c map[string]any) { c["run_type"] = "LLM" }, "invalid 'run_type' LLM"},
		{"no name", func(_, c map[string]any) { delete(c, "name") }, "'name' is required"},
		{"no project", func(_, c map[string]any) { delete(c, "session_name") }, "one of 'session_name' or 'session_id' is required"},
		{"session_id not a UUID", func(_, c map[string]any) { delete(c, "session_name"); c["session_id"] = "proj" }, "invalid 'session_id'"},
		{"start_time without zone", func(_, c map[string]any) {
			c["start_time"] = t0.Add(time.Second).Format("2006-01-02T15:04:05.000000")
		}, "invalid 'start_time'"},
		{"start_time as epoch number", func(_, c map[string]any) { c["start_time"] = 1735732800123 }, "'start_time' is required as an RFC 3339 string"},
		{"end_time before start_time", func(_, c map[string]any) {
			c["end_time"] = t0.Format(time.RFC3339Nano)
		}, "'end_time' " + t0.Format(time.RFC3339Nano) + " is earlier than 'start_time'"},
		{"end_time unparsable", func(_, c map[string]any) { c["end_time"] = "yesterday" }, "invalid 'end_time' \"yesterday\""},
		{"dotted_order missing", func(_, c map[string]any) { delete(c, "dotted_order") }, "'dotted_order' is required"},
		{"dotted_order with 3 fraction digits", replaceFrac("123"), "cannot parse '.123' as '.000000'"},
		{"dotted_order with 9 fraction digits", replaceFrac("123456789"), `parsing time "20250101T120001123456789" as "2006-01-02T15:04:05.999999999Z07:00"`},
		{"dotted_order without Z", func(_, c map[string]any) {
			c["dotted_order"] = strings.Replace(c["dotted_order"].(string), "Z"+c["id"].(string), "X"+c["id"].(string), 1)
		}, "does not end with Z"},
		{"dotted_order with a non-UUID", func(_, c map[string]any) {
			c["dotted_order"] = strings.Replace(c["dotted_order"].(string), c["id"].(string), strings.Repeat("x", 36), 1)
		}, "invalid run id"},
		{"last UUID is not id", func(_, c map[string]any) {
			c["dotted_order"] = strings.Replace(c["dotted_order"].(string), c["id"].(string), uuid.NewString(), 1)
		}, "does not match id"},
		{"first UUID is not trace_id", func(r, c map[string]any) { c["trace_id"] = uuid.NewString() }, "does not match trace_id"},
		{"child with a single segment", func(_, c map[string]any) {
			c["dotted_order"] = segmentOf(t0.Add(time.Second), c["id"].(string))
			c["trace_id"] = c["id"]
		}, "dotted_order must contain at least two parts for child runs for run_id:"},
		{"root with two segments", func(_, c map[string]any) { delete(c, "parent_run_id") },
			"dotted_order must contain a single part for root runs for run_id:"},
		{"second-to-last UUID is not parent_run_id", func(_, c map[string]any) { c["parent_run_id"] = uuid.NewString() },
			"does not match parent_run_id"},
		{"child segment earlier than parent", func(r, c map[string]any) {
			early := t0.Add(-time.Millisecond)
			c["start_time"] = early.Format(time.RFC3339Nano)
			c["dotted_order"] = r["dotted_order"].(string) + "." + segmentOf(early, c["id"].(string))
		}, "dotted_order has timestamp 2025-01-01 12:00:00.122456 earlier than parent timestamp 2025-01-01 12:00:00.123456"},
		{"start_time differs from its segment", func(_, c map[string]any) {
			c["start_time"] = t0.Add(2 * time.Second).Format(time.RFC3339Nano)
			c["end_time"] = t0.Add(3 * time.Second).Format(time.RFC3339Nano)
		}, "does not match the dotted_order timestamp"},
		{"tags not strings", func(_, c map[string]any) { c["tags"] = []any{"a", 1} }, "'tags' must be an array of strings"},
		{"inline inputs not an object", func(_, c map[string]any) { c["inputs"] = "hello" }, "'inputs' must be a JSON object, got string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := New(t, Options{})
			root := newRun(nil, "team", "chain", t0)
			child := newRun(root, "gpt", "llm", t0.Add(time.Second))
			tc.mutate(root, child)
			// Out-of-band fields are sent as parts; keep the bad inline inputs case inline.
			parts := append(runParts("post", root), jsonPartOf("post."+child["id"].(string), child))
			resp := sendMultipart(t, s, parts, nil)
			if tc.want == "" {
				require.Equal(t, http.StatusAccepted, resp.status, resp.raw)
				require.Len(t, s.Runs(), 2)
				require.Empty(t, s.Violations())
				require.Empty(t, s.Check())
				return
			}
			require.Equal(t, http.StatusBadRequest, resp.status, resp.raw)
			containsAll(t, errorText(resp), tc.want)
			require.Empty(t, s.Runs(), "a refused request must store nothing, not even the valid root")
			require.NotEmpty(t, s.Violations())
			containsAll(t, strings.Join(s.Violations(), "\n"), tc.want)
		})
	}
}

func TestRunRulesIDOverBatch(t *testing.T) {
	s := New(t, Options{})
	bad := newRun(nil, "r", "chain", t0)
	bad["id"] = "not-a-uuid"
	resp := sendBatch(t, s, []map[string]any{bad}, nil)
	require.Equal(t, http.StatusBadRequest, resp.status)
	containsAll(t, errorText(resp), `invalid 'id' "not-a-uuid"`)

	noID := newRun(nil, "r", "chain", t0)
	delete(noID, "id")
	resp = sendBatch(t, s, []map[string]any{noID}, nil)
	require.Equal(t, http.StatusBadRequest, resp.status)
	require.Empty(t, s.Runs())
}

func TestEveryViolationOfARequestIsReported(t *testing.T) {
	s := New(t, Options{})
	a := newRun(nil, "a", "agent", t0)
	b := newRun(nil, "b", "chain", t0)
	delete(b, "session_name")
	resp := sendMultipart(t, s, postParts(a, b), nil)
	require.Equal(t, http.StatusBadRequest, resp.status)
	containsAll(t, errorText(resp), "invalid 'run_type' agent", "one of 'session_name' or 'session_id'")
	require.Len(t, s.Violations(), 2)
}

func TestParseDottedOrderAcceptsSDKSegments(t *testing.T) {
	id := uuid.NewString()
	segs, err := parseDottedOrder("20240919T171648521691Z" + id + "." + "20240919T171648521692Z" + strings.ToUpper(id))
	require.NoError(t, err)
	require.Len(t, segs, 2)
	require.Equal(t, time.Date(2024, 9, 19, 17, 16, 48, 521691000, time.UTC), segs[0].ts)
	require.Equal(t, id, segs[1].id, "UUIDs compare in canonical lowercase form")
	_, err = parseDottedOrder("20240919T171648521691Z" + id + ".")
	require.ErrorContains(t, err, "too short")
	_, err = parseDottedOrder("20241319T171648521691Z" + id)
	require.ErrorContains(t, err, "month out of range")
}
