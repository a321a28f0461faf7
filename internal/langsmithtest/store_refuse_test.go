package langsmithtest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRefuseRunNamesRefusesOnlyRequestsCarryingThem(t *testing.T) {
	s := New(t, Options{RefuseRunNames: []string{"bad"}})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	root := newRun(nil, "root", "chain", start)
	bad := newRun(root, "bad", "tool", start.Add(time.Millisecond))

	r := sendMultipart(t, s, postParts(root, bad), nil)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, errorText(r), "RefuseRunNames")
	assert.Empty(t, s.Runs(), "nothing of a refused request is stored")

	r = sendMultipart(t, s, postParts(root), nil)
	assert.Equal(t, http.StatusAccepted, r.status)
	assert.Len(t, s.Runs(), 1, "a request without the name is taken")
}
