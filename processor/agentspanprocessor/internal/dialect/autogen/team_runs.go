package autogen

import (
	"sort"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// A team object keeps its team id across run() calls, so two runs inside one
// root span share every id. Each run starts with the team's GroupChatStart
// RPC to its manager (`autogen create <Manager>_<tid>.(<tid>)-A`), and runs
// of one team object never overlap (AutoGen refuses a second concurrent
// run), so a span belongs to the latest run started before it.

// findTeamRuns records, per trace and team id, the start of every run.
func (r *autogenRewrite) findTeamRuns() {
	r.runStarts = map[string][]pcommon.Timestamp{}
	for _, n := range r.tree.Nodes {
		if !isRunStart(n) {
			continue
		}
		id := r.infoOf(n).teamID
		if id == "" {
			continue
		}
		base := r.teamKey(n.Span.TraceID(), id)
		r.runStarts[base] = append(r.runStarts[base], n.Span.StartTimestamp())
	}
	for _, starts := range r.runStarts {
		sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	}
}

// isRunStart: the GroupChatStart RPC a team sends its manager when run.
func isRunStart(n *dialect.Node) bool {
	if !strings.HasPrefix(n.Name(), "autogen create ") || n.Attr(attrMessagingMsgType) != "GroupChatStart" {
		return false
	}
	name, agent := destinationType(n)
	return agent && isManagerName(name)
}

// runKey is the key of the team run span n belongs to: the team key for a
// team run once, with "#<i>" for the second and later runs in one trace.
func (r *autogenRewrite) runKey(n *dialect.Node, id string) string {
	base := r.teamKey(n.Span.TraceID(), id)
	starts := r.runStarts[base]
	if len(starts) < 2 {
		return base
	}
	at := n.Span.StartTimestamp()
	return runKeyAt(base, sort.Search(len(starts), func(i int) bool { return starts[i] > at })-1)
}

// runKeyAt is the key of the i-th run (from 0) of the team keyed base.
func runKeyAt(base string, i int) string {
	if i <= 0 {
		return base
	}
	return base + "#" + strconv.Itoa(i)
}
