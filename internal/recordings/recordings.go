// Package recordings gives tests the OTLP traces that real agent-framework programs produced.
//
// Each file in testdata/ is one run of e2e/programs/autogen_team.py (a variant of the
// reference program of autogen-spans.md §0) or of e2e/programs/autogen_cases.py or
// autogen_grpc.py (autogen-*),
// maf_workflows.py (agent-framework-*) or agents_sdk.py (openai-agents-*), recorded by
// e2e/recorder.py against the scripted fake OpenAI server, as OTLP/JSON with hex ids.
// e2e/record.sh recreates them all.
// Names are file names without ".json", e.g. "autogen-0.7.5-reference".
package recordings

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

//go:embed testdata/*.json
var files embed.FS

const dir = "testdata"

// Well-known recording names.
const (
	Reference          = "autogen-0.7.5-reference"
	RuntimeTracingOff  = "autogen-0.7.5-runtime-tracing-off"
	RuntimeOutsideRoot = "autogen-0.7.5-runtime-outside-root"
	ContentOff         = "autogen-0.7.5-content-off"
	Streaming          = "autogen-0.7.5-streaming"
	RoundRobin         = "autogen-0.7.5-round-robin"
	ToolError          = "autogen-0.7.5-tool-error"
	AgentAlone         = "autogen-0.7.5-agent-alone"
	TwoRuns            = "autogen-0.7.5-two-runs"

	// e2e/programs/autogen_cases.py: issue #10's programs.
	NestedTeam     = "autogen-0.7.5-nested-team"
	TwoRunsOneRoot = "autogen-0.7.5-two-runs-one-root"
	OpenInference  = "autogen-0.7.5-openinference"

	// e2e/programs/autogen_grpc.py: gRPC host and agents in worker processes, one
	// resource per process, deliveries split over traces joined by links.
	GrpcRuntime = "autogen-0.7.5-grpc-runtime"

	// The reference program on older AutoGen / OpenLLMetry pairs (autogen-spans.md §2.4, §3.2).
	AutoGen064 = "autogen-0.6.4-openllmetry-0.47.5"
	AutoGen057 = "autogen-0.5.7-openllmetry-0.54.0"
	AutoGen049 = "autogen-0.4.9.3-openllmetry-0.40.14"
)

// Names lists every embedded recording, sorted.
func Names() []string {
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		return nil // cannot happen: the directory is embedded
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, strings.TrimSuffix(e.Name(), ".json"))
		}
	}
	sort.Strings(names)
	return names
}

// Raw returns the OTLP/JSON bytes of a recording.
func Raw(name string) ([]byte, error) {
	if name == "" || strings.ContainsAny(name, `/\`) {
		return nil, fmt.Errorf("recordings: invalid name %q", name)
	}
	b, err := files.ReadFile(path.Join(dir, name+".json"))
	if err != nil {
		return nil, fmt.Errorf("recordings: unknown recording %q (have %v)", name, Names())
	}
	return b, nil
}

// Load decodes a recording into fresh ptrace.Traces (callers may mutate the result).
func Load(name string) (ptrace.Traces, error) {
	b, err := Raw(name)
	if err != nil {
		return ptrace.NewTraces(), err
	}
	var u ptrace.JSONUnmarshaler
	td, err := u.UnmarshalTraces(b)
	if err != nil {
		return ptrace.NewTraces(), fmt.Errorf("recordings: decode %q: %w", name, err)
	}
	return td, nil
}

// MustLoad is Load for tests: it fails the test on error.
func MustLoad(tb testing.TB, name string) ptrace.Traces {
	tb.Helper()
	td, err := Load(name)
	if err != nil {
		tb.Fatal(err)
	}
	return td
}
