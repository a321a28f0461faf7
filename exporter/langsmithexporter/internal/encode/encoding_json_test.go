package encode

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runtest"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/tracetest"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/jsonenc"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
)

// Every run of every recording, raw and rewritten by agent_span, encodes to
// the same bytes as with encoding/json.
func TestEncodeRunMatchesEncodingJSONOnRecordings(t *testing.T) {
	for _, name := range recordings.Names() {
		for _, td := range []ptrace.Traces{recordings.MustLoad(t, name), tracetest.Rewritten(t, name)} {
			tree, mapper := runtest.Stages()
			tree.Annotate(td)
			runs := mapper.Runs(td)
			require.NotEmpty(t, runs)
			for _, r := range runs {
				er, fieldErrs, err := Run(r)
				require.NoError(t, err)
				require.Empty(t, fieldErrs)
				want := runtest.LegacyEncode(t, r)
				require.Len(t, er.parts, len(want))
				size := 0
				for _, p := range er.parts {
					require.Contains(t, want, p.name)
					assert.Equal(t, string(want[p.name]), string(p.body), p.name)
					size += partSize(BoundaryLen, p)
				}
				assert.Equal(t, size, er.Size)
			}
		}
	}
}

func TestAppendRunMainMatchesStruct(t *testing.T) {
	for _, r := range []*runmap.Run{
		{ID: "i", TraceID: "t", DottedOrder: "d", Name: "n\"\u2028", RunType: "llm", StartTime: "s", SessionName: "p"},
		{ID: "i", TraceID: "t", ParentRunID: "p", DottedOrder: "d", Name: "n", RunType: "chain", StartTime: "s", EndTime: "e", SessionName: "p", Tags: []string{"a", "b"}},
	} {
		want, err := jsonenc.Marshal(r)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(appendRunMain(nil, r)))
	}
}
