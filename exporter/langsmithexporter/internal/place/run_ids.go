package place

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
	var pair [len(traceID) + len(spanID)]byte
	copy(pair[:], traceID[:])
	copy(pair[len(traceID):], spanID[:])
	sum := sha256.Sum256(pair[:])

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

// RunTimeLayout is LangSmith's preferred timestamp: UTC, microseconds, Z.
const RunTimeLayout = "2006-01-02T15:04:05.000000Z"

const hexDigits = "0123456789abcdef"

// FormatRunTime renders a time as LangSmith expects in start_time/end_time
// (and in event times).
func FormatRunTime(t time.Time) string {
	var buf [len(RunTimeLayout)]byte
	return string(appendRunTime(buf[:0], t, true))
}

// dottedSegmentLen is the length of one dotted_order segment.
const dottedSegmentLen = len("20060102T150405000000Z") + 36

// dottedSegment is one dotted_order segment: the start time (Unix
// microseconds) with exactly six fractional digits and Z, then the run id.
// LangSmith rejects 3 or 9 digits.
func dottedSegment(startMicros int64, id uuid.UUID) string {
	var buf [dottedSegmentLen]byte
	return string(appendDottedSegment(buf[:0], startMicros, id))
}

func appendDottedSegment(b []byte, startMicros int64, id uuid.UUID) []byte {
	b = appendRunTime(b, time.UnixMicro(startMicros), false)
	for i, c := range id { // id.String(), without its allocation
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xF])
	}
	return b
}

// appendRunTime appends t in UTC as RunTimeLayout (separators) or as the
// dotted_order form 20060102T150405000000Z, by hand: time.Format was a
// visible share of the mapping. Years outside 0-9999 go through Format.
func appendRunTime(dst []byte, t time.Time, separators bool) []byte {
	u := t.UTC()
	year, month, day := u.Date()
	if year < 0 || year > 9999 {
		if separators {
			return u.AppendFormat(dst, RunTimeLayout)
		}
		return fmt.Appendf(dst, "%s%06dZ", u.Format("20060102T150405"), u.Nanosecond()/1000)
	}
	hour, minute, sec := u.Clock()
	sep := func(c byte) {
		if separators {
			dst = append(dst, c)
		}
	}
	dst = appendDigits(dst, year, 4)
	sep('-')
	dst = appendDigits(dst, int(month), 2)
	sep('-')
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, hour, 2)
	sep(':')
	dst = appendDigits(dst, minute, 2)
	sep(':')
	dst = appendDigits(dst, sec, 2)
	sep('.')
	dst = appendDigits(dst, u.Nanosecond()/1000, 6)
	return append(dst, 'Z')
}

// appendDigits appends n (>= 0) zero-padded to width digits.
func appendDigits(dst []byte, n, width int) []byte {
	var b [8]byte
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, b[:width]...)
}

// ToMicros truncates to the precision LangSmith stores, so that start_time and
// the dotted_order segment always agree.
func ToMicros(t time.Time) time.Time {
	return t.UTC().Truncate(time.Microsecond)
}
