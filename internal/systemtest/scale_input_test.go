//go:build scaletest

package systemtest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"net/http"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
)

// splitTrace is one recorded trace copy cut in two, as two nodes would see it.
type splitTrace struct {
	name  string
	whole ptrace.Traces
	half  [2]ptrace.Traces
}

// scaleInput gives copies of each recording fresh trace ids (a hash of the
// recording, the copy and the original id, so every run sees the same ids)
// and deals each trace's spans alternately to two halves.
func scaleInput(t *testing.T, names []string, copies int) []splitTrace {
	t.Helper()
	var out []splitTrace
	for _, name := range names {
		src := recordings.MustLoad(t, name)
		for c := range copies {
			td := ptrace.NewTraces()
			src.CopyTo(td)
			copyID := func(orig pcommon.TraceID) pcommon.TraceID {
				sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d/%x", name, c, orig[:]))
				return pcommon.TraceID(sum[:16])
			}
			spanwalk.Each(td, func(_ pcommon.Resource, _ pcommon.InstrumentationScope, s ptrace.Span) {
				s.SetTraceID(copyID(s.TraceID()))
				// Links between the recording's traces stay links of the copy.
				for i := 0; i < s.Links().Len(); i++ {
					if l := s.Links().At(i); !l.TraceID().IsEmpty() {
						l.SetTraceID(copyID(l.TraceID()))
					}
				}
			})
			out = append(out, splitTrace{name: fmt.Sprintf("%s#%d", name, c), whole: td, half: dealSpans(td)})
		}
	}
	return out
}

// dealSpans deals td's spans alternately to two Traces, each span keeping its
// resource and scope.
func dealSpans(td ptrace.Traces) [2]ptrace.Traces {
	halves := [2]ptrace.Traces{ptrace.NewTraces(), ptrace.NewTraces()}
	n := 0
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		var outRS [2]ptrace.ResourceSpans
		for h := range halves {
			outRS[h] = halves[h].ResourceSpans().AppendEmpty()
			rs.Resource().CopyTo(outRS[h].Resource())
			outRS[h].SetSchemaUrl(rs.SchemaUrl())
		}
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			var outSS [2]ptrace.ScopeSpans
			for h := range halves {
				outSS[h] = outRS[h].ScopeSpans().AppendEmpty()
				ss.Scope().CopyTo(outSS[h].Scope())
				outSS[h].SetSchemaUrl(ss.SchemaUrl())
			}
			for k := 0; k < ss.Spans().Len(); k++ {
				ss.Spans().At(k).CopyTo(outSS[n%2].Spans().AppendEmpty())
				n++
			}
		}
	}
	for h := range halves {
		halves[h].ResourceSpans().RemoveIf(func(rs ptrace.ResourceSpans) bool {
			rs.ScopeSpans().RemoveIf(func(ss ptrace.ScopeSpans) bool { return ss.Spans().Len() == 0 })
			return rs.ScopeSpans().Len() == 0
		})
	}
	return halves
}

// postTraces sends td over OTLP/HTTP protobuf, retrying a refusal for a while
// as an SDK would, and fails the test if it is not accepted.
func postTraces(t *testing.T, url string, td ptrace.Traces) {
	t.Helper()
	if td.SpanCount() == 0 {
		return
	}
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		status := 0
		resp, err := client.Post(url, "application/x-protobuf", bytes.NewReader(body))
		if err == nil {
			status = resp.StatusCode
			resp.Body.Close()
		}
		if status >= 200 && status < 300 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("POST %s: status %d, err %v", url, status, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
