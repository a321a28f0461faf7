package autogen

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

const testTeam = "c2b7da64-f8e7-4162-9996-a271f128043f"

func TestParseAutoGenNames(t *testing.T) {
	typ, key, agent, ok := parseDestination("PlanningAgent_" + testTeam + ".(" + testTeam + ")-A")
	assert.True(t, ok)
	assert.Equal(t, "PlanningAgent_"+testTeam, typ)
	assert.Equal(t, testTeam, key)
	assert.True(t, agent)

	_, _, agent, ok = parseDestination("group_topic_" + testTeam + ".(" + testTeam + ")-T")
	assert.True(t, ok)
	assert.False(t, agent)

	for _, bad := range []string{"", "default.(default)-T", "x.(" + testTeam + ")-X", "x(" + testTeam + ")-A", "x.(" + testTeam[1:] + "z)-A"} {
		_, _, _, ok := parseDestination(bad)
		assert.False(t, ok, bad)
	}

	name, id, ok := splitTypeWithID("Data_Analyst_" + testTeam)
	assert.True(t, ok)
	assert.Equal(t, "Data_Analyst", name, "names may contain underscores")
	assert.Equal(t, testTeam, id)
	_, _, ok = splitTypeWithID("_" + testTeam)
	assert.False(t, ok, "a type needs a name")

	name, _, key, ok = parseAgentID("PlanningAgent_" + testTeam + "/" + testTeam)
	assert.True(t, ok)
	assert.Equal(t, "PlanningAgent", name)
	assert.Equal(t, testTeam, key)
	_, _, _, ok = parseAgentID("PlanningAgent/" + testTeam)
	assert.False(t, ok)

	assert.True(t, isUUID("C2B7DA64-F8E7-4162-9996-A271F128043F"))
	assert.False(t, isUUID("c2b7da64f8e741629996a271f128043f----"))
}
