package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"bytes"
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// survivorIndex is an emitted trace's survivor map: every span id that went
// into the trace to its nearest emitted ancestor. The emitted-trace cache
// holds thousands of them (one entry per span of each trace), so the entries
// of the emission are a sorted slice, 16 bytes each, where a Go map took
// ~36; the few ids late spans add go to a small map. The zero value is empty.
type survivorIndex struct {
	sorted []survivorEntry
	late   map[pcommon.SpanID]pcommon.SpanID
}

type survivorEntry struct{ id, to pcommon.SpanID }

func compareSpanIDs(a, b pcommon.SpanID) int { return bytes.Compare(a[:], b[:]) }

// newSurvivorIndex freezes m.
func newSurvivorIndex(m map[pcommon.SpanID]pcommon.SpanID) survivorIndex {
	sorted := make([]survivorEntry, 0, len(m))
	for id, to := range m {
		sorted = append(sorted, survivorEntry{id, to})
	}
	slices.SortFunc(sorted, func(a, b survivorEntry) int { return compareSpanIDs(a.id, b.id) })
	return survivorIndex{sorted: sorted}
}

func (s *survivorIndex) find(id pcommon.SpanID) (int, bool) {
	return slices.BinarySearchFunc(s.sorted, id, func(e survivorEntry, id pcommon.SpanID) int { return compareSpanIDs(e.id, id) })
}

// get is the survivor of id, and whether id is known.
func (s *survivorIndex) get(id pcommon.SpanID) (pcommon.SpanID, bool) {
	if to, ok := s.late[id]; ok {
		return to, true
	}
	if i, ok := s.find(id); ok {
		return s.sorted[i].to, true
	}
	return pcommon.SpanID{}, false
}

// set records (or changes) the survivor of id.
func (s *survivorIndex) set(id, to pcommon.SpanID) {
	if i, ok := s.find(id); ok {
		s.sorted[i].to = to
		return
	}
	if s.late == nil {
		s.late = map[pcommon.SpanID]pcommon.SpanID{}
	}
	s.late[id] = to
}

// len is the number of ids known.
func (s *survivorIndex) len() int { return len(s.sorted) + len(s.late) }
