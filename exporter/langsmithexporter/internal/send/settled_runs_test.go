package send

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumererror"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/encode"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runtest"
)

func TestSettledRunsForgetsOldestAndFilters(t *testing.T) {
	s := newSettledRuns(2)
	mk := func(id string) *runmap.Run { return &runmap.Run{ID: id} }
	enc := func(rs ...*runmap.Run) []*encode.EncodedRun {
		out := make([]*encode.EncodedRun, len(rs))
		for i, r := range rs {
			out[i] = &encode.EncodedRun{Run: r}
		}
		return out
	}
	a, b, c := mk(uuid.NewString()), mk(uuid.NewString()), mk(uuid.NewString())
	s.add(enc(a, b))
	assert.Equal(t, []*runmap.Run{c}, s.unsettled([]*runmap.Run{a, b, c}))
	s.add(enc(c)) // evicts a
	assert.Equal(t, []*runmap.Run{a}, s.unsettled([]*runmap.Run{a, b, c}))
	// An id that is not a UUID is never remembered, only resent.
	odd := mk("not-a-uuid")
	s.add(enc(odd))
	assert.Equal(t, []*runmap.Run{odd}, s.unsettled([]*runmap.Run{odd}))
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
	runs := runtest.Runs(4, senderTestTenant)
	err := fx.s.Send(context.Background(), runs)
	require.Error(t, err)
	require.False(t, consumererror.IsPermanent(err))
	// exporterhelper retries the same batch: only the failed chunk goes again.
	require.NoError(t, fx.s.Send(context.Background(), runs))
	reqs := fx.fake.received()
	require.Len(t, reqs, 3)
	assert.Equal(t, runIDsOf(runs[2:]), reqs[2].runIDs)
}
