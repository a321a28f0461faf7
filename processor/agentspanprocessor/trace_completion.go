package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// This file holds the early completion rule: a trace whose root span has
// arrived and in which every span's parent is present is whole, so it only
// waits completion_grace after its last span (for spans of the same batch
// that travel in another request) instead of the full idle_timeout. Traces
// with a missing parent keep the idle_timeout rule; a span that turns up after
// its trace left goes out as a late span, placed under its parent.

// parentTracking follows, per buffered trace, which parent span ids are
// referenced but not (yet) present. It is updated incrementally: each check
// only reads the chunks that arrived since the last one.
type parentTracking struct {
	scanned int // chunks (ResourceSpans) of data already read
	// seen is true for span ids present, false for parents referenced but
	// not present yet.
	seen    map[pcommon.SpanID]bool
	missing int // number of false entries in seen
}

// update reads the chunks of m that arrived since the last call.
func (pt *parentTracking) update(m *bufferedTrace) {
	rss := m.data.ResourceSpans()
	if pt.scanned >= rss.Len() {
		return
	}
	if pt.seen == nil {
		pt.seen = make(map[pcommon.SpanID]bool, m.spans+m.spans/4)
	}
	for i := pt.scanned; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				span := spans.At(k)
				id := span.SpanID()
				if present, ok := pt.seen[id]; !ok {
					pt.seen[id] = true
				} else if !present {
					pt.seen[id] = true
					pt.missing--
				}
				if p := span.ParentSpanID(); !p.IsEmpty() && p != id {
					if _, ok := pt.seen[p]; !ok {
						pt.seen[p] = false
						pt.missing++
					}
				}
			}
		}
	}
	pt.scanned = rss.Len()
}

// whole reports whether every member of a group has all its spans' parents.
// Stitched secondaries' roots have no parent of their own (their link target
// is in another member), so each member is checked on its own.
func (b *traceBuffer) whole(g *traceGroup) bool {
	for _, m := range g.members {
		m.parents.update(m)
		if m.parents.missing > 0 {
			return false
		}
	}
	return true
}

// settled reports whether a complete group may leave before idle_timeout:
// completion_grace has passed since its last span and nothing is missing.
func (b *traceBuffer) settled(g *traceGroup, now time.Time) bool {
	return b.cfg.CompletionGrace < b.cfg.IdleTimeout &&
		now.Sub(g.last) >= b.cfg.CompletionGrace && b.whole(g)
}

// checkInterval is how often the buffer is checked: often enough to honour
// the shorter of idle_timeout and completion_grace closely without spinning.
func checkInterval(cfg *Config) time.Duration {
	wait := cfg.IdleTimeout
	if cfg.CompletionGrace > 0 && cfg.CompletionGrace < wait {
		wait = cfg.CompletionGrace
	}
	return tickInterval(wait)
}
