package autogen

import (
	"encoding/json"
	"strings"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// AutoGen's distributed runtime (GrpcWorkerAgentRuntime, scope `autogen
// Worker Runtime`) runs agents in separate worker processes. AgentChat teams
// keep their participants in one process, so a run across processes is Core
// API agents: a manager agent asks the others to speak. The worker runtime
// starts each delivery's `autogen process` span in its gRPC read loop, i.e. as
// the root of a new trace, and only RPC requests carry the sender's trace
// context (a link to its `autogen create` span; published CloudEvents carry
// none). Once the buffer has stitched the RPC deliveries back under their
// create spans, the run reads:
//
//	run_team > create/send <Manager> > process <Manager>    the manager's run
//	  openai.chat                                           its speaker choice
//	  create/send <Agent> > process <Agent> (other service) the agent's delivery
//	    invoke_agent <Agent> > openai.chat, execute_tool    its turn
//
// Agent ids are not AgentChat's `<Name>_<team uuid>`, so there is no team id.
// The manager's process span makes the team run (named after the manager's
// agent type); the turns it reached through plumbing, in order, are its
// turns, and the model calls it made itself are its speaker selections. A
// Core agent that calls the model itself (no AgentChat agent inside, no
// invoke_agent) has its process span as the turn. The spans carry no message
// payloads, so turn inputs come from each turn's first model call (author
// names recovered from earlier turns' answers), the team's task is its first
// turn's input, and the stop reason is inferred from the final answer.

// coreRunPrefix marks team keys of manager-agent runs (no team uuid).
const coreRunPrefix = "agent-run:"

// parseAgentDestination splits any agent destination `<type>.(<key>)-A`.
func parseAgentDestination(d string) (typ, key string, ok bool) {
	if !strings.HasSuffix(d, ")-A") {
		return "", "", false
	}
	open := strings.LastIndex(d, ".(")
	if open <= 0 {
		return "", "", false
	}
	return d[:open], d[open+2 : len(d)-3], true
}

// processAgent returns the agent type of an `autogen process` span delivered
// to an agent without an AgentChat team id.
func (r *autogenRewrite) processAgent(n *dialect.Node) string {
	if r.infoOf(n).role != rolePlumbing || r.infoOf(n).teamID != "" || !strings.HasPrefix(n.Name(), "autogen process ") {
		return ""
	}
	typ, _, ok := parseAgentDestination(n.Attr(attrMessagingDest))
	if !ok {
		return ""
	}
	return typ
}

// findCoreRuns marks manager-agent runs, their turns and speaker selections.
func (r *autogenRewrite) findCoreRuns() {
	for _, n := range r.tree.Nodes {
		manager := r.processAgent(n)
		if manager == "" || r.infoOf(n).teamKey != "" {
			continue
		}
		turns := r.delegatedTurns(n, manager)
		if len(turns) == 0 {
			continue
		}
		key := r.teamKey(n.Span.TraceID(), coreRunPrefix+n.Span.SpanID().String())
		t := r.team(key, "", n.Span.TraceID())
		t.coreAgent, t.manager = manager, manager
		r.infoOf(n).teamKey = key
		for _, turn := range turns {
			r.infoOf(turn).teamKey = key
			if d := turn.Attr(attrGenAIAgentDesc); d != "" {
				t.descriptions[r.infoOf(turn).agentName] = d
			}
		}
		for _, c := range n.Children {
			if r.infoOf(c).role == roleLLM {
				r.infoOf(c).role = roleSelector
				r.infoOf(c).teamKey = key
			}
		}
	}
}

// delegatedTurns returns the turns reached from a manager's process span
// through plumbing: each delivery to another agent gives its invoke_agent
// span, or the delivery itself when the agent's handler called a model or
// tool directly.
func (r *autogenRewrite) delegatedTurns(n *dialect.Node, manager string) []*dialect.Node {
	var out []*dialect.Node
	queue := append([]*dialect.Node(nil), n.Children...)
	for i := 0; i < len(queue); i++ {
		c := queue[i]
		if r.infoOf(c).role != rolePlumbing {
			continue
		}
		agent := r.processAgent(c)
		if agent == "" || agent == manager {
			queue = append(queue, c.Children...)
			continue
		}
		if turn := r.turnBelow(c); turn != nil {
			out = append(out, turn)
		} else if r.callsModelOrTool(c) {
			a := r.infoOf(c)
			a.role, a.legacyTurn, a.agentName = roleTurn, true, agent
			out = append(out, c)
		}
	}
	dialect.SortByStart(out)
	return out
}

// turnBelow returns the first turn under n through plumbing only.
func (r *autogenRewrite) turnBelow(n *dialect.Node) *dialect.Node {
	queue := append([]*dialect.Node(nil), n.Children...)
	for i := 0; i < len(queue); i++ {
		c := queue[i]
		switch r.infoOf(c).role {
		case roleTurn:
			return c
		case rolePlumbing:
			queue = append(queue, c.Children...)
		}
	}
	return nil
}

// callsModelOrTool reports whether an LLM or tool span hangs under n through
// plumbing only.
func (r *autogenRewrite) callsModelOrTool(n *dialect.Node) bool {
	queue := append([]*dialect.Node(nil), n.Children...)
	for i := 0; i < len(queue); i++ {
		c := queue[i]
		switch r.infoOf(c).role {
		case roleLLM, roleTool:
			return true
		case rolePlumbing:
			queue = append(queue, c.Children...)
		}
	}
	return false
}

// describeCoreRuns fills in what no payload told about manager-agent runs:
// authors of turn inputs (an input equal to an earlier turn's answer was
// written by that turn's agent) and the task (the first turn's input).
func (r *autogenRewrite) describeCoreRuns() {
	turns := map[string][]*dialect.Node{}
	for _, n := range r.tree.Live() {
		if a := r.infoOf(n); a.role == roleTurn && strings.Contains(a.teamKey, "/"+coreRunPrefix) {
			turns[a.teamKey] = append(turns[a.teamKey], n)
		}
	}
	for key, ts := range turns {
		dialect.SortByStart(ts)
		said := map[string]string{} // answer text -> agent
		for i, turn := range ts {
			msgs := parseMessages(turn.Attr(attrGenAIInputMessages))
			var texts []string
			named := false
			for _, m := range msgs {
				text := messageText(m)
				texts = append(texts, text)
				if agent := said[text]; agent != "" && rawString(m["name"]) == "" {
					if b, err := json.Marshal(agent); err == nil {
						m["name"], named = b, true
					}
				}
			}
			if named {
				if b, err := json.Marshal(msgs); err == nil {
					turn.Span.Attributes().PutStr(attrGenAIInputMessages, string(b))
				}
			}
			if t := r.teams[key]; i == 0 && len(t.task) == 0 {
				t.task = texts
			}
			if ans := r.turnAnswer(turn); ans.text != "" {
				said[ans.text] = r.infoOf(turn).agentName
			}
		}
	}
}

// messageText joins the text parts of a parsed GenAI message.
func messageText(m map[string]json.RawMessage) string {
	var b strings.Builder
	for _, p := range messageParts(m) {
		if rawString(p["type"]) == "text" {
			b.WriteString(rawString(p["content"]))
		}
	}
	return b.String()
}
