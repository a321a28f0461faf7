package langsmithtest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestCheckConsistentStore(t *testing.T) {
	s := New(t, Options{})
	require.Nil(t, s.Check(), "an empty store is consistent")
	root := newRun(nil, "root", "chain", t0)
	a := newRun(root, "a", "chain", t0.Add(time.Millisecond))
	b := newRun(a, "b", "llm", t0.Add(2*time.Millisecond))
	// Children may arrive before their parents, in separate requests.
	require.Equal(t, http.StatusAccepted, sendMultipart(t, s, postParts(b), nil).status)
	problems := s.Check()
	require.Len(t, problems, 2)
	containsAll(t, problems[0], "parent_run_id "+a["id"].(string)+" is not a stored run")
	containsAll(t, problems[1], "root run "+root["id"].(string)+" of its dotted_order is not stored")
	require.Equal(t, http.StatusAccepted, sendMultipart(t, s, postParts(a, root), nil).status)
	require.Nil(t, s.Check())
}

func TestCheckFindsBrokenLinks(t *testing.T) {
	s := New(t, Options{})
	root := newRun(nil, "root", "chain", t0)
	parent := newRun(root, "parent", "chain", t0.Add(time.Millisecond))
	// A child whose dotted_order names the parent but not the parent's real path (wrong root time).
	child := newRun(parent, "child", "tool", t0.Add(2*time.Millisecond))
	child["dotted_order"] = segmentOf(t0.Add(-time.Second), root["id"].(string)) + "." +
		segmentOf(t0.Add(time.Millisecond), parent["id"].(string)) + "." + segmentOf(t0.Add(2*time.Millisecond), child["id"].(string))
	// A run whose trace_id is a stored child instead of a root.
	fake := newRun(nil, "fake-root", "chain", t0)
	fakeChild := map[string]any{}
	for k, v := range fake {
		fakeChild[k] = v
	}
	fakeChild["id"] = uuid.NewString()
	fakeChild["trace_id"] = parent["id"]
	fakeChild["parent_run_id"] = parent["id"]
	fakeChild["start_time"] = t0.Format(time.RFC3339Nano)
	fakeChild["dotted_order"] = segmentOf(t0, parent["id"].(string)) + "." + segmentOf(t0, fakeChild["id"].(string))
	resp := sendMultipart(t, s, postParts(root, parent, child, fakeChild), nil)
	require.Equal(t, http.StatusAccepted, resp.status, resp.raw)
	all := strings.Join(s.Check(), "\n")
	containsAll(t, all,
		"run "+child["id"].(string)+" (child): dotted_order does not start with its parent's dotted_order",
		"run "+fakeChild["id"].(string)+" (fake-root): dotted_order does not start with its parent's dotted_order",
		"first run "+parent["id"].(string)+" of its dotted_order is not a root run")
}

func TestCheckRunsPerTraceCap(t *testing.T) {
	root := newRun(nil, "root", "chain", t0)
	runs := []Run{runFromPayload(root, "", ""), runFromPayload(newRun(root, "a", "tool", t0), "", ""),
		runFromPayload(newRun(root, "b", "tool", t0), "", "")}
	require.Nil(t, checkRuns(runs, 3))
	require.Equal(t, []string{"trace " + root["id"].(string) + " has 3 runs, above 2"}, checkRuns(runs, 2))
}
