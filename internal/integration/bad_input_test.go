package integration

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/langsmithtest"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
)

// Bad input gets a clear error and costs nothing else: a broken OTLP request
// is refused on its own, and a span with odd text, a huge attribute and
// malformed JSON travels with a real trace without losing any of it. (Invalid
// UTF-8 cannot reach us over OTLP/protobuf, whose decoder refuses it; spans
// built in process with it are covered by the components' unit and fuzz tests.)
func TestBadInputLosesNothingElse(t *testing.T) {
	// A 1 MiB request limit, as a self-hosted ingress might impose.
	p := startPipeline(t, langsmithtest.Options{}, "agent_span", agentSpanConfig, "    max_request_bytes: 1048576", "")

	resp, err := http.Post(p.otlpURL, "application/x-protobuf", bytes.NewReader([]byte("\x0a\xff\xff\xff\xff\x0fnot protobuf")))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a broken request is refused with a clear status")

	td := recordings.MustLoad(t, recordings.Reference)
	ss := td.ResourceSpans().At(0).ScopeSpans().At(0)
	root := ss.Spans().At(0)
	odd := ss.Spans().AppendEmpty()
	odd.SetTraceID(root.TraceID())
	odd.SetSpanID(pcommon.SpanID{0xba, 0xd})
	odd.SetParentSpanID(root.SpanID())
	odd.SetName("bad \u0000\u202e name 🤖")
	odd.SetStartTimestamp(root.StartTimestamp())
	odd.SetEndTimestamp(root.EndTimestamp())
	odd.Attributes().PutStr("gen_ai.input.messages", "[{not json")
	odd.Attributes().PutStr("langsmith.metadata.huge", strings.Repeat("x", 4<<20))
	send(t, p.otlpURL, td)

	runs := waitForStableRuns(t, p.server, 13, 60*time.Second)
	assert.Empty(t, p.server.Violations())
	assert.Empty(t, p.server.Check())
	var found bool
	for _, r := range runs {
		if strings.HasPrefix(r.Name, "bad ") {
			found = true
			assert.Equal(t, "bad \u0000\u202e name 🤖", r.Name, "odd text kept as sent")
			md := metadataOf(r)
			assert.Equal(t, true, md["otelcol_langsmith_truncated"], "the 4 MiB attribute was cut to fit, the run kept")
		}
	}
	assert.True(t, found, "the odd span arrived as a run")
	assertTeamTree(t, withoutRun(runs, "bad \u0000\u202e name 🤖"), teamExpectation{withMessages: true, withUsage: true, withToolResult: true})
}

func withoutRun(runs []langsmithtest.Run, name string) []langsmithtest.Run {
	out := runs[:0:0]
	for _, r := range runs {
		if r.Name != name {
			out = append(out, r)
		}
	}
	return out
}
