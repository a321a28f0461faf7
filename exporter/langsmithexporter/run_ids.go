package langsmithexporter

import (
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// runIDFor derives a span's run id. It is deterministic, so a resent span meets
// LangSmith's 409 instead of becoming a duplicate run, and it has the UUIDv7
// layout LangSmith recommends: the 48-bit millisecond start time first, then
// bits of a hash of the (trace id, span id) pair.
func runIDFor(traceID pcommon.TraceID, spanID pcommon.SpanID, start time.Time) uuid.UUID {
	h := sha256.New()
	h.Write(traceID[:])
	h.Write(spanID[:])
	sum := h.Sum(nil)

	var id uuid.UUID
	ms := start.UnixMilli()
	if ms < 0 {
		ms = 0
	}
	for i := 0; i < 6; i++ {
		id[i] = byte(uint64(ms) >> (40 - 8*i))
	}
	copy(id[6:], sum[:10])
	id[6] = 0x70 | (id[6] & 0x0f) // version 7
	id[8] = 0x80 | (id[8] & 0x3f) // RFC 4122 variant
	return id
}

// runTimeLayout is LangSmith's preferred timestamp: UTC, microseconds, Z.
const runTimeLayout = "2006-01-02T15:04:05.000000Z"

// formatRunTime renders a time as LangSmith expects in start_time/end_time.
func formatRunTime(t time.Time) string {
	return t.UTC().Format(runTimeLayout)
}

// dottedSegment is one dotted_order segment: the start time with exactly six
// fractional digits and Z, then the run id. LangSmith rejects 3 or 9 digits.
func dottedSegment(start time.Time, id uuid.UUID) string {
	u := start.UTC()
	return fmt.Sprintf("%s%06dZ%s", u.Format("20060102T150405"), u.Nanosecond()/1000, id.String())
}

// toMicros truncates to the precision LangSmith stores, so that start_time and
// the dotted_order segment always agree.
func toMicros(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}
