// Package autogen is the agent_span dialect for Microsoft AutoGen.
package autogen // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect/autogen"

import (
	"regexp"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// Dialect rebuilds Microsoft AutoGen (autogen-core/agentchat 0.4.9 to
// 0.7.5) traces into team run -> speaker selection / agent turn -> LLM / tool
// calls, in GenAI semantic conventions. The span catalog it relies on is in
// docs autogen-spans.md; the rules are split by responsibility over the
// package's files:
//   - team.go: team ids, manager/team classes, participants;
//   - turns.go: agent turns (invoke_agent, or pre-0.6.2 process spans),
//     speaker selection calls, agent name / conversation id propagation;
//   - llm.go: openai.chat normalisation and message parsing;
//   - message_parts.go: in-place reads of message parts (tool calls, answers);
//   - tools.go: tool arguments/result join;
//   - payloads.go: the runtime `message` JSON (stop reason, task, answers),
//     read once per payload by payload_reader.go; tool_events.go: the tool
//     events in it;
//   - fold.go: team span insertion and plumbing folding;
//   - grpc_runtime.go: Core API manager runs across worker processes.
//
// create_agent spans are folded like plumbing (0 ms construction events);
// their descriptions go onto the team span. A parent id that already pointed
// outside the trace on input is kept (the exporter places late parents).
type Dialect struct{}

// Name implements dialect.Dialect.
func (Dialect) Name() string { return "autogen" }

// autogenPlumbingName matches the runtime's messaging spans.
var autogenPlumbingName = regexp.MustCompile(`^autogen (create|send|publish|process|ack|intercept)( |$)`)

// Matches recognises AutoGen by its scopes, runtime span names or gen_ai.system.
func (Dialect) Matches(td ptrace.Traces) bool {
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

// Rewrite runs the AutoGen rules over one assembled trace.
func (Dialect) Rewrite(td ptrace.Traces, opts dialect.Options) dialect.Stats {
	r := newAutogenRewrite(dialect.NewTree(td), opts)
	r.classify()
	oiFolded := r.foldOpenInference()
	r.findTeamRuns()
	r.findTeamTurns()
	r.findLegacyTurns()
	r.findCoreRuns()
	r.findSelectors()
	r.collectTeams()
	r.parsePayloads()
	r.annotateTurns()
	r.annotateSelectors()
	r.normalizeLLMs()
	r.joinTools()
	r.propagateAgentContext()
	r.applyPayloads()
	r.applyOpenInferenceTeams()
	r.describeTurns()
	r.describeCoreRuns()
	added, folded := r.foldAndGroup()
	r.describeTeamResults()
	r.tree.Compact()
	return dialect.Stats{SpansFolded: folded + oiFolded, SpansAdded: added}
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
	// innerTeamKey is set on the turn of a team that is a participant of
	// another team: the inner team run it ran (nested_teams.go).
	innerTeamKey string
}

// autogenRewrite holds the state of one rewrite.
type autogenRewrite struct {
	tree  *dialect.Tree
	opts  dialect.Options
	info  []*agSpan // by dialect.Node.Order (infoOf)
	teams map[string]*agTeam
	// teamOrder lists team keys in order of first appearance.
	teamOrder []string
	keys      map[teamKeyOf]string // r.teamKey's memo
	payloads  *agPayloads
	// runStarts: start times of each run of a team (team_runs.go).
	runStarts map[string][]pcommon.Timestamp
	// results: what each team run and turn received and produced (team_result.go).
	results *agResults
	// oiTeamResults: OpenInference's run_stream spans (openinference.go).
	oiTeamResults []oiTeam
	// caches of parsed LLM messages, used by the tool join.
	llmCache  []*dialect.Node
	callCache map[*dialect.Node][]agToolCall
	respCache map[*dialect.Node]map[string]string
}

func newAutogenRewrite(t *dialect.Tree, opts dialect.Options) *autogenRewrite {
	// info has room for the team spans foldAndGroup adds.
	r := &autogenRewrite{tree: t, opts: opts, info: make([]*agSpan, len(t.Nodes), len(t.Nodes)+8), teams: map[string]*agTeam{},
		callCache: map[*dialect.Node][]agToolCall{}, respCache: map[*dialect.Node]map[string]string{}}
	block := make([]agSpan, len(t.Nodes)) // one allocation, not one per span
	for i, n := range t.Nodes {
		r.info[n.Order()] = &block[i]
	}
	return r
}

// infoOf is n's AutoGen view, nil for a span added without one.
func (r *autogenRewrite) infoOf(n *dialect.Node) *agSpan {
	if i := n.Order(); i < len(r.info) {
		return r.info[i]
	}
	return nil
}

// setInfo gives an added span its AutoGen view.
func (r *autogenRewrite) setInfo(n *dialect.Node, a *agSpan) {
	for len(r.info) <= n.Order() {
		r.info = append(r.info, nil)
	}
	r.info[n.Order()] = a
}

// Attribute keys used by the AutoGen files: the GenAI ones are the shared
// vocabulary, the others what AutoGen's runtime spans carry.
const (
	attrGenAISystem         = dialect.AttrGenAISystem
	attrGenAIOperation      = dialect.AttrGenAIOperation
	attrGenAIProvider       = dialect.AttrGenAIProvider
	attrGenAIAgentName      = dialect.AttrGenAIAgentName
	attrGenAIAgentID        = dialect.AttrGenAIAgentID
	attrGenAIAgentDesc      = dialect.AttrGenAIAgentDesc
	attrGenAIConversationID = dialect.AttrGenAIConversationID
	attrGenAIWorkflowName   = dialect.AttrGenAIWorkflowName
	attrGenAIToolName       = dialect.AttrGenAIToolName
	attrGenAIToolDesc       = dialect.AttrGenAIToolDesc
	attrGenAIToolCallID     = dialect.AttrGenAIToolCallID
	attrGenAIToolCallArgs   = dialect.AttrGenAIToolCallArgs
	attrGenAIToolCallResult = dialect.AttrGenAIToolCallResult
	attrGenAIInputMessages  = dialect.AttrGenAIInputMessages
	attrGenAIOutputMessages = dialect.AttrGenAIOutputMessages
	attrLangsmithSpanKind   = dialect.AttrLangsmithSpanKind
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

// FoldsLate recognises plumbing and agent-construction spans on their own,
// for late spans of an AutoGen trace already emitted.
func (Dialect) FoldsLate(scope pcommon.InstrumentationScope, span ptrace.Span) bool {
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
	for _, n := range r.tree.Nodes {
		a := r.infoOf(n)
		a.teamID = ownTeamID(n)
		op := n.Attr(attrGenAIOperation)
		name := n.Name()
		switch {
		case isPlumbingSpan(n.Scope.Scope().Name(), name):
			a.role = rolePlumbing
		case isCreateAgentSpan(op, name):
			a.role = roleCreateAgent
		case op == "invoke_agent" || (op == "" && strings.HasPrefix(name, "invoke_agent ")):
			a.role = roleTurn
			a.agentName = n.Attr(attrGenAIAgentName)
			if a.agentName == "" {
				a.agentName = strings.TrimSpace(strings.TrimPrefix(name, "invoke_agent"))
			}
		case op == "execute_tool" || (op == "" && strings.HasPrefix(name, "execute_tool ")) ||
			n.Scope.Scope().Name() == "base_tool":
			a.role = roleTool
		case isLLMSpan(n):
			a.role = roleLLM
		}
	}
}

// isLLMSpan recognises model calls of the OpenAI instrumentor in all its
// attribute formats (and any other GenAI inference span).
func isLLMSpan(n *dialect.Node) bool {
	switch n.Attr(attrGenAIOperation) {
	case "chat", "text_completion", "generate_content":
		return true
	}
	switch n.Attr("llm.request.type") {
	case "chat", "completion":
		return true
	}
	return n.Name() == "openai.chat"
}

// nearestTurn returns the closest turn ancestor of n, or nil.
func (r *autogenRewrite) nearestTurn(n *dialect.Node) *dialect.Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if r.infoOf(p).role == roleTurn {
			return p
		}
	}
	return nil
}
