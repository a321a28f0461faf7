package agentspanprocessor

import (
	"regexp"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// autogenDialect rebuilds Microsoft AutoGen (autogen-core/agentchat 0.4.9 to
// 0.7.5) traces into team run -> speaker selection / agent turn -> LLM / tool
// calls, in GenAI semantic conventions. The span catalog it relies on is in
// docs autogen-spans.md; the rules are split by responsibility over the
// dialect_autogen_*.go files:
//   - _team: team ids, manager/team classes, participants;
//   - _turns: agent turns (invoke_agent, or pre-0.6.2 process spans), speaker
//     selection calls, agent name / conversation id propagation;
//   - _llm: openai.chat normalisation and message parsing;
//   - _tools: tool arguments/result join;
//   - _payloads: the runtime `message` JSON (stop reason, task, answers);
//   - _fold: team span insertion and plumbing folding.
//
// create_agent spans are folded like plumbing (0 ms construction events);
// their descriptions go onto the team span. A parent id that already pointed
// outside the trace on input is kept (the exporter places late parents).
type autogenDialect struct{}

func (autogenDialect) name() string { return "autogen" }

// autogenPlumbingName matches the runtime's messaging spans.
var autogenPlumbingName = regexp.MustCompile(`^autogen (create|send|publish|process|ack|intercept)( |$)`)

func (autogenDialect) matches(td ptrace.Traces) bool {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			if ss.Spans().Len() == 0 {
				continue
			}
			if isAutogenScope(ss.Scope().Name()) {
				return true
			}
			for k := 0; k < ss.Spans().Len(); k++ {
				s := ss.Spans().At(k)
				if autogenPlumbingName.MatchString(s.Name()) {
					return true
				}
				if v, ok := s.Attributes().Get(attrGenAISystem); ok && v.AsString() == "autogen" {
					return true
				}
			}
		}
	}
	return false
}

func isAutogenScope(name string) bool {
	return strings.HasPrefix(name, "autogen ") || name == "autogen-core" || name == "base_tool"
}

// rewrite runs the AutoGen rules over one assembled trace.
func (autogenDialect) rewrite(td ptrace.Traces, opts rewriteOptions) rewriteStats {
	r := newAutogenRewrite(newSpanTree(td), opts)
	r.classify()
	r.findLegacyTurns()
	r.findSelectors()
	r.collectTeams()
	r.parsePayloads()
	r.annotateTurns()
	r.annotateSelectors()
	r.normalizeLLMs()
	r.joinTools()
	r.propagateAgentContext()
	r.applyPayloads()
	added, folded := r.foldAndGroup()
	r.tree.compact()
	return rewriteStats{SpansFolded: folded, SpansAdded: added}
}

// agRole is what a span is for the AutoGen rules.
type agRole int

const (
	roleOther agRole = iota
	rolePlumbing
	roleCreateAgent
	roleTurn
	roleSelector
	roleLLM
	roleTool
)

// agSpan is the AutoGen view of one span.
type agSpan struct {
	role agRole
	// teamID is the team uuid found in the span's own attributes.
	teamID string
	// teamKey names the team run the span is a member of (turns, selectors,
	// and plumbing of a known team); empty for everything else.
	teamKey string
	// agentName is set on turns.
	agentName string
	// legacyTurn marks a pre-0.6.2 `autogen process <Agent>` turn.
	legacyTurn bool
}

// autogenRewrite holds the state of one rewrite.
type autogenRewrite struct {
	tree  *spanTree
	opts  rewriteOptions
	info  map[*spanNode]*agSpan
	teams map[string]*agTeam
	// teamOrder lists team keys in order of first appearance.
	teamOrder []string
	payloads  *agPayloads
	// caches of parsed LLM messages, used by the tool join.
	llmCache  []*spanNode
	callCache map[*spanNode][]agToolCall
	respCache map[*spanNode]map[string]string
}

func newAutogenRewrite(t *spanTree, opts rewriteOptions) *autogenRewrite {
	r := &autogenRewrite{tree: t, opts: opts, info: map[*spanNode]*agSpan{}, teams: map[string]*agTeam{},
		callCache: map[*spanNode][]agToolCall{}, respCache: map[*spanNode]map[string]string{}}
	for _, n := range t.nodes {
		r.info[n] = &agSpan{}
	}
	return r
}

// Attribute keys shared by the AutoGen files.
const (
	attrGenAISystem         = "gen_ai.system"
	attrGenAIOperation      = "gen_ai.operation.name"
	attrGenAIProvider       = "gen_ai.provider.name"
	attrGenAIAgentName      = "gen_ai.agent.name"
	attrGenAIAgentID        = "gen_ai.agent.id"
	attrGenAIAgentDesc      = "gen_ai.agent.description"
	attrGenAIConversationID = "gen_ai.conversation.id"
	attrGenAIWorkflowName   = "gen_ai.workflow.name"
	attrGenAIToolName       = "gen_ai.tool.name"
	attrGenAIToolDesc       = "gen_ai.tool.description"
	attrGenAIToolCallID     = "gen_ai.tool.call.id"
	attrGenAIToolCallArgs   = "gen_ai.tool.call.arguments"
	attrGenAIToolCallResult = "gen_ai.tool.call.result"
	attrGenAIInputMessages  = "gen_ai.input.messages"
	attrGenAIOutputMessages = "gen_ai.output.messages"
	attrLangsmithSpanKind   = "langsmith.span.kind"
	attrMessagingDest       = "messaging.destination"
	attrMessagingMsgType    = "messaging.message.type"
	attrRuntimeMessage      = "message"
	attrRecipientClass      = "recipient_agent_class"
	attrRecipientType       = "recipient_agent_type"
	attrSenderClass         = "sender_agent_class"
	attrSenderType          = "sender_agent_type"
	attrTeamID              = "autogen.team.id"
	attrSelectedSpeaker     = "autogen.selected_speaker"
)

// foldsLate recognises plumbing and agent-construction spans on their own,
// for late spans of an AutoGen trace already emitted.
func (autogenDialect) foldsLate(scope pcommon.InstrumentationScope, span ptrace.Span) bool {
	op, _ := span.Attributes().Get(attrGenAIOperation)
	return isPlumbingSpan(scope.Name(), span.Name()) || isCreateAgentSpan(op.Str(), span.Name())
}

// isPlumbingSpan: the runtime's messaging spans.
func isPlumbingSpan(scopeName, name string) bool {
	return autogenPlumbingName.MatchString(name) || strings.HasPrefix(scopeName, "autogen ")
}

// isCreateAgentSpan: an agent's construction, a 0 ms event.
func isCreateAgentSpan(op, name string) bool {
	return op == "create_agent" || (op == "" && strings.HasPrefix(name, "create_agent "))
}

// classify gives every span its first role and its own team id.
func (r *autogenRewrite) classify() {
	for _, n := range r.tree.nodes {
		a := r.info[n]
		a.teamID = ownTeamID(n)
		op := n.attr(attrGenAIOperation)
		name := n.name()
		switch {
		case isPlumbingSpan(n.scope.Scope().Name(), name):
			a.role = rolePlumbing
		case isCreateAgentSpan(op, name):
			a.role = roleCreateAgent
		case op == "invoke_agent" || (op == "" && strings.HasPrefix(name, "invoke_agent ")):
			a.role = roleTurn
			a.agentName = n.attr(attrGenAIAgentName)
			if a.agentName == "" {
				a.agentName = strings.TrimSpace(strings.TrimPrefix(name, "invoke_agent"))
			}
		case op == "execute_tool" || (op == "" && strings.HasPrefix(name, "execute_tool ")) ||
			n.scope.Scope().Name() == "base_tool":
			a.role = roleTool
		case isLLMSpan(n):
			a.role = roleLLM
		}
	}
}

// isLLMSpan recognises model calls of the OpenAI instrumentor in all its
// attribute formats (and any other GenAI inference span).
func isLLMSpan(n *spanNode) bool {
	switch n.attr(attrGenAIOperation) {
	case "chat", "text_completion", "generate_content":
		return true
	}
	switch n.attr("llm.request.type") {
	case "chat", "completion":
		return true
	}
	return n.name() == "openai.chat"
}

// nearestTurn returns the closest turn ancestor of n, or nil.
func (r *autogenRewrite) nearestTurn(n *spanNode) *spanNode {
	for p := n.parent; p != nil; p = p.parent {
		if r.info[p].role == roleTurn {
			return p
		}
	}
	return nil
}
