package langsmithtest

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// segment is one "<YYYYMMDDTHHMMSSffffff>Z<uuid>" element of a dotted_order.
type segment struct {
	ts time.Time
	id string // canonical lowercase UUID
}

const (
	dottedDateLayout = "20060102T150405"
	uuidLen          = 36
)

// canonUUID returns the lowercase form of a 36-character hyphenated UUID, or false.
func canonUUID(s string) (string, bool) {
	if len(s) != uuidLen || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return "", false
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// parseDottedOrder splits and validates a dotted_order; messages follow LangSmith's wording.
func parseDottedOrder(s string) ([]segment, error) {
	if s == "" {
		return nil, fmt.Errorf("dotted_order is required")
	}
	raw := strings.Split(s, ".")
	segs := make([]segment, 0, len(raw))
	for i, r := range raw {
		seg, err := parseSegment(r, i)
		if err != nil {
			return nil, err
		}
		segs = append(segs, seg)
	}
	return segs, nil
}

func parseSegment(r string, index int) (segment, error) {
	if len(r) <= uuidLen {
		return segment{}, fmt.Errorf("invalid 'dotted_order': segment %q at index %d is too short", r, index)
	}
	stamp, rawID := r[:len(r)-uuidLen], r[len(r)-uuidLen:]
	id, ok := canonUUID(rawID)
	if !ok {
		return segment{}, fmt.Errorf("invalid 'dotted_order': invalid run id %q in dotted_order at index %d", rawID, index)
	}
	if !strings.HasSuffix(stamp, "Z") {
		return segment{}, fmt.Errorf("invalid 'dotted_order': timestamp %q at index %d does not end with Z", stamp, index)
	}
	stamp = strings.TrimSuffix(stamp, "Z")
	if len(stamp) < len(dottedDateLayout) {
		return segment{}, fmt.Errorf("invalid 'dotted_order': invalid timestamp in dotted_order %s at index %d: too short", stamp, index)
	}
	date, frac := stamp[:len(dottedDateLayout)], stamp[len(dottedDateLayout):]
	if !allDigits(frac) {
		return segment{}, fmt.Errorf("invalid timestamp format in dotted_order: cannot parse '.%s' as '.000000' at index %d", frac, index)
	}
	switch {
	case len(frac) < 6:
		return segment{}, fmt.Errorf("invalid timestamp format in dotted_order: cannot parse '.%s' as '.000000' at index %d", frac, index)
	case len(frac) > 6:
		return segment{}, fmt.Errorf(`invalid 'dotted_order': invalid timestamp in dotted_order %s at index %d: parsing time %q as "2006-01-02T15:04:05.999999999Z07:00": fraction has %d digits, want exactly 6`,
			stamp, index, stamp, len(frac))
	}
	t, err := time.Parse(dottedDateLayout, date)
	if err != nil {
		return segment{}, fmt.Errorf("invalid 'dotted_order': invalid timestamp in dotted_order %s at index %d: %v", stamp, index, err)
	}
	var micros int
	for _, c := range frac {
		micros = micros*10 + int(c-'0')
	}
	return segment{ts: t.Add(time.Duration(micros) * time.Microsecond), id: id}, nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// pyTime formats like Python's datetime str(), as LangSmith's messages do.
func pyTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.000000")
}
