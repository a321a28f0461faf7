package encode

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runtest"
)

func TestFitRunKeepsWhatCostAndGroupingNeed(t *testing.T) {
	r := runtest.Runs(1, runmap.Tenant{})[0]
	r.Inputs = map[string]any{"messages": strings.Repeat("é", 200*1024)}
	r.Extra = map[string]any{"metadata": map[string]any{
		"ls_model_name": "gpt-4o", "thread_id": "t-1", "dump": strings.Repeat("x", 100*1024),
	}}
	er, _, err := Run(r)
	require.NoError(t, err)
	fitted, fer, ok := FitRun(r, er, 64*1024)
	require.True(t, ok)
	assert.LessOrEqual(t, fer.Size+ClosingSize(BoundaryLen), 64*1024)
	assert.Equal(t, true, fitted.Inputs[TruncationMarker])
	assert.True(t, utf8.ValidString(fitted.Inputs["preview"].(string)), "previews never split a character")
	md := fitted.Extra["metadata"].(map[string]any)
	assert.Equal(t, "gpt-4o", md["ls_model_name"])
	assert.Equal(t, "t-1", md["thread_id"])
	assert.NotContains(t, md, "dump")
	assert.Len(t, r.Inputs["messages"], 400*1024, "the original run is left alone")
}

func TestTruncateUTF8(t *testing.T) {
	assert.Equal(t, "ab", truncateUTF8("abc", 2))
	assert.Equal(t, "a", truncateUTF8("aé", 2), "does not split é")
	assert.Equal(t, "abc", truncateUTF8("abc", 10))
}
