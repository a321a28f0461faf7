package send

import (
	"sync"

	"github.com/google/uuid"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/encode"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/fifo"
	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
)

// settledRuns remembers the ids of runs LangSmith recently took or refused for
// good. When exporterhelper retries a batch after a partial failure, the
// settled runs are left out: resending them would only cost LangSmith's 409
// (and, for a whole request of duplicates, a split down to single runs) or
// another refusal of the same bad run. Bounded: the oldest ids go first; a
// forgotten id is merely resent and meets 409. Ids are kept as 16 bytes
// rather than their 36-byte text: a third of the memory at the limit.
type settledRuns struct {
	mu    sync.Mutex
	ids   map[uuid.UUID]struct{}
	order fifo.Keys[uuid.UUID]
}

func newSettledRuns(limit int) *settledRuns {
	return &settledRuns{ids: make(map[uuid.UUID]struct{}), order: fifo.NewKeys[uuid.UUID](limit)}
}

func (s *settledRuns) add(runs []*encode.EncodedRun) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range runs {
		id, err := uuid.Parse(r.Run.ID)
		if err != nil {
			continue // not an id this exporter made: only ever resent
		}
		if _, ok := s.ids[id]; ok {
			continue
		}
		if old, evicted := s.order.Push(id); evicted {
			delete(s.ids, old)
		}
		s.ids[id] = struct{}{}
	}
}

// unsettled returns the runs not yet settled, in order.
func (s *settledRuns) unsettled(runs []*runmap.Run) []*runmap.Run {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := runs[:0:0]
	for _, r := range runs {
		id, err := uuid.Parse(r.ID)
		if _, settled := s.ids[id]; err != nil || !settled {
			out = append(out, r)
		}
	}
	return out
}
