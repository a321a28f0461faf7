package autogen

import (
	"crypto/sha256"
	"encoding/binary"
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// foldAndGroup inserts one team span per team run and folds the runtime
// plumbing: folded spans are removed and their children move to the nearest
// kept ancestor, or under the team span when the path up crossed plumbing of
// that team (or the span is itself a turn / selector of it). With
// KeepPlumbing nothing is removed and the team's top-level plumbing spans
// move under the team span instead.
func (r *autogenRewrite) foldAndGroup() (added, folded int) {
	fold := map[*dialect.Node]bool{}
	if !r.opts.KeepPlumbing {
		for _, n := range r.tree.Nodes {
			if role := r.infoOf(n).role; role == rolePlumbing || role == roleCreateAgent {
				fold[n] = true
			}
		}
	}
	teamNodes := r.createTeamNodes()

	f := &folder{r: r, fold: fold, teamNodes: teamNodes, target: map[*dialect.Node]*foldTarget{}}
	live := r.tree.Live()
	members := map[*dialect.Node][]*dialect.Node{}
	for _, n := range live {
		if fold[n] || n.Added {
			continue
		}
		tg := f.targetOf(n)
		if tg.team != nil {
			members[tg.team] = append(members[tg.team], n)
		}
	}

	// Anchor each team span where its earliest member used to hang.
	for _, key := range r.teamOrder {
		tn := teamNodes[key]
		if tn == nil {
			continue
		}
		ms := members[tn]
		if len(ms) == 0 {
			tn.Removed = true
			continue
		}
		// The first member whose old place is outside the team gives the
		// anchor; if none has one, the team span becomes a root.
		anchor := &foldTarget{moved: true}
		for _, m := range ms {
			if tg := f.target[m]; !f.inTeam(tg.anchor, key) {
				anchor.parent, anchor.keepID = tg.anchor, tg.anchorKeepID
				break
			}
		}
		f.target[tn] = anchor
		r.setTeamBounds(key, tn, ms)
		added++
	}
	f.breakTeamCycles(teamNodes)

	// Apply: move kept spans first, then remove folded ones.
	for _, n := range live {
		tg := f.target[n]
		if n.Added || tg == nil || !tg.moved {
			continue
		}
		dest := tg.parent
		if tg.team != nil {
			dest = tg.team
		}
		r.tree.SetParent(n, dest, tg.keepID)
	}
	for _, key := range r.teamOrder {
		if tn := teamNodes[key]; tn != nil && !tn.Removed {
			tg := f.target[tn]
			r.tree.SetParent(tn, tg.parent, tg.keepID)
		}
	}
	for n := range fold {
		for _, c := range append([]*dialect.Node(nil), n.Children...) {
			if !fold[c] { // cannot happen: every kept child was moved above
				r.tree.SetParent(c, nil, pcommon.NewSpanIDEmpty())
			}
		}
		r.tree.Remove(n)
	}
	return added, len(fold)
}

// foldTarget is where a kept span goes.
type foldTarget struct {
	// parent is the nearest kept ancestor (nil: none in the trace; keepID
	// then carries a parent id outside the trace, if the chain had one).
	parent *dialect.Node
	keepID pcommon.SpanID
	// team is set when the span moves under a team span; anchor is then
	// where it would have gone otherwise.
	team         *dialect.Node
	anchor       *dialect.Node
	anchorKeepID pcommon.SpanID
	moved        bool
}

type folder struct {
	r         *autogenRewrite
	fold      map[*dialect.Node]bool
	teamNodes map[string]*dialect.Node
	target    map[*dialect.Node]*foldTarget
}

// targetOf computes (memoised) where kept span n goes.
func (f *folder) targetOf(n *dialect.Node) *foldTarget {
	if tg, ok := f.target[n]; ok {
		return tg
	}
	if n.Added { // team spans: placed by foldAndGroup once members are known
		return &foldTarget{}
	}
	// Guard against re-entry while computing (cannot recurse into n again
	// since ancestors are strictly above, but be safe on malformed input).
	f.target[n] = &foldTarget{parent: n.Parent}
	hint := f.r.infoOf(n).teamKey
	p, last := n.Parent, (*dialect.Node)(nil)
	for p != nil && f.fold[p] {
		if hint == "" {
			hint = f.r.infoOf(p).teamKey
		}
		last, p = p, p.Parent
	}
	tg := &foldTarget{parent: p}
	if p == nil {
		switch {
		case last != nil && last.Dangling:
			tg.keepID = last.Span.ParentSpanID()
		case last == nil && n.Dangling:
			tg.keepID = n.Span.ParentSpanID()
		}
	}
	tg.moved = p != n.Parent
	// Turns and selectors always sit right under their team span (stitched
	// runs chain them through plumbing under the previous turn); other spans
	// join the team only when they would otherwise land outside it.
	a := f.r.infoOf(n)
	member := a.teamKey != "" && (a.role == roleTurn || a.role == roleSelector)
	if tn := f.teamNodes[hint]; tn != nil && tn.Span.TraceID() == n.Span.TraceID() && (member || !f.inTeam(p, hint)) {
		tg.team, tg.anchor, tg.anchorKeepID = tn, p, tg.keepID
		tg.moved = true
	}
	f.target[n] = tg
	return tg
}

// inTeam reports whether kept span k ends up inside the team run key.
func (f *folder) inTeam(k *dialect.Node, key string) bool {
	for steps := 0; k != nil && steps <= len(f.r.tree.Nodes); steps++ {
		if f.r.infoOf(k).teamKey == key || f.teamNodes[key] == k {
			return true
		}
		tg := f.targetOf(k)
		if tg.team != nil {
			k = tg.team
			continue
		}
		k = tg.parent
	}
	return false
}

// breakTeamCycles makes a team span a root if its anchor ends up inside it
// (only possible with malformed parentage across teams).
func (f *folder) breakTeamCycles(teamNodes map[string]*dialect.Node) {
	for _, key := range f.r.teamOrder {
		tn := teamNodes[key]
		if tn == nil || tn.Removed {
			continue
		}
		k := f.target[tn].parent
		for steps := 0; k != nil && steps <= len(f.r.tree.Nodes); steps++ {
			if k == tn {
				f.target[tn] = &foldTarget{moved: true}
				break
			}
			tg := f.target[k]
			switch {
			case tg == nil:
				k = k.Parent
			case tg.team != nil:
				k = tg.team
			default:
				k = tg.parent
			}
		}
	}
}

// createTeamNodes adds one span per team run that has a turn or a selector.
func (r *autogenRewrite) createTeamNodes() map[string]*dialect.Node {
	has := map[string]bool{}
	var firstMember = map[string]*dialect.Node{}
	for _, n := range r.tree.Live() {
		a := r.infoOf(n)
		if a.teamKey == "" || (a.role != roleTurn && a.role != roleSelector) {
			continue
		}
		has[a.teamKey] = true
		if f := firstMember[a.teamKey]; f == nil || (!isAutogenScope(f.Scope.Scope().Name()) && isAutogenScope(n.Scope.Scope().Name())) {
			firstMember[a.teamKey] = n
		}
	}
	out := map[string]*dialect.Node{}
	for _, key := range r.teamOrder {
		if !has[key] {
			continue
		}
		t := r.teams[key]
		loc := firstMember[key]
		tn := r.tree.AddSpan(loc.Res, loc.Scope)
		tn.Span.SetTraceID(t.traceID)
		tn.Span.SetSpanID(r.teamSpanID(t))
		r.tree.Index(tn)
		r.setInfo(tn, &agSpan{teamKey: key})
		t.node = tn
		r.describeTeam(t, tn.Span)
		out[key] = tn
	}
	return out
}

// teamSpanID derives the team span id from trace id and team key, so a
// replay of the same trace produces the same id.
func (r *autogenRewrite) teamSpanID(t *agTeam) pcommon.SpanID {
	tid := t.traceID
	for i := 0; ; i++ {
		h := sha256.New()
		h.Write(tid[:])
		h.Write([]byte("autogen-team\x00" + t.key))
		if i > 0 {
			var b [8]byte
			binary.BigEndian.PutUint64(b[:], uint64(i))
			h.Write(b[:])
		}
		var id pcommon.SpanID
		copy(id[:], h.Sum(nil))
		if _, taken := r.tree.ByID[id]; !taken && !id.IsEmpty() {
			return id
		}
	}
}

// describeTeam sets the team span's name and attributes.
func (r *autogenRewrite) describeTeam(t *agTeam, s ptrace.Span) {
	class := t.className()
	s.SetName(class)
	s.SetKind(ptrace.SpanKindInternal)
	a := s.Attributes()
	a.PutStr(attrGenAIOperation, "invoke_workflow")
	a.PutStr(attrGenAIWorkflowName, class)
	a.PutStr(attrLangsmithSpanKind, "chain")
	if t.id != "" {
		a.PutStr(attrTeamID, t.id)
		a.PutStr(attrGenAIConversationID, t.id)
	}
	if t.manager != "" {
		a.PutStr("autogen.team.manager", t.manager)
	}
	if len(t.participants) > 0 {
		ps := a.PutEmptySlice("autogen.team.participants")
		for _, p := range t.participants {
			ps.AppendEmpty().SetStr(p)
		}
		if len(t.descriptions) > 0 {
			if s, err := dialect.MarshalJSONString(t.descriptions); err == nil {
				a.PutStr("autogen.team.participant_descriptions", s)
			}
		}
	}
}

// setTeamBounds spans the team from its first to its last span (members and
// the team's own plumbing), and adds what the payloads told about the run.
func (r *autogenRewrite) setTeamBounds(key string, tn *dialect.Node, members []*dialect.Node) {
	start, end := pcommon.Timestamp(math.MaxUint64), pcommon.Timestamp(0)
	widen := func(n *dialect.Node) {
		if s := n.Span.StartTimestamp(); s != 0 && s < start {
			start = s
		}
		if e := n.Span.EndTimestamp(); e > end {
			end = e
		}
	}
	for _, n := range members {
		widen(n)
	}
	for _, n := range r.tree.Nodes {
		if !n.Added && r.infoOf(n).teamKey == key {
			widen(n)
		}
	}
	if start == math.MaxUint64 {
		start = 0
	}
	if end < start {
		end = start
	}
	tn.Span.SetStartTimestamp(start)
	tn.Span.SetEndTimestamp(end)

	t := r.teams[key]
	a := tn.Span.Attributes()
	if t.termination != "" {
		a.PutStr("autogen.termination.reason", t.termination)
	}
	if t.terminated {
		a.PutBool("autogen.terminated", true)
	}
	if len(t.task) > 0 {
		var parts []map[string]any
		for _, text := range t.task {
			parts = append(parts, map[string]any{"type": "text", "content": text})
		}
		if s, err := dialect.MarshalJSONString([]map[string]any{{"role": "user", "parts": parts}}); err == nil {
			a.PutStr(attrGenAIInputMessages, s)
		}
	}
}
