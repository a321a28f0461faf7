package agentspanprocessor

import (
	"regexp"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// AgentChat names agents and topics `<Name>_<team uuid>` with key/source =
// team uuid (autogen-spans.md §1.5), which is how spans find their team.
const uuidPattern = `[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`

var (
	// messaging.destination: `<type>.(<key>)-A` or `-T`.
	autogenDestination = regexp.MustCompile(`^(.*)\.\((` + uuidPattern + `)\)-([AT])$`)
	// gen_ai.agent.id: `<Name>_<uuid>/<uuid>`.
	autogenAgentID = regexp.MustCompile(`^(.+)_(` + uuidPattern + `)/(` + uuidPattern + `)$`)
	// agent or topic type: `<Name>_<uuid>`.
	autogenTypeWithID = regexp.MustCompile(`^(.+)_(` + uuidPattern + `)$`)
)

// ownTeamID returns the team uuid named by the span's own attributes.
func ownTeamID(n *spanNode) string {
	if m := autogenDestination.FindStringSubmatch(n.attr(attrMessagingDest)); m != nil {
		return strings.ToLower(m[2])
	}
	if m := autogenAgentID.FindStringSubmatch(n.attr(attrGenAIAgentID)); m != nil {
		return strings.ToLower(m[3])
	}
	for _, k := range []string{attrRecipientType, attrSenderType} {
		if m := autogenTypeWithID.FindStringSubmatch(n.attr(k)); m != nil {
			return strings.ToLower(m[2])
		}
	}
	return ""
}

// destinationType splits messaging.destination into the agent/topic type
// name without the team suffix, and whether it is an agent ("A").
func destinationType(n *spanNode) (name string, agent bool) {
	m := autogenDestination.FindStringSubmatch(n.attr(attrMessagingDest))
	if m == nil {
		return "", false
	}
	return stripTeamSuffix(m[1]), m[3] == "A"
}

// stripTeamSuffix turns `PlanningAgent_<uuid>` into `PlanningAgent` (names may
// contain `_`, so only a trailing uuid is removed).
func stripTeamSuffix(t string) string {
	if m := autogenTypeWithID.FindStringSubmatch(t); m != nil {
		return m[1]
	}
	return t
}

// isManagerName recognises group chat managers by class or agent type name.
func isManagerName(s string) bool {
	return s != "" && s != "ChatAgentContainer" &&
		(strings.HasSuffix(s, "Manager") || strings.HasSuffix(s, "Orchestrator"))
}

// isManagerProcess reports whether a plumbing span is delivered to a manager.
func isManagerProcess(n *spanNode) bool {
	if c := n.attr(attrRecipientClass); c != "" {
		return isManagerName(c)
	}
	t, agent := destinationType(n)
	return agent && isManagerName(t)
}

// managerName returns the manager class of a manager process span.
func managerName(n *spanNode) string {
	if c := n.attr(attrRecipientClass); isManagerName(c) {
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
	participants []string
	descriptions map[string]string
	termination  string
	terminated   bool
	task         []string
	node         *spanNode
	hasSelector  bool
}

func (t *agTeam) className() string {
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
	live := r.tree.live()
	for _, n := range live {
		a := r.info[n]
		switch {
		case a.role == roleTurn && a.teamKey == "" && a.teamID != "":
			a.teamKey = teamKey(n.span.TraceID(), a.teamID)
		case a.role == rolePlumbing && a.teamID != "" && isManagerProcess(n):
			a.teamKey = teamKey(n.span.TraceID(), a.teamID)
		}
		if a.teamKey != "" && (a.role == roleTurn || a.role == roleSelector || a.role == rolePlumbing) {
			r.team(a.teamKey, a.teamID, n.span.TraceID())
		}
	}
	// Plumbing of a known team belongs to it; gather participants and manager.
	for _, n := range live {
		a := r.info[n]
		if a.teamID == "" {
			continue
		}
		t, ok := r.teams[teamKey(n.span.TraceID(), a.teamID)]
		if !ok {
			continue
		}
		switch a.role {
		case rolePlumbing:
			a.teamKey = t.key
			if m := managerName(n); m != "" && t.manager == "" {
				t.manager = m
			}
			if n.attr(attrRecipientClass) == "ChatAgentContainer" {
				t.addParticipant(stripTeamSuffix(n.attr(attrRecipientType)))
			} else if n.attr(attrRecipientClass) == "" {
				if name, agent := destinationType(n); agent {
					t.addParticipant(name)
				}
			}
			if n.attr(attrMessagingMsgType) == "GroupChatTermination" {
				t.terminated = true
			}
		case roleTurn:
			t.addParticipant(a.agentName)
			if d := n.attr(attrGenAIAgentDesc); d != "" {
				t.descriptions[a.agentName] = d
			}
		}
	}
	// Runtime tracing off: teams keyed by the parent of their turns.
	for _, n := range live {
		a := r.info[n]
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
		if r.info[n].role != roleCreateAgent {
			continue
		}
		name, desc := n.attr(attrGenAIAgentName), n.attr(attrGenAIAgentDesc)
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
	for _, n := range r.tree.nodes {
		a := r.info[n]
		if a.role != roleSelector || a.teamKey != t.key {
			continue
		}
		in := strings.ToLower(n.attr(attrGenAIInputMessages) + n.attr("gen_ai.prompt.0.content"))
		if strings.Contains(in, "ledger") || strings.Contains(in, "fact sheet") {
			return "MagenticOneGroupChat"
		}
	}
	return "SelectorGroupChat"
}
