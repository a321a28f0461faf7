package langsmithtest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestTree(t *testing.T) {
	s := New(t, Options{})
	root := newRun(nil, "team run", "chain", t0)
	// Posted in reverse start order: the tree sorts siblings by dotted_order.
	writer := newRun(root, "invoke_agent writer", "chain", t0.Add(2*time.Millisecond))
	planner := newRun(root, "invoke_agent planner", "chain", t0.Add(time.Millisecond))
	chat := newRun(planner, "openai.chat", "llm", t0.Add(3*time.Millisecond))
	chat["outputs"] = map[string]any{"usage_metadata": map[string]any{"input_tokens": 27, "output_tokens": 13}}
	chat["extra"] = map[string]any{"metadata": map[string]any{"ls_model_name": "gpt-4o-mini"}}
	chat2 := newRun(writer, "openai.chat", "llm", t0.Add(4*time.Millisecond))
	chat2["extra"] = map[string]any{"metadata": map[string]any{"usage_metadata": map[string]any{"input_tokens": 5, "output_tokens": 7}}}
	bare := newRun(writer, "openai.chat", "llm", t0.Add(5*time.Millisecond))
	tool := newRun(chat2, "execute_tool search", "tool", t0.Add(6*time.Millisecond))

	later := newRun(nil, "second", "chain", t0.Add(time.Hour))
	later["session_name"] = "other-project"
	require.Equal(t, http.StatusAccepted, sendMultipart(t, s, postParts(later, tool, bare, chat2, chat, writer, planner, root), nil).status)

	want := "trace " + root["id"].(string) + " (7 runs, project test-project)\n" +
		"  team run [chain]\n" +
		"    invoke_agent planner [chain]\n" +
		"      openai.chat [llm] tokens=27/13 model=gpt-4o-mini\n" +
		"    invoke_agent writer [chain]\n" +
		"      openai.chat [llm] tokens=5/7\n" +
		"        execute_tool search [tool]\n" +
		"      openai.chat [llm]\n" +
		"trace " + later["id"].(string) + " (1 runs, project other-project)\n" +
		"  second [chain]\n"
	require.Equal(t, want, s.Tree())
}

func TestTreeShowsOrphans(t *testing.T) {
	s := New(t, Options{})
	root := newRun(nil, "root", "chain", t0)
	mid := newRun(root, "mid", "chain", t0)
	leaf := newRun(mid, "leaf", "tool", t0)
	require.Equal(t, http.StatusAccepted, sendMultipart(t, s, postParts(leaf), nil).status)
	require.Equal(t, "trace "+root["id"].(string)+" (1 runs, project test-project)\n"+
		"  leaf [tool] (parent "+mid["id"].(string)+" not stored)\n", s.Tree())
	require.Equal(t, "", New(t, Options{}).Tree())
}
