// Package dialecttest holds what the dialect packages' tests share: a
// printable tree and span lookups, so that each dialect's tests assert the
// same way.
package dialecttest // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/dialecttest"

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// RenderTree prints names indented by depth, children in start order.
func RenderTree(td ptrace.Traces) string {
	t := dialect.NewTree(td)
	var b strings.Builder
	var walk func(n *dialect.Node, depth int)
	walk = func(n *dialect.Node, depth int) {
		b.WriteString(strings.Repeat("  ", depth) + n.Name() + "\n")
		for _, c := range n.Children {
			walk(c, depth+1)
		}
	}
	for _, r := range t.Roots() {
		walk(r, 0)
	}
	return b.String()
}

// AllSpans lists the spans of td in input order.
func AllSpans(td ptrace.Traces) []ptrace.Span {
	var out []ptrace.Span
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			for k := 0; k < ss.Spans().Len(); k++ {
				out = append(out, ss.Spans().At(k))
			}
		}
	}
	return out
}

// SpansNamed lists the spans called name, in input order.
func SpansNamed(td ptrace.Traces, name string) []ptrace.Span {
	var out []ptrace.Span
	for _, s := range AllSpans(td) {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// AttrStr returns an attribute as a string, "" when absent.
func AttrStr(s ptrace.Span, k string) string {
	v, ok := s.Attributes().Get(k)
	if !ok {
		return ""
	}
	return v.AsString()
}

// AssertParentsValid checks every parent id names a span of td or is empty.
func AssertParentsValid(t *testing.T, td ptrace.Traces) {
	t.Helper()
	ids := map[pcommon.SpanID]bool{}
	for _, s := range AllSpans(td) {
		ids[s.SpanID()] = true
	}
	for _, s := range AllSpans(td) {
		if p := s.ParentSpanID(); !p.IsEmpty() {
			assert.True(t, ids[p], "span %q has parent %s not in the trace", s.Name(), p)
		}
	}
}
