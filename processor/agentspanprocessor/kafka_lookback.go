package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"context"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"
)

// This file implements kafka::lookback. Behind the kafka receiver with
// partition_processing, each record is one ConsumeTraces call whose client
// metadata names its topic, partition and offset, and whose context ends with
// the partition's assignment (the receiver derives it from one context per
// assigned partition). A Done channel not seen before for a partition means
// this collector was given it, starting at the committed offset.
//
// A commit covers a prefix of the partition, and traces interleave: a trace
// the previous owner sent whole can have records on both sides of the
// committed offset. Read from there alone it would be a fragment whose runs
// differ from the whole's (plumbing the whole folded, a turn without its
// first spans) and would be stored beside them. So the first records of an
// assignment wait while the window before its first offset is read back
// (kafka_lookback_read.go); a trace the assignment continues takes its
// records from there, is rebuilt whole, and what was sent meets LangSmith's
// 409 under the same run ids. Records read back whose trace does not
// continue are dropped: they were committed, so their traces were sent.

// Client metadata keys the kafka receiver sets on each record's context.
const (
	metadataKafkaTopic     = "kafka.topic"
	metadataKafkaPartition = "kafka.partition"
	metadataKafkaOffset    = "kafka.offset"
)

type partitionKey struct {
	topic     string
	partition int32
}

// assignment is one partition as this collector holds it, from the first
// record seen until its context ends (revoked, lost, receiver stopped).
type assignment struct {
	key   partitionKey
	done  <-chan struct{}
	start int64         // the first offset seen; what lies before is read back
	ready chan struct{} // closed when the read back ended
	// The records read back, per trace and per offset, in offset order;
	// guarded by kafkaLookback.mu, dropped after the window.
	byTrace  map[pcommon.TraceID][]*lookbackRecord
	byOffset map[int64][]*lookbackRecord
	order    []*lookbackRecord
}

// lookbackRecord is one trace's spans of one record read back.
type lookbackRecord struct {
	offset int64
	chunk  traceChunk
	taken  bool // added to a request of the assignment
}

// readBackFunc calls each for every record of the partition from the first
// one written at or after from up to end (excluded).
type readBackFunc func(ctx context.Context, topic string, partition int32, from time.Time, end int64,
	each func(offset int64, value []byte)) error

type kafkaLookback struct {
	cfg    KafkaLookbackConfig
	logger *zap.Logger
	read   readBackFunc

	mu    sync.Mutex
	parts map[partitionKey]*assignment
	bytes int64 // estimated heap of the records held, all assignments
}

func newKafkaLookback(cfg KafkaLookbackConfig, logger *zap.Logger, read readBackFunc) *kafkaLookback {
	return &kafkaLookback{cfg: cfg, logger: logger, read: read, parts: map[partitionKey]*assignment{}}
}

// recordOf returns the partition and offset of a record's call from the
// kafka receiver; ok is false for any other caller.
func recordOf(ctx context.Context) (key partitionKey, offset int64, ok bool) {
	md := client.FromContext(ctx).Metadata
	topic, part, off := md.Get(metadataKafkaTopic), md.Get(metadataKafkaPartition), md.Get(metadataKafkaOffset)
	if len(topic) != 1 || len(part) != 1 || len(off) != 1 {
		return key, 0, false
	}
	p, err := strconv.ParseInt(part[0], 10, 32)
	if err != nil {
		return key, 0, false
	}
	if offset, err = strconv.ParseInt(off[0], 10, 64); err != nil {
		return key, 0, false
	}
	return partitionKey{topic: topic[0], partition: int32(p)}, offset, true
}

// continueTraces adds to a record's chunks the records read back of the
// traces they continue. A record that was itself read back (the receiver
// runs a partition's first records at once, so one below the first offset
// seen may arrive after it) gives each of its traces that was read back too
// what was read back instead of its own spans, so no span is added twice;
// its other traces (read back, then evicted) keep their own. undo, when not nil, gives the records back if
// the request fails: the trace will be assembled again.
func (l *kafkaLookback) continueTraces(ctx context.Context, chunks []traceChunk) (_ []traceChunk, undo func(), _ error) {
	key, offset, ok := recordOf(ctx)
	if !ok {
		return chunks, nil, nil
	}
	a := l.assignmentFor(ctx, key, offset, chunks)
	select {
	case <-a.ready:
	case <-ctx.Done():
		return nil, nil, context.Cause(ctx)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var readBack map[pcommon.TraceID]bool // this record's traces that were read back too
	if offset < a.start {
		for _, r := range a.byOffset[offset] {
			if readBack == nil {
				readBack = map[pcommon.TraceID]bool{}
			}
			readBack[r.chunk.traceID] = true
		}
	}
	var taken []*lookbackRecord
	out := chunks[:0]
	for _, c := range chunks {
		if readBack[c.traceID] {
			// Its spans are among those read back (or already taken from there).
			c = traceChunk{traceID: c.traceID, data: ptrace.NewTraces(), source: c.source}
		}
		if l.takeLocked(a, &c, &taken); c.spans > 0 {
			out = append(out, c)
		}
	}
	chunks = out
	if len(taken) == 0 {
		return chunks, nil, nil
	}
	return chunks, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, r := range taken {
			r.taken = false
		}
	}, nil
}

// takeLocked adds to c a copy of every record read back of its trace not
// taken yet (a copy: undo may give them back).
func (l *kafkaLookback) takeLocked(a *assignment, c *traceChunk, taken *[]*lookbackRecord) {
	for _, r := range a.byTrace[c.traceID] {
		if r.taken {
			continue
		}
		r.taken = true
		*taken = append(*taken, r)
		cp := ptrace.NewTraces()
		r.chunk.data.CopyTo(cp)
		cp.ResourceSpans().MoveAndAppendTo(c.data.ResourceSpans())
		c.spans += r.chunk.spans
		c.bytes += r.chunk.bytes
	}
}

// assignmentFor returns the partition's current assignment, starting one
// (and its read back) when ctx belongs to another.
func (l *kafkaLookback) assignmentFor(ctx context.Context, key partitionKey, offset int64, chunks []traceChunk) *assignment {
	l.mu.Lock()
	a := l.parts[key]
	if a != nil && a.done == ctx.Done() {
		l.mu.Unlock()
		return a
	}
	if a != nil {
		l.dropLocked(a)
	}
	a = &assignment{
		key: key, done: ctx.Done(), start: offset, ready: make(chan struct{}),
		byTrace: map[pcommon.TraceID][]*lookbackRecord{}, byOffset: map[int64][]*lookbackRecord{},
	}
	l.parts[key] = a
	l.mu.Unlock()
	context.AfterFunc(ctx, func() { l.end(a) })
	go l.readBack(ctx, a, lookbackFrom(chunks, time.Now()).Add(-l.cfg.Window))
	return a
}

// lookbackFrom is when the record was written, as near as its spans tell:
// their latest end, unless it lies in the future (a skewed clock).
func lookbackFrom(chunks []traceChunk, now time.Time) time.Time {
	var latest pcommon.Timestamp
	for _, c := range chunks {
		forEachSpan(c.data, func(s ptrace.Span) { latest = max(latest, s.EndTimestamp()) })
	}
	if t := latest.AsTime(); latest != 0 && t.Before(now) {
		return t
	}
	return now
}

// readBack reads the records before a's first offset; the assignment's
// records wait for it. On failure they go on without: traces continued
// from before may then leave as fragments, which is logged.
func (l *kafkaLookback) readBack(ctx context.Context, a *assignment, from time.Time) {
	defer close(a.ready)
	ctx, cancel := context.WithTimeout(ctx, l.cfg.Timeout)
	defer cancel()
	began := time.Now()
	var records, spans, undecodable int
	err := l.read(ctx, a.key.topic, a.key.partition, from, a.start, func(offset int64, value []byte) {
		td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(value)
		if err != nil {
			undecodable++ // the receiver refuses it as well
			return
		}
		records++
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, c := range splitByTrace(td) {
			spans += c.spans
			l.storeLocked(a, offset, c)
		}
	})
	fields := []zap.Field{
		zap.String("topic", a.key.topic), zap.Int32("partition", a.key.partition), zap.Int64("first_offset", a.start),
		zap.Int("records", records), zap.Int("spans", spans), zap.Duration("took", time.Since(began)),
	}
	if undecodable > 0 {
		fields = append(fields, zap.Int("undecodable_records", undecodable))
	}
	if err != nil && ctx.Err() != context.Canceled {
		l.logger.Warn("kafka::lookback: could not read back the records before a new partition's first one; traces it continues may leave in parts",
			append(fields, zap.Error(err))...)
	} else {
		l.logger.Info("kafka::lookback: read back the records before a new partition's first one", fields...)
	}
	time.AfterFunc(l.cfg.Window, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.dropLocked(a)
	})
}

// storeLocked keeps one trace's spans of a record read back, letting the
// oldest records of a go beyond max_bytes.
func (l *kafkaLookback) storeLocked(a *assignment, offset int64, c traceChunk) {
	if a.byTrace == nil {
		return // ended while reading
	}
	r := &lookbackRecord{offset: offset, chunk: c}
	a.byTrace[c.traceID] = append(a.byTrace[c.traceID], r)
	a.byOffset[offset] = append(a.byOffset[offset], r)
	a.order = append(a.order, r)
	l.bytes += c.bytes
	for l.bytes > l.cfg.MaxBytes && len(a.order) > 0 {
		l.evictLocked(a)
	}
}

// evictLocked forgets a's oldest record read back.
func (l *kafkaLookback) evictLocked(a *assignment) {
	r := a.order[0]
	a.order[0] = nil
	a.order = a.order[1:]
	l.bytes -= r.chunk.bytes
	a.byTrace[r.chunk.traceID] = without(a.byTrace[r.chunk.traceID], r)
	if len(a.byTrace[r.chunk.traceID]) == 0 {
		delete(a.byTrace, r.chunk.traceID)
	}
	a.byOffset[r.offset] = without(a.byOffset[r.offset], r)
	if len(a.byOffset[r.offset]) == 0 {
		delete(a.byOffset, r.offset)
	}
}

func without(rs []*lookbackRecord, r *lookbackRecord) []*lookbackRecord {
	for i := range rs {
		if rs[i] == r {
			return append(rs[:i], rs[i+1:]...)
		}
	}
	return rs
}

// dropLocked forgets every record read back for a.
func (l *kafkaLookback) dropLocked(a *assignment) {
	for _, r := range a.order {
		l.bytes -= r.chunk.bytes
	}
	a.byTrace, a.byOffset, a.order = nil, nil, nil
}

// end forgets a once its context ended.
func (l *kafkaLookback) end(a *assignment) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.parts[a.key] == a {
		delete(l.parts, a.key)
	}
	l.dropLocked(a)
}
