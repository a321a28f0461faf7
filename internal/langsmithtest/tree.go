package langsmithtest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Tree renders the stored runs, one trace after another (ordered by root start):
//
//	trace <trace_id> (<n> runs, project <session_name>)
//	  <name> [<run_type>]
//	    <name> [llm] tokens=<in>/<out> model=<ls_model_name>
//
// Runs are indented two spaces per depth below their trace's header line, siblings are ordered by
// dotted_order, and a run whose parent is not stored is shown at the top with a note.
func (s *Server) Tree() string {
	return renderTree(s.Runs())
}

type traceGroup struct {
	id    string
	first string // smallest dotted_order, i.e. the root's start
	runs  []Run
}

func renderTree(runs []Run) string {
	groups := map[string]*traceGroup{}
	for _, r := range runs {
		id, _ := canonUUID(r.TraceID)
		g := groups[id]
		if g == nil {
			g = &traceGroup{id: id, first: r.DottedOrder}
			groups[id] = g
		}
		g.first = min(g.first, r.DottedOrder)
		g.runs = append(g.runs, r)
	}
	ordered := make([]*traceGroup, 0, len(groups))
	for _, g := range groups {
		ordered = append(ordered, g)
	}
	sort.Slice(ordered, func(i, j int) bool {
		if ordered[i].first != ordered[j].first {
			return ordered[i].first < ordered[j].first
		}
		return ordered[i].id < ordered[j].id
	})
	var sb strings.Builder
	for _, g := range ordered {
		renderTrace(&sb, g)
	}
	return sb.String()
}

func renderTrace(sb *strings.Builder, g *traceGroup) {
	sort.SliceStable(g.runs, func(i, j int) bool { return g.runs[i].DottedOrder < g.runs[j].DottedOrder })
	inTrace := map[string]bool{}
	var projects []string
	for _, r := range g.runs {
		id, _ := canonUUID(r.ID)
		inTrace[id] = true
		p := r.SessionName
		if p == "" {
			p = "id:" + r.SessionID
		}
		if !contains(projects, p) {
			projects = append(projects, p)
		}
	}
	children := map[string][]Run{}
	var tops []Run
	for _, r := range g.runs {
		pid, _ := canonUUID(r.ParentRunID)
		if r.ParentRunID != "" && inTrace[pid] {
			children[pid] = append(children[pid], r)
		} else {
			tops = append(tops, r)
		}
	}
	fmt.Fprintf(sb, "trace %s (%d runs, project %s)\n", g.id, len(g.runs), strings.Join(projects, ","))
	visited := map[string]bool{}
	var walk func(r Run, depth int, note string)
	walk = func(r Run, depth int, note string) {
		id, _ := canonUUID(r.ID)
		if visited[id] {
			return
		}
		visited[id] = true
		sb.WriteString(strings.Repeat("  ", depth+1) + runLine(r) + note + "\n")
		for _, c := range children[id] {
			walk(c, depth+1, "")
		}
	}
	for _, r := range tops {
		note := ""
		if r.ParentRunID != "" {
			note = fmt.Sprintf(" (parent %s not stored)", r.ParentRunID)
		}
		walk(r, 0, note)
	}
	for _, r := range g.runs { // only runs in a parent cycle are left; never drop them silently
		walk(r, 0, " (unreachable from a root)")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// runLine is "<name> [<run_type>]" plus, for llm runs, tokens and model when known.
func runLine(r Run) string {
	line := fmt.Sprintf("%s [%s]", r.Name, r.RunType)
	if r.RunType != "llm" {
		return line
	}
	metadata, _ := r.Extra["metadata"].(map[string]any)
	usage, ok := r.Outputs["usage_metadata"].(map[string]any)
	if !ok {
		usage, ok = metadata["usage_metadata"].(map[string]any)
	}
	if ok {
		line += fmt.Sprintf(" tokens=%s/%s", tokenCount(usage["input_tokens"]), tokenCount(usage["output_tokens"]))
	}
	if model, ok := metadata["ls_model_name"].(string); ok && model != "" {
		line += " model=" + model
	}
	return line
}

func tokenCount(v any) string {
	switch n := v.(type) {
	case json.Number:
		return n.String()
	case float64:
		return fmt.Sprintf("%g", n)
	case int:
		return fmt.Sprint(n)
	default:
		return "?"
	}
}
