package autogen

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"
)

// AgentChat names agents and topics `<Name>_<team uuid>` with key/source =
// team uuid (autogen-spans.md §1.5), which is how spans find their team.
// These names are parsed by hand rather than with regular expressions: they
// are read several times for every span, and backtracking dominated the
// dialect's cost.

const uuidLen = 36

// isUUID reports whether s is a hyphenated UUID, in any case. It runs for
// every destination and agent type a rewrite reads (thousands per trace), so
// it checks the hyphens first and the digits through a table.
func isUUID(s string) bool {
	return len(s) == uuidLen && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' &&
		allHex(s[:8]) && allHex(s[9:13]) && allHex(s[14:18]) && allHex(s[19:23]) && allHex(s[24:])
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !hexDigit[s[i]] {
			return false
		}
	}
	return true
}

var hexDigit = func() (t [256]bool) {
	for _, c := range "0123456789abcdefABCDEF" {
		t[c] = true
	}
	return t
}()

// parseDestination splits messaging.destination `<type>.(<uuid>)-A|T`.
func parseDestination(d string) (typ, key string, agent, ok bool) {
	n := len(d)
	// ".(" + uuid + ")-" + kind
	if n < uuidLen+5 || d[n-2] != '-' || d[n-3] != ')' {
		return "", "", false, false
	}
	kind := d[n-1]
	if kind != 'A' && kind != 'T' {
		return "", "", false, false
	}
	keyStart := n - 3 - uuidLen
	if d[keyStart-1] != '(' || d[keyStart-2] != '.' || !isUUID(d[keyStart:n-3]) {
		return "", "", false, false
	}
	return d[:keyStart-2], d[keyStart : n-3], kind == 'A', true
}

// splitTypeWithID splits an agent or topic type `<Name>_<uuid>`.
func splitTypeWithID(t string) (name, id string, ok bool) {
	n := len(t)
	if n < uuidLen+2 || t[n-uuidLen-1] != '_' || !isUUID(t[n-uuidLen:]) {
		return "", "", false
	}
	return t[:n-uuidLen-1], t[n-uuidLen:], true
}

// parseAgentID splits gen_ai.agent.id `<Name>_<uuid>/<uuid>`.
func parseAgentID(s string) (name, typeID, key string, ok bool) {
	n := len(s)
	if n < uuidLen+1 || s[n-uuidLen-1] != '/' || !isUUID(s[n-uuidLen:]) {
		return "", "", "", false
	}
	name, typeID, ok = splitTypeWithID(s[:n-uuidLen-1])
	return name, typeID, s[n-uuidLen:], ok
}

// ownTeamID returns the team uuid named by the span's own attributes.
func ownTeamID(n *dialect.Node) string {
	if _, key, _, ok := parseDestination(n.Attr(attrMessagingDest)); ok {
		return strings.ToLower(key)
	}
	if _, _, key, ok := parseAgentID(n.Attr(attrGenAIAgentID)); ok {
		return strings.ToLower(key)
	}
	for _, k := range []string{attrRecipientType, attrSenderType} {
		if _, id, ok := splitTypeWithID(n.Attr(k)); ok {
			return strings.ToLower(id)
		}
	}
	return ""
}

// destinationType splits messaging.destination into the agent/topic type
// name without the team suffix, and whether it is an agent ("A").
func destinationType(n *dialect.Node) (name string, agent bool) {
	typ, _, agent, ok := parseDestination(n.Attr(attrMessagingDest))
	if !ok {
		return "", false
	}
	return stripTeamSuffix(typ), agent
}

// stripTeamSuffix turns `PlanningAgent_<uuid>` into `PlanningAgent` (names may
// contain `_`, so only a trailing uuid is removed).
func stripTeamSuffix(t string) string {
	if name, _, ok := splitTypeWithID(t); ok {
		return name
	}
	return t
}

// isManagerName recognises group chat managers by class or agent type name.
func isManagerName(s string) bool {
	return s != "" && s != "ChatAgentContainer" &&
		(strings.HasSuffix(s, "Manager") || strings.HasSuffix(s, "Orchestrator"))
}

// isManagerProcess reports whether a plumbing span is delivered to a manager.
func isManagerProcess(n *dialect.Node) bool {
	if c := n.Attr(attrRecipientClass); c != "" {
		return isManagerName(c)
	}
	t, agent := destinationType(n)
	return agent && isManagerName(t)
}

// managerName returns the manager class of a manager process span.
func managerName(n *dialect.Node) string {
	if c := n.Attr(attrRecipientClass); isManagerName(c) {
		return c
	}
	if t, agent := destinationType(n); agent && isManagerName(t) {
		return t
	}
	return ""
}

// teamClassFor maps a manager class to its team class.
func teamClassFor(manager string) string {
	switch {
	case manager == "":
		return ""
	case manager == "GraphManager" || manager == "GraphFlowManager":
		return "GraphFlow"
	case strings.HasSuffix(manager, "Orchestrator"):
		return strings.TrimSuffix(manager, "Orchestrator") + "GroupChat"
	case strings.HasSuffix(manager, "Manager"):
		return strings.TrimSuffix(manager, "Manager")
	}
	return manager
}

// agTeam is one team run in the trace.
type agTeam struct {
	key     string
	id      string // team uuid, empty when unknown
	traceID pcommon.TraceID
	manager string
	// guessedClass is used when no span names the manager (runtime tracing off).
	guessedClass string
	// coreAgent is the manager agent's type of a Core API run (grpc_runtime.go).
	coreAgent    string
	participants []string
	descriptions map[string]string
	termination  string
	terminated   bool
	task         []string
	node         *dialect.Node
	hasSelector  bool
}

func (t *agTeam) className() string {
	if t.coreAgent != "" {
		return t.coreAgent
	}
	if c := teamClassFor(t.manager); c != "" {
		return c
	}
	if t.guessedClass != "" {
		return t.guessedClass
	}
	return "team"
}

func (t *agTeam) managerLabel() string {
	if t.manager != "" {
		return t.manager
	}
	if t.coreAgent != "" {
		return t.coreAgent
	}
	switch c := t.className(); c {
	case "team":
		return "GroupChatManager"
	case "MagenticOneGroupChat":
		return "MagenticOneOrchestrator"
	default:
		return c + "Manager"
	}
}

func (t *agTeam) addParticipant(name string) {
	if name == "" || isManagerName(name) || strings.HasPrefix(name, "group_topic") || strings.HasPrefix(name, "output_topic") {
		return
	}
	for _, p := range t.participants {
		if p == name {
			return
		}
	}
	t.participants = append(t.participants, name)
}

func teamKey(traceID pcommon.TraceID, id string) string {
	return traceID.String() + "/" + id
}

type teamKeyOf struct {
	traceID pcommon.TraceID
	id      string
}

// teamKey is the package teamKey, kept per rewrite: it is asked for every
// span of a team and each key would cost two allocations.
func (r *autogenRewrite) teamKey(traceID pcommon.TraceID, id string) string {
	if r.keys == nil {
		r.keys = map[teamKeyOf]string{}
	}
	k := teamKeyOf{traceID, id}
	if key, ok := r.keys[k]; ok {
		return key
	}
	key := teamKey(traceID, id)
	r.keys[k] = key
	return key
}

// team returns (creating) the team run for key.
func (r *autogenRewrite) team(key, id string, traceID pcommon.TraceID) *agTeam {
	if t, ok := r.teams[key]; ok {
		if t.id == "" {
			t.id = id
		}
		return t
	}
	t := &agTeam{key: key, id: id, traceID: traceID, descriptions: map[string]string{}}
	r.teams[key] = t
	r.teamOrder = append(r.teamOrder, key)
	return t
}

// collectTeams creates a team run per team id (per trace) that has a turn or
// a manager, and gathers what the spans say about it.
func (r *autogenRewrite) collectTeams() {
	live := r.tree.Live()
	for _, n := range live {
		a := r.infoOf(n)
		switch {
		case a.role == roleTurn && a.teamKey == "" && a.teamID != "":
			a.teamKey = r.runKey(n, a.teamID)
		case a.role == rolePlumbing && a.teamID != "" && isManagerProcess(n):
			a.teamKey = r.runKey(n, a.teamID)
		}
		if a.teamKey != "" && (a.role == roleTurn || a.role == roleSelector || a.role == rolePlumbing) {
			r.team(a.teamKey, a.teamID, n.Span.TraceID())
		}
	}
	// Plumbing of a known team belongs to it; gather participants and manager.
	for _, n := range live {
		a := r.infoOf(n)
		if a.teamID == "" {
			continue
		}
		t, ok := r.teams[r.runKey(n, a.teamID)]
		if !ok {
			continue
		}
		switch a.role {
		case rolePlumbing:
			a.teamKey = t.key
			if m := managerName(n); m != "" && t.manager == "" {
				t.manager = m
			}
			if n.Attr(attrRecipientClass) == "ChatAgentContainer" {
				t.addParticipant(stripTeamSuffix(n.Attr(attrRecipientType)))
			} else if n.Attr(attrRecipientClass) == "" {
				if name, agent := destinationType(n); agent {
					t.addParticipant(name)
				}
			}
			if n.Attr(attrMessagingMsgType) == "GroupChatTermination" {
				t.terminated = true
			}
		case roleTurn:
			t.addParticipant(a.agentName)
			if d := n.Attr(attrGenAIAgentDesc); d != "" {
				t.descriptions[a.agentName] = d
			}
		}
	}
	// Runtime tracing off: teams keyed by the parent of their turns.
	for _, n := range live {
		a := r.infoOf(n)
		if t, ok := r.teams[a.teamKey]; ok && a.role == roleTurn {
			t.addParticipant(a.agentName)
		}
		if t, ok := r.teams[a.teamKey]; ok && a.role == roleSelector {
			t.hasSelector = true
		}
	}
	// create_agent spans describe participants; they are not tied to a team
	// id, so they describe every team that has that participant.
	for _, n := range live {
		if r.infoOf(n).role != roleCreateAgent {
			continue
		}
		name, desc := n.Attr(attrGenAIAgentName), n.Attr(attrGenAIAgentDesc)
		if name == "" || desc == "" {
			continue
		}
		for _, t := range r.teams {
			for _, p := range t.participants {
				if p == name && t.descriptions[name] == "" {
					t.descriptions[name] = desc
				}
			}
		}
	}
	for _, key := range r.teamOrder {
		t := r.teams[key]
		if t.manager == "" && t.hasSelector {
			t.guessedClass = r.guessTeamClass(t)
		}
	}
}

// guessTeamClass names a team whose manager left no span (runtime tracing
// off) from its selector prompts: only SelectorGroupChat and MagenticOne
// call a model to pick the next speaker.
func (r *autogenRewrite) guessTeamClass(t *agTeam) string {
	for _, n := range r.tree.Nodes {
		a := r.infoOf(n)
		if a.role != roleSelector || a.teamKey != t.key {
			continue
		}
		in := strings.ToLower(n.Attr(attrGenAIInputMessages) + n.Attr("gen_ai.prompt.0.content"))
		if strings.Contains(in, "ledger") || strings.Contains(in, "fact sheet") {
			return "MagenticOneGroupChat"
		}
	}
	return "SelectorGroupChat"
}
