// Package runtest makes the runs the exporter's tests feed to the encoder and
// the sender, and sets up the place and map stages as the exporter does.
package runtest

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/place"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/jsonenc"
)

// runSeq keeps run ids unique across calls: the sender leaves out runs it
// already delivered.
var runSeq atomic.Int64

// Runs makes n distinct valid runs of one trace.
func Runs(n int, t runmap.Tenant) []*runmap.Run {
	runs := make([]*runmap.Run, n)
	for i := range runs {
		id := fmt.Sprintf("0191f6a2-7c00-7000-8000-%012d", runSeq.Add(1))
		runs[i] = &runmap.Run{
			ID: id, TraceID: "0191f6a2-7c00-7000-8000-000000000001",
			DottedOrder: "20250101T120000000000Z0191f6a2-7c00-7000-8000-000000000001",
			Name:        fmt.Sprintf("run-%d", i+1), RunType: "chain",
			StartTime: "2025-01-01T12:00:00.000000Z", SessionName: "p",
			Inputs:  map[string]any{"input": fmt.Sprintf("hello %d", i+1)},
			Outputs: map[string]any{"output": "world"},
			Tenant:  t,
		}
	}
	return runs
}

// Stages returns the place and map stages as the exporter builds them from
// its default configuration, with the API key "k".
func Stages() (*place.RunTree, *runmap.Mapper) {
	return place.NewRunTree("gen_ai.conversation.id"), &runmap.Mapper{
		Project:           "default",
		ProjectAttributes: []string{"langsmith.project", "langsmith.trace.session_name"},
		TenantFor:         func(string) runmap.Tenant { return runmap.Tenant{APIKey: "k"} },
	}
}

// LegacyEncode is how runs were encoded before the appending encoder:
// encoding/json over the run struct and each out-of-band field.
func LegacyEncode(t testing.TB, r *runmap.Run) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	main, err := jsonenc.Marshal(r)
	require.NoError(t, err)
	prefix := "post." + r.ID
	out[prefix] = main
	add := func(field string, v any) {
		b, err := jsonenc.Marshal(v)
		require.NoError(t, err)
		out[prefix+"."+field] = b
	}
	if len(r.Inputs) > 0 {
		add("inputs", r.Inputs)
	}
	if len(r.Outputs) > 0 {
		add("outputs", r.Outputs)
	}
	if len(r.Events) > 0 {
		add("events", r.Events)
	}
	if len(r.Extra) > 0 {
		add("extra", r.Extra)
	}
	if r.Error != "" {
		add("error", r.Error)
	}
	return out
}
