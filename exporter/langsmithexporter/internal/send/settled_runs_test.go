package langsmithexporter

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumererror"
)

func TestSettledRunsForgetsOldestAndFilters(t *testing.T) {
	s := newSettledRuns(2)
	mk := func(id string) *run { return &run{ID: id} }
	enc := func(rs ...*run) []*encodedRun {
		out := make([]*encodedRun, len(rs))
		for i, r := range rs {
			out[i] = &encodedRun{run: r}
		}
		return out
	}
	a, b, c := mk("a"), mk("b"), mk("c")
	s.add(enc(a, b))
	assert.Equal(t, []*run{c}, s.unsettled([]*run{a, b, c}))
	s.add(enc(c)) // evicts a
	assert.Equal(t, []*run{a}, s.unsettled([]*run{a, b, c}))
}

func TestSendRetryLeavesOutDeliveredRuns(t *testing.T) {
	fx := newSenderFixture(t, func(c *Config) { c.MaxRunsPerRequest = 2 })
	var calls atomic.Int64
	fx.fake.setRespond(func(*receivedRequest) (int, http.Header, string) {
		if calls.Add(1) == 2 {
			return http.StatusServiceUnavailable, nil, `{"error":"busy"}`
		}
		return http.StatusAccepted, nil, `{}`
	})
	runs := senderTestRuns(4, senderTestTenant)
	err := fx.s.send(context.Background(), runs)
	require.Error(t, err)
	require.False(t, consumererror.IsPermanent(err))
	// exporterhelper retries the same batch: only the failed chunk goes again.
	require.NoError(t, fx.s.send(context.Background(), runs))
	reqs := fx.fake.received()
	require.Len(t, reqs, 3)
	assert.Equal(t, runIDsOf(runs[2:]), reqs[2].runIDs)
}
