package autogen

import (
	"strings"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// A team can be a participant of another team (AgentChat 0.7+). Its turn has
// no invoke_agent span: the outer team's container runs the inner team
// inside the `autogen process <Inner>_<outer tid>` span that delivered
// "your turn", so the inner team's runtime spans all nest below it. That
// process span becomes the turn (named after the inner team), and the inner
// team run then hangs below it like an LLM call below an agent turn:
//
//	outer team > WritingTeam turn > inner team > Writer, Reviewer turns
//
// It is recognised by what it does: through plumbing only, it starts a run
// of another team (GroupChatStart to that team's manager).

// findTeamTurns marks the process spans that run an inner team.
func (r *autogenRewrite) findTeamTurns() {
	for _, n := range r.tree.Nodes {
		a := r.infoOf(n)
		if a.role != rolePlumbing || a.teamID == "" || !strings.HasPrefix(n.Name(), "autogen process ") {
			continue
		}
		name, isAgent := destinationType(n)
		if !isAgent || isManagerProcess(n) {
			continue
		}
		if c := n.Attr(attrRecipientClass); c != "" && c != "ChatAgentContainer" {
			continue
		}
		start := r.innerRunStart(n, a.teamID)
		if start == nil {
			continue
		}
		a.role = roleTurn
		a.legacyTurn = true // named and typed from the process span, like pre-0.6.2 turns
		a.agentName = name
		a.innerTeamKey = r.runKey(start, r.infoOf(start).teamID)
	}
}

// innerRunStart finds, breadth first through plumbing below n, the start of a run of a
// team other than outer.
func (r *autogenRewrite) innerRunStart(n *dialect.Node, outer string) *dialect.Node {
	// Breadth first: a team nested two levels down starts deeper.
	queue := append([]*dialect.Node(nil), n.Children...)
	for i := 0; i < len(queue); i++ {
		c := queue[i]
		if r.infoOf(c).role != rolePlumbing {
			continue
		}
		if id := r.infoOf(c).teamID; id != "" && id != outer && isRunStart(c) {
			return c
		}
		queue = append(queue, c.Children...)
	}
	return nil
}
