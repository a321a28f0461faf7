package autogen

import (
	"encoding/json"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// A turn's inputs are what the agent was shown in that turn: the messages
// its container received since the agent's previous turn in the same team
// run (the task, the other agents' answers, an inner team's messages), each
// with the agent that wrote it, as gen_ai.input.messages
// [{"role":"user","name":<source>,"parts":[text]}]. That is what the group
// chat payloads carry (0.7.2+). Without them (runtime tracing off, older
// AutoGen), the turn's first model call tells it: AgentChat appends the new
// messages to the agent's context as user messages right before that call,
// so they are the trailing user messages of its input; the system prompt
// and the history the agent had already seen are left out.

// maxInputMessages bounds a turn's inputs (the newest are kept).
const maxInputMessages = 20

// describeTurns sets turn inputs, and nested team turns' outputs.
func (r *autogenRewrite) describeTurns() {
	res := r.ensureResults()
	sortDeliveries(res.deliveries)
	var turns []*dialect.Node
	for _, n := range r.tree.Live() {
		if r.infoOf(n).role == roleTurn {
			turns = append(turns, n)
		}
	}
	dialect.SortByStart(turns)
	prev := map[string]*dialect.Node{} // team key + agent -> previous turn
	for _, turn := range turns {
		a := r.infoOf(turn)
		if a.innerTeamKey != "" {
			r.describeTeamTurn(turn)
		}
		who := a.teamKey + "\x00" + a.agentName
		before := prev[who]
		prev[who] = turn
		if turn.HasAttr(attrGenAIInputMessages) {
			continue
		}
		msgs := r.deliveredTo(turn, before)
		if len(msgs) == 0 {
			msgs = r.newPromptMessages(turn)
		}
		if len(msgs) > maxInputMessages {
			msgs = msgs[len(msgs)-maxInputMessages:]
		}
		if len(msgs) > 0 {
			putMessages(turn.Span.Attributes(), attrGenAIInputMessages, msgs)
		}
	}
}

// deliveredTo returns the messages delivered to the turn's agent between its
// previous turn (or the run's start) and this one.
func (r *autogenRewrite) deliveredTo(turn, before *dialect.Node) []map[string]any {
	a := r.infoOf(turn)
	if a.teamKey == "" {
		return nil
	}
	start := turn.Span.StartTimestamp()
	var out []map[string]any
	for _, d := range r.results.deliveries {
		if d.teamKey != a.teamKey || d.agent != a.agentName || d.at > start {
			continue
		}
		if before != nil && d.at < before.Span.StartTimestamp() {
			continue
		}
		for _, m := range d.msgs {
			msg := map[string]any{"role": "user", "parts": textParts(m.text)}
			if m.source != "" && m.source != "user" { // the task's source is "user"
				msg["name"] = m.source
			}
			out = append(out, msg)
		}
	}
	return out
}

// newPromptMessages returns the trailing user messages of the turn's first
// model call (current or legacy attribute format).
func (r *autogenRewrite) newPromptMessages(turn *dialect.Node) []map[string]any {
	var first *dialect.Node
	for _, c := range turn.Children {
		if r.infoOf(c).role == roleLLM && (first == nil || c.Span.StartTimestamp() < first.Span.StartTimestamp()) {
			first = c
		}
	}
	if first == nil {
		return nil
	}
	type msg struct {
		role  string
		value map[string]any
	}
	var all []msg
	if raw := parseMessages(first.Attr(attrGenAIInputMessages)); len(raw) > 0 {
		for _, m := range raw {
			var v map[string]any
			b, _ := json.Marshal(m)
			if json.Unmarshal(b, &v) == nil {
				all = append(all, msg{role: rawString(m["role"]), value: v})
			}
		}
	} else {
		for _, p := range legacyIndexed(first.Span.Attributes(), "gen_ai.prompt.") {
			all = append(all, msg{role: p["role"], value: map[string]any{"role": p["role"], "parts": textParts(p["content"])}})
		}
	}
	i := len(all)
	for i > 0 && all[i-1].role == "user" {
		i--
	}
	out := make([]map[string]any, 0, len(all)-i)
	for _, m := range all[i:] {
		out = append(out, m.value)
	}
	return out
}
