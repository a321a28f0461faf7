package dialect

import "go.opentelemetry.io/collector/pdata/ptrace"

// Roles is one rewrite's span tree with the role the dialect's classifier
// gave each span, so that rules can ask what a span is without re-reading
// its attributes.
type Roles[R comparable] struct {
	Tree *Tree
	Of   map[*Node]R
}

// Classify builds the tree of td and gives every span its role.
func Classify[R comparable](td ptrace.Traces, classify func(*Node) R) Roles[R] {
	t := NewTree(td)
	of := make(map[*Node]R, len(t.Nodes))
	for _, n := range t.Nodes {
		of[n] = classify(n)
	}
	return Roles[R]{Tree: t, Of: of}
}

// Is returns a predicate matching the spans of one role, for Nearest and
// the like.
func (r Roles[R]) Is(want R) func(*Node) bool {
	return func(n *Node) bool { return r.Of[n] == want }
}

// FoldAll folds every live span of the role, unless the user keeps
// plumbing, and returns how many were folded.
func (r Roles[R]) FoldAll(plumbing R, opts Options) int {
	if opts.KeepPlumbing {
		return 0
	}
	folded := 0
	for _, n := range r.Tree.Live() {
		if r.Of[n] == plumbing {
			r.Tree.Fold(n)
			folded++
		}
	}
	return folded
}

// AnyScope reports whether match holds for a non-empty scope of td: the
// usual test of a dialect's Matches, which look at instrumentation scopes.
func AnyScope(td ptrace.Traces, match func(ptrace.ScopeSpans) bool) bool {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			if ss := sss.At(j); ss.Spans().Len() > 0 && match(ss) {
				return true
			}
		}
	}
	return false
}
