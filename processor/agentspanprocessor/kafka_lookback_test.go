package agentspanprocessor

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// partitionLog stands in for one Kafka partition: records by offset, read
// back by offset range (the time bound is the broker's business).
type partitionLog struct {
	mu      sync.Mutex
	records [][]byte
	reads   []int64 // the end offset of each read back
}

func (l *partitionLog) append(t *testing.T, td ptrace.Traces) {
	b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	require.NoError(t, err)
	l.records = append(l.records, b)
}

func (l *partitionLog) read(_ context.Context, _ string, _ int32, _ time.Time, end int64, each func(int64, []byte)) error {
	l.mu.Lock()
	l.reads = append(l.reads, end)
	l.mu.Unlock()
	for off := int64(0); off < end && off < int64(len(l.records)); off++ {
		each(off, l.records[off])
	}
	return nil
}

func (l *partitionLog) readEnds() []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.reads)
}

// recordContext is the context the kafka receiver gives a record's call;
// assignment is the partition's context (its Done channel names the
// assignment). A forwarded record also carries the forward header.
func recordContext(assignment context.Context, offset int64, forwardHeader ...string) context.Context {
	md := map[string][]string{
		metadataKafkaTopic:     {"spans"},
		metadataKafkaPartition: {"3"},
		metadataKafkaOffset:    {strconv.FormatInt(offset, 10)},
	}
	if len(forwardHeader) > 0 {
		md[headerForwarded] = forwardHeader
	}
	return client.NewContext(assignment, client.Info{Metadata: client.NewMetadata(md)})
}

func startLookbackProcessor(t *testing.T, log *partitionLog, sink *recordingSink) *agentSpanProcessor {
	cfg := deliveryConfig()
	cfg.Kafka.Brokers = []string{"127.0.0.1:1"} // never dialled: the log stands in
	p := startProcessor(t, cfg, sink, nil, nil)
	require.NotNil(t, p.lookback)
	p.lookback.read = log.read
	return p
}

func spanIDs(spans []emittedSpan) []pcommon.SpanID {
	ids := make([]pcommon.SpanID, 0, len(spans))
	for _, s := range spans {
		ids = append(ids, s.id)
	}
	slices.SortFunc(ids, compareSpanIDs)
	return ids
}

func TestLookbackRebuildsATraceTheCommittedOffsetCut(t *testing.T) {
	log := &partitionLog{}
	log.append(t, buildTraces(testSpan{trace: 1, id: 11, parent: 10, name: "first tool call"}))
	log.append(t, rootAndChild(2)) // a trace sent and committed whole: not sent again
	log.append(t, buildTraces(testSpan{trace: 1, id: 10, name: "root"}))
	sink := &recordingSink{}
	p := startLookbackProcessor(t, log, sink)

	// The new owner starts at offset 2: the committed offset cut trace 1.
	td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(log.records[2])
	require.NoError(t, err)
	require.NoError(t, p.ConsumeTraces(recordContext(t.Context(), 2), td))

	_, spans := sink.snapshot()
	assert.Equal(t, []pcommon.SpanID{spanIDOf(10), spanIDOf(11)}, spanIDs(spans), "trace 1 whole, nothing of trace 2")
	assert.Equal(t, []int64{2}, log.readEnds())
}

func TestLookbackAddsNoSpanTwiceWhenARecordReadBackArrivesLate(t *testing.T) {
	log := &partitionLog{}
	log.append(t, buildTraces(testSpan{trace: 1, id: 12, parent: 11, name: "llm"}))
	log.append(t, buildTraces(testSpan{trace: 1, id: 11, parent: 10, name: "turn"}))
	log.append(t, buildTraces(testSpan{trace: 1, id: 10, name: "root"}))
	sink := &recordingSink{}
	p := startLookbackProcessor(t, log, sink)
	assignment := t.Context()

	// The receiver runs the partition's first records at once: offset 1 was
	// the committed one, but offset 2's call got here first.
	root, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(log.records[2])
	require.NoError(t, err)
	res := consumeAsync(recordContext(assignment, 2), p, root)
	turn, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(log.records[1])
	require.NoError(t, err)
	require.NoError(t, p.ConsumeTraces(recordContext(assignment, 1), turn))
	require.NoError(t, result(t, res))

	_, spans := sink.snapshot()
	assert.Equal(t, []pcommon.SpanID{spanIDOf(10), spanIDOf(11), spanIDOf(12)}, spanIDs(spans), "each span once")
	assert.Equal(t, 1, sink.batchCount(), "one trace, no late part")
}

func TestLookbackReadsBackOncePerAssignment(t *testing.T) {
	log := &partitionLog{}
	for i := uint64(1); i <= 4; i++ {
		log.append(t, rootAndChild(i))
	}
	sink := &recordingSink{}
	p := startLookbackProcessor(t, log, sink)
	consume := func(ctx context.Context, offset int64) {
		td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(log.records[offset])
		require.NoError(t, err)
		require.NoError(t, p.ConsumeTraces(recordContext(ctx, offset), td))
	}

	first, revoke := context.WithCancel(t.Context())
	consume(first, 1)
	consume(first, 2)
	assert.Equal(t, []int64{1}, log.readEnds(), "one read back for the assignment")
	revoke()
	// Given back later at offset 3 (another owner committed up to there).
	consume(t.Context(), 3)
	assert.Equal(t, []int64{1, 3}, log.readEnds(), "a new assignment reads back again")

	_, spans := sink.snapshot()
	assert.Len(t, spans, 6, "traces 2, 3 and 4 once each; trace 1 was committed")
	// A call from another receiver (no Kafka metadata) reads nothing back.
	require.NoError(t, p.ConsumeTraces(t.Context(), rootAndChild(5)))
	assert.Len(t, log.readEnds(), 2)
}

func TestLookbackKeepsTheNewestRecordsWithinMaxBytes(t *testing.T) {
	l := newKafkaLookback(KafkaLookbackConfig{MaxBytes: 250}, nil, nil)
	a := &assignment{byTrace: map[pcommon.TraceID][]*lookbackRecord{}, byOffset: map[int64][]*lookbackRecord{}}
	l.mu.Lock()
	for off := int64(0); off < 5; off++ {
		l.storeLocked(a, off, traceChunk{traceID: traceIDOf(uint64(off % 2)), data: ptrace.NewTraces(), spans: 1, bytes: 100})
	}
	l.mu.Unlock()
	assert.Equal(t, int64(200), l.bytes)
	assert.Len(t, a.order, 2)
	assert.Equal(t, []int64{3, 4}, []int64{a.order[0].offset, a.order[1].offset}, "the oldest went first")
	assert.Len(t, a.byTrace[traceIDOf(0)], 1)
	assert.Len(t, a.byTrace[traceIDOf(1)], 1)
	assert.NotContains(t, a.byOffset, int64(0))

	l.end(a)
	assert.Zero(t, l.bytes)
}

func TestLookbackKeepsTheTracesOfARecordWhoseReadBackWasPartlyEvicted(t *testing.T) {
	l := newKafkaLookback(KafkaLookbackConfig{MaxBytes: 1 << 20}, nil, nil)
	key := partitionKey{topic: "spans", partition: 3}
	a := &assignment{
		key: key, done: t.Context().Done(), start: 2, ready: make(chan struct{}),
		byTrace: map[pcommon.TraceID][]*lookbackRecord{}, byOffset: map[int64][]*lookbackRecord{},
	}
	close(a.ready)
	l.parts[key] = a
	// Record 1 held spans of traces 1 and 2; what was read back of trace 1
	// was evicted, trace 2's is held.
	held := splitByTrace(buildTraces(testSpan{trace: 2, id: 21, parent: 20}))
	l.mu.Lock()
	l.storeLocked(a, 1, held[0])
	l.mu.Unlock()

	live := splitByTrace(buildTraces(testSpan{trace: 1, id: 11, parent: 10}, testSpan{trace: 2, id: 21, parent: 20}))
	chunks, undo, err := l.continueTraces(recordContext(t.Context(), 1), live)
	require.NoError(t, err)
	require.NotNil(t, undo)
	require.Len(t, chunks, 2)
	for _, c := range chunks {
		assert.Equal(t, 1, c.spans, "trace %v once: live for trace 1, read back for trace 2", c.traceID)
		assert.Equal(t, 1, c.data.SpanCount())
	}

	// The same record again (a retry after a failure that undid nothing):
	// trace 2's spans were taken, trace 1's come live again.
	again := splitByTrace(buildTraces(testSpan{trace: 1, id: 11, parent: 10}, testSpan{trace: 2, id: 21, parent: 20}))
	chunks, _, err = l.continueTraces(recordContext(t.Context(), 1), again)
	require.NoError(t, err)
	require.Len(t, chunks, 1)
	assert.Equal(t, traceIDOf(1), chunks[0].traceID)

	undo() // the first request failed: trace 2's records are available again
	chunks, _, err = l.continueTraces(recordContext(t.Context(), 4), splitByTrace(buildTraces(testSpan{trace: 2, id: 22, parent: 20})))
	require.NoError(t, err)
	require.Len(t, chunks, 1)
	assert.Equal(t, 2, chunks[0].spans, "the new span with the one read back")
}
