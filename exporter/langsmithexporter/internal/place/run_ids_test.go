package place

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// The hand-written time formatting writes what time.Format did.
func TestRunTimeFormatsMatchTimeFormat(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	times := []time.Time{
		{}, time.Unix(0, 0), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 1000, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 25, 21, 56, 1, 536788123, time.FixedZone("x", -5*3600)),
	}
	for range 2000 {
		times = append(times, time.Unix(rng.Int64N(1<<36)-1<<34, rng.Int64N(1e9)))
	}
	for _, tm := range times {
		id := uuid.New()
		u := tm.UTC()
		require.Equal(t, u.Format(RunTimeLayout), FormatRunTime(tm), "%v", tm)
		require.Equal(t, fmt.Sprintf("%s%06dZ%s", u.Format("20060102T150405"), u.Nanosecond()/1000, id.String()), dottedSegment(tm.UnixMicro(), id), "%v", tm)
	}
}
