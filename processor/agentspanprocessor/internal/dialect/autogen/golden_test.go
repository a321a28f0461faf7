package autogen

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/recordings"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/dialecttest"
)

// updateGolden regenerates testdata/rewritten: go test -run TestRewriteGolden -update.
var updateGolden = flag.Bool("update", false, "regenerate testdata/rewritten golden files")

// TestRewriteGolden pins the rewrite of every AutoGen recording byte for byte:
// performance work on the rules must not change what they produce. The
// runtime-outside-root recording is also pinned stitched, as the trace
// buffer hands it over.
func TestRewriteGolden(t *testing.T) {
	cases := map[string]ptrace.Traces{}
	for _, name := range recordings.Names() {
		td := recordings.MustLoad(t, name)
		if !(Dialect{}).Matches(td) {
			continue
		}
		cases[name] = td
	}
	stitched := recordings.MustLoad(t, recordings.RuntimeOutsideRoot)
	stitchLikeBuffer(stitched)
	cases[recordings.RuntimeOutsideRoot+"-stitched"] = stitched
	require.GreaterOrEqual(t, len(cases), 17, "AutoGen recordings missing")

	for name, td := range cases {
		t.Run(name, func(t *testing.T) {
			(Dialect{}).Rewrite(td, dialect.Options{})
			got := canonicalDump(t, td)
			path := filepath.Join("testdata", "rewritten", name+".json")
			if *updateGolden {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, got, 0o644))
				return
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run with -update to create the golden file")
			if string(want) != string(got) {
				t.Fatalf("rewrite of %s changed (first difference at line %d); -update only if intended", name, firstDiffLine(want, got))
			}
		})
	}
}

// canonicalDump is the rewritten trace as indented OTLP JSON, span order as
// the rewrite leaves it, each span's attributes sorted by key (the
// OpenInference fold puts them in map order).
func canonicalDump(t *testing.T, td ptrace.Traces) []byte {
	t.Helper()
	for _, s := range dialecttest.AllSpans(td) {
		sortAttributes(s.Attributes())
	}
	raw, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, json.Indent(&buf, raw, "", " "))
	buf.WriteByte('\n')
	return buf.Bytes()
}

func sortAttributes(attrs pcommon.Map) {
	keys := make([]string, 0, attrs.Len())
	for k := range attrs.All() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	sorted := pcommon.NewMap()
	sorted.EnsureCapacity(len(keys))
	for _, k := range keys {
		v, _ := attrs.Get(k)
		v.CopyTo(sorted.PutEmpty(k))
	}
	sorted.CopyTo(attrs)
}

func firstDiffLine(a, b []byte) int {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(la), len(lb)) {
		if !bytes.Equal(la[i], lb[i]) {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}
