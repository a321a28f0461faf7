package langsmithtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRefuseRunNamesRefusesOnlyRequestsCarryingThem(t *testing.T) {
	lim := Options{RefuseRunNames: []string{"bad"}}.limits()
	assert.True(t, lim.refuseNames["bad"])
	assert.False(t, lim.refuseNames["good"])
	assert.Nil(t, Options{}.limits().refuseNames)
}
