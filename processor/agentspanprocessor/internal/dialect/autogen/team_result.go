package autogen

import (
	"cmp"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// What a reader looks for first on a team run: how it ended. The team span
// gets as outputs the final message (with the agent that said it) and the
// stop reason, and as metadata the message and turn counts and the
// termination condition:
//
//	gen_ai.output.messages         [{"role":"assistant","name":<agent>,"parts":[text],"finish_reason":<stop reason>}]
//	autogen.termination.reason     "Text 'TERMINATE' mentioned"
//	autogen.termination.condition  "TextMentionTermination"
//	autogen.termination.inferred   true when no span carried the reason
//	autogen.team.message_count     task messages + chat messages of its turns
//	autogen.team.turn_count        agent (and inner team) turns
//
// The stop reason comes from the runtime payloads where a span carries it:
// the StopMessage of a GroupChatTermination delivered to an agent, or the
// TaskResult of an inner team (GroupChatTeamResponse). In-process, AutoGen
// publishes the termination only to the manager itself, so no span carries
// it; then a final message mentioning TERMINATE (AutoGen's conventional
// TextMentionTermination word) gives "Text 'TERMINATE' mentioned", marked
// inferred. Otherwise the run has no stop reason, only autogen.terminated.

// terminateWord is the text AutoGen's examples stop on.
const terminateWord = "TERMINATE"

// maxOutputMessages bounds the messages a nested team's turn shows.
const maxOutputMessages = 10

// agMessage is one chat message of a payload.
type agMessage struct {
	source string
	text   string
}

// agTeamResponse is a GroupChatTeamResponse: an inner team's TaskResult.
type agTeamResponse struct {
	teamKey    string // the outer team run
	name       string // the inner team
	messages   []agMessage
	stopReason string
	at         pcommon.Timestamp
}

// agDelivery is what one participant was sent: a task, another agent's
// answer or an inner team's messages.
type agDelivery struct {
	teamKey string
	agent   string
	at      pcommon.Timestamp
	msgs    []agMessage
}

// agResults collects what the payloads tell about turns and team results.
type agResults struct {
	teamResponses []agTeamResponse
	deliveries    []agDelivery
	// stopSource is the StopMessage source (the condition) per team run.
	stopSource map[string]string
	// innerStop is an inner team run's stop reason, from its TaskResult.
	innerStop map[string]string
	// innerMessages are the messages an inner team run produced.
	innerMessages map[string][]agMessage
}

func (r *autogenRewrite) ensureResults() *agResults {
	if r.results == nil {
		r.results = &agResults{stopSource: map[string]string{}, innerStop: map[string]string{},
			innerMessages: map[string][]agMessage{}}
	}
	return r.results
}

// notePayload is called by parsePayloads for every read payload of a team
// run: it keeps deliveries to participants, inner team results and the
// stop condition.
func (r *autogenRewrite) notePayload(n *dialect.Node, key string, p *agPayload) {
	res := r.ensureResults()
	if p.isStop && p.stopSource != "" && res.stopSource[key] == "" {
		res.stopSource[key] = p.stopSource
	}
	at := n.Span.StartTimestamp()
	if isManagerProcess(n) { // one copy: every participant gets it too
		if name, msgs, stop, ok := p.teamResponse(); ok {
			res.teamResponses = append(res.teamResponses, agTeamResponse{teamKey: key, name: name, messages: msgs, stopReason: stop, at: at})
		}
	}
	if !strings.HasPrefix(n.Name(), "autogen process ") || isManagerProcess(n) {
		return
	}
	agent, isAgent := destinationType(n)
	if !isAgent {
		return
	}
	if msgs := p.delivered(); len(msgs) > 0 {
		res.deliveries = append(res.deliveries, agDelivery{teamKey: key, agent: agent, at: at, msgs: msgs})
	}
}

// describeTeamResults sets each team span's outputs and result metadata.
func (r *autogenRewrite) describeTeamResults() {
	res := r.ensureResults()
	turns := map[string][]*dialect.Node{}
	for _, n := range r.tree.Live() {
		if a := r.infoOf(n); a.role == roleTurn && a.teamKey != "" {
			turns[a.teamKey] = append(turns[a.teamKey], n)
		}
	}
	for _, key := range r.teamOrder {
		t := r.teams[key]
		if t.node == nil || t.node.Removed {
			continue
		}
		ts := turns[key]
		dialect.SortByStart(ts)
		attrs := t.node.Span.Attributes()

		count := len(t.task)
		if count == 0 && len(ts) > 0 { // no payloads: the first turn was shown the task
			count = len(parseMessages(ts[0].Attr(attrGenAIInputMessages)))
		}
		for _, turn := range ts {
			if inner := r.infoOf(turn).innerTeamKey; len(res.innerMessages[inner]) > 0 {
				count += len(res.innerMessages[inner])
			} else {
				count++
			}
		}
		attrs.PutInt("autogen.team.turn_count", int64(len(ts)))
		if count > 0 {
			attrs.PutInt("autogen.team.message_count", int64(count))
		}

		var final agMessage
		if len(ts) > 0 {
			final = r.turnAnswer(ts[len(ts)-1])
		}
		reason, condition, inferred := t.termination, res.stopSource[key], false
		if reason == "" {
			reason = res.innerStop[key]
		}
		if reason == "" && strings.Contains(final.text, terminateWord) {
			reason, inferred = "Text '"+terminateWord+"' mentioned", true
		}
		if condition == "" {
			condition = conditionOf(reason)
		}
		if reason != "" {
			attrs.PutStr("autogen.termination.reason", reason)
			if inferred {
				attrs.PutBool("autogen.termination.inferred", true)
			}
		}
		if condition != "" {
			attrs.PutStr("autogen.termination.condition", condition)
		}
		if final.text == "" && reason == "" {
			continue
		}
		msg := map[string]any{"role": "assistant", "parts": textParts(final.text)}
		if final.source != "" {
			msg["name"] = final.source
		}
		if reason != "" {
			msg["finish_reason"] = reason
		}
		putMessages(attrs, attrGenAIOutputMessages, []map[string]any{msg})
	}
}

// turnAnswer is a turn's final message: its output messages (set from the
// payloads), else its last model call's text answer.
func (r *autogenRewrite) turnAnswer(turn *dialect.Node) agMessage {
	agent := r.infoOf(turn).agentName
	if msgs := parseMessages(turn.Attr(attrGenAIOutputMessages)); len(msgs) > 0 {
		last := msgs[len(msgs)-1]
		var b strings.Builder
		for _, p := range messageParts(last) {
			if rawString(p["type"]) == "text" {
				b.WriteString(rawString(p["content"]))
			}
		}
		if name := rawString(last["name"]); name != "" {
			agent = name
		}
		if b.Len() > 0 {
			return agMessage{source: agent, text: b.String()}
		}
	}
	var lastLLM *dialect.Node
	for _, n := range r.tree.Live() {
		if r.infoOf(n).role == roleLLM && r.nearestTurn(n) == turn &&
			(lastLLM == nil || n.Span.StartTimestamp() >= lastLLM.Span.StartTimestamp()) {
			lastLLM = n
		}
	}
	if lastLLM != nil {
		return agMessage{source: agent, text: llmAnswerText(lastLLM)}
	}
	return agMessage{source: agent}
}

// conditionOf names the AgentChat termination condition behind a stop
// reason text (each condition words its StopMessage its own way).
func conditionOf(reason string) string {
	switch {
	case reason == "":
		return ""
	case strings.HasPrefix(reason, "Text '") && strings.HasSuffix(reason, "' mentioned"):
		return "TextMentionTermination"
	case strings.HasPrefix(reason, "Maximum number of messages"):
		return "MaxMessageTermination"
	case strings.HasPrefix(reason, "Maximum number of turns"):
		return "max_turns"
	case strings.HasPrefix(reason, "Token usage limit reached"):
		return "TokenUsageTermination"
	case strings.HasPrefix(reason, "Handoff to "):
		return "HandoffTermination"
	case strings.HasPrefix(reason, "Timeout of "):
		return "TimeoutTermination"
	case reason == "Stop message received":
		return "StopMessageTermination"
	}
	return ""
}

// describeTeamTurn gives a nested team's turn the inner team's messages as
// output, and keeps its result for the inner team run.
func (r *autogenRewrite) describeTeamTurn(turn *dialect.Node) {
	a := r.infoOf(turn)
	res := r.ensureResults()
	var best *agTeamResponse
	for i := range res.teamResponses {
		tr := &res.teamResponses[i]
		if tr.teamKey != a.teamKey || tr.name != a.agentName || tr.at < turn.Span.StartTimestamp() {
			continue
		}
		if best == nil || tr.at < best.at {
			best = tr
		}
	}
	if best == nil {
		return
	}
	res.innerStop[a.innerTeamKey] = best.stopReason
	res.innerMessages[a.innerTeamKey] = best.messages
	if turn.HasAttr(attrGenAIOutputMessages) || len(best.messages) == 0 {
		return
	}
	msgs := best.messages
	if len(msgs) > maxOutputMessages {
		msgs = msgs[len(msgs)-maxOutputMessages:]
	}
	out := make([]map[string]any, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, map[string]any{"role": "assistant", "name": m.source, "parts": textParts(m.text)})
	}
	putMessages(turn.Span.Attributes(), attrGenAIOutputMessages, out)
}

func textParts(text string) []map[string]any {
	if text == "" {
		return []map[string]any{}
	}
	return []map[string]any{{"type": "text", "content": text}}
}

func putMessages(attrs pcommon.Map, key string, msgs []map[string]any) {
	if s, err := dialect.MarshalJSONString(msgs); err == nil {
		attrs.PutStr(key, s)
	}
}

// sortDeliveries orders deliveries by time (payload spans are read in
// input order).
func sortDeliveries(ds []agDelivery) {
	slices.SortStableFunc(ds, func(a, b agDelivery) int { return cmp.Compare(a.at, b.at) })
}
