package autogen

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// findLegacyTurns converts, for AutoGen before 0.6.2 (no invoke_agent span),
// the `autogen process <Agent>_<tid>` span that starts a turn into the turn:
// a publish to the agent's own topic carrying GroupChatRequestPublish
// (message "{}" on 0.5.7+, the linked create span's message type, or on
// 0.4.9 only the topic = agent type shape).
func (r *autogenRewrite) findLegacyTurns() {
	for _, n := range r.tree.Nodes {
		a := r.infoOf(n)
		if a.role != rolePlumbing || !strings.HasPrefix(n.Name(), "autogen process ") || a.teamID == "" {
			continue
		}
		agentType, isAgent := destinationType(n)
		if !isAgent || isManagerProcess(n) || n.Attr(attrRecipientClass) != "" && n.Attr(attrRecipientClass) != "ChatAgentContainer" {
			continue
		}
		if !r.startsTurn(n, agentType) || r.hasTurnBelow(n) {
			continue
		}
		a.role = roleTurn
		a.legacyTurn = true
		a.agentName = agentType
	}
}

func (r *autogenRewrite) startsTurn(n *dialect.Node, agentType string) bool {
	if r.linkedMessageType(n) == "GroupChatRequestPublish" {
		return true
	}
	p := n.Parent
	if p == nil || !strings.HasPrefix(p.Name(), "autogen publish ") {
		return false
	}
	msg, hasMsg := n.Span.Attributes().Get(attrRuntimeMessage)
	if hasMsg {
		return strings.TrimSpace(msg.AsString()) == "{}"
	}
	topic, isAgent := destinationType(p)
	return !isAgent && topic == agentType
}

// linkedMessageType returns the message type of the create span n links to.
func (r *autogenRewrite) linkedMessageType(n *dialect.Node) string {
	links := n.Span.Links()
	for i := 0; i < links.Len(); i++ {
		if c, ok := r.tree.ByID[links.At(i).SpanID()]; ok {
			if t := c.Attr(attrMessagingMsgType); t != "" {
				return t
			}
		}
	}
	return ""
}

// hasTurnBelow reports whether an invoke_agent span sits under n through
// plumbing only (then n is plumbing around a 0.6.2+ turn).
func (r *autogenRewrite) hasTurnBelow(n *dialect.Node) bool {
	stack := append([]*dialect.Node(nil), n.Children...)
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch r.infoOf(c).role {
		case roleTurn:
			return true
		case rolePlumbing:
			stack = append(stack, c.Children...)
		}
	}
	return false
}

// findSelectors marks the manager's speaker-selection model calls: with
// runtime tracing on, LLM calls made inside a manager's process span; with
// it off, LLM calls outside any turn whose parent also holds turns.
func (r *autogenRewrite) findSelectors() {
	for _, n := range r.tree.Nodes {
		a := r.infoOf(n)
		if a.role != roleLLM || n.Parent == nil {
			continue
		}
		p := n.Parent
		pa := r.infoOf(p)
		if pa.role == rolePlumbing && strings.HasPrefix(p.Name(), "autogen process ") && isManagerProcess(p) {
			a.role = roleSelector
			if pa.teamID != "" {
				a.teamKey = r.runKey(n, pa.teamID)
			}
			continue
		}
		if r.nearestTurn(n) != nil {
			continue
		}
		var siblings []*dialect.Node
		for _, c := range p.Children {
			if r.infoOf(c).role == roleTurn {
				siblings = append(siblings, c)
			}
		}
		if len(siblings) == 0 {
			continue
		}
		a.role = roleSelector
		a.teamKey = r.keyForTurnGroup(p, siblings)
	}
}

// keyForTurnGroup returns the team key for turns sharing a parent: their
// team id when they carry one, else a key derived from the parent span (and
// then the turns join that team too).
func (r *autogenRewrite) keyForTurnGroup(parent *dialect.Node, turns []*dialect.Node) string {
	for _, t := range turns {
		if id := r.infoOf(t).teamID; id != "" {
			return r.runKey(t, id)
		}
	}
	key := r.teamKey(parent.Span.TraceID(), "parent:"+parent.Span.SpanID().String())
	for _, t := range turns {
		if r.infoOf(t).teamKey == "" {
			r.infoOf(t).teamKey = key
		}
	}
	return key
}

// annotateTurns gives turns the agent name as span name and GenAI attributes.
func (r *autogenRewrite) annotateTurns() {
	for _, n := range r.tree.Nodes {
		a := r.infoOf(n)
		if a.role != roleTurn {
			continue
		}
		attrs := n.Span.Attributes()
		if a.legacyTurn {
			if a.teamID != "" {
				attrs.PutStr(attrGenAIAgentID, stripTeamSuffix(a.agentName)+"_"+a.teamID+"/"+a.teamID)
			}
			n.Span.SetKind(ptrace.SpanKindInternal)
		}
		if a.agentName != "" {
			n.Span.SetName(a.agentName)
			attrs.PutStr(attrGenAIAgentName, a.agentName)
		}
		attrs.PutStr(attrGenAIOperation, "invoke_agent")
		attrs.PutStr(attrLangsmithSpanKind, "chain")
		if t, ok := r.teams[a.teamKey]; ok && t.id != "" {
			attrs.PutStr(attrGenAIConversationID, t.id)
		}
	}
}

// annotateSelectors renames selector calls and records who was selected.
func (r *autogenRewrite) annotateSelectors() {
	for _, n := range r.tree.Nodes {
		a := r.infoOf(n)
		if a.role != roleSelector {
			continue
		}
		n.Span.SetName("select speaker")
		attrs := n.Span.Attributes()
		attrs.PutStr("langsmith.trace.name", "select speaker")
		attrs.PutStr("autogen.step", "select_speaker")
		t, ok := r.teams[a.teamKey]
		if ok {
			attrs.PutStr(attrGenAIAgentName, t.managerLabel())
			if t.id != "" {
				attrs.PutStr(attrGenAIConversationID, t.id)
			}
		}
		if s := r.selectedSpeaker(n, t); s != "" {
			attrs.PutStr(attrSelectedSpeaker, s)
		}
	}
}

// selectedSpeaker finds who a selector call picked: the GroupChatRequestPublish
// the manager sent after it (runtime tracing on), else a participant named
// by the model's answer.
func (r *autogenRewrite) selectedSpeaker(n *dialect.Node, t *agTeam) string {
	if p := n.Parent; p != nil && r.infoOf(p).role == rolePlumbing {
		after := false
		for _, c := range p.Children {
			if c == n {
				after = true
				continue
			}
			if !after {
				continue
			}
			// A later selector call means this answer was rejected (retry).
			if r.infoOf(c).role == roleSelector {
				break
			}
			if r.infoOf(c).role != rolePlumbing || !strings.HasPrefix(c.Name(), "autogen create ") {
				continue
			}
			name, isAgent := destinationType(c)
			if c.Attr(attrMessagingMsgType) == "GroupChatRequestPublish" || (!isAgent && t != nil && t.isParticipant(name)) {
				return name
			}
		}
	}
	answer := strings.TrimSpace(llmAnswerText(n))
	if answer == "" || t == nil {
		return ""
	}
	if t.isParticipant(answer) {
		return answer
	}
	// AutoGen accepts an answer that mentions exactly one participant.
	found := ""
	for _, p := range t.participants {
		if strings.Contains(answer, p) {
			if found != "" {
				return ""
			}
			found = p
		}
	}
	return found
}

func (t *agTeam) isParticipant(name string) bool {
	for _, p := range t.participants {
		if p == name {
			return true
		}
	}
	return false
}

// propagateAgentContext copies the turn's agent name and the conversation id
// onto every LLM and tool span under a turn, so cost splits per agent.
func (r *autogenRewrite) propagateAgentContext() {
	for _, n := range r.tree.Nodes {
		a := r.infoOf(n)
		if a.role != roleLLM && a.role != roleTool {
			continue
		}
		turn := r.nearestTurn(n)
		if turn == nil {
			continue
		}
		ta := r.infoOf(turn)
		attrs := n.Span.Attributes()
		if ta.agentName != "" {
			attrs.PutStr(attrGenAIAgentName, ta.agentName)
		}
		if t, ok := r.teams[ta.teamKey]; ok && t.id != "" {
			attrs.PutStr(attrGenAIConversationID, t.id)
		}
	}
}
