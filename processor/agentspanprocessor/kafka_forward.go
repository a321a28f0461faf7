package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// This file implements kafka::forward_linked_traces. The agents key every
// record by its trace id, so the traces an agent runtime links together
// (stitching, trace_stitching.go) land in different partitions and, with
// several replicas, on different gateways. A gateway that holds a trace whose
// root links to a trace it does not hold writes the trace back to the topic
// keyed by the linked trace's id: the replica that owns that partition gets
// both and stitches them as one collector would. The records it writes carry
// a header naming the trace they were keyed by: a trace that arrived for its
// link target waits for it there. Later spans of a forwarded trace follow the
// same route, and so does a trace linking to one (a chain of deliveries),
// at most maxForwardHops times. The records' offsets are committed once the
// broker acknowledged the forward (wait_for_delivery).

// headerForwarded marks a record written back by a gateway: "hops:key", the
// forwards so far and the hex trace id it is keyed by. The kafka receiver
// hands record headers over as client metadata.
const headerForwarded = "otelcol-langsmith-forwarded"

// maxForwardHops bounds how often one trace is forwarded (links that form a
// cycle must not send it round for ever).
const maxForwardHops = 32

// kafkaSource is where a chunk or trace came from: the record's topic, and
// for a forwarded record its hops and the trace id it was keyed by.
type kafkaSource struct {
	topic string
	hops  int
	to    pcommon.TraceID
}

// maxForwardRecordBytes keeps a forwarded record under the broker's default
// message.max.bytes (1 MiB); a larger trace is written as several records.
const maxForwardRecordBytes = 900 << 10

// forwardRoute is where a forwarded trace went: the topic it came from,
// keyed by the trace it links to, as the hops-th forward.
type forwardRoute struct {
	topic string
	key   pcommon.TraceID
	hops  int
}

// routeTable remembers the routes of forwarded traces, the oldest forgotten
// first beyond max (emitted_trace_cache_size).
type routeTable struct {
	max    int
	routes map[pcommon.TraceID]forwardRoute
	order  []pcommon.TraceID
}

func (r *routeTable) get(id pcommon.TraceID) (forwardRoute, bool) {
	route, ok := r.routes[id]
	return route, ok
}

func (r *routeTable) add(id pcommon.TraceID, route forwardRoute) {
	if r.routes == nil {
		r.routes = map[pcommon.TraceID]forwardRoute{}
	}
	if _, ok := r.routes[id]; !ok {
		r.order = append(r.order, id)
	}
	r.routes[id] = route
	for len(r.order) > max(r.max, 1) {
		delete(r.routes, r.order[0])
		r.order = r.order[1:]
	}
}

// forwardTo returns the route for t's group when t's root links to target,
// which this collector does not hold: target's own route if it was forwarded
// from here, else target's partition. ok is false when the group must wait
// here: t was forwarded here for its target and this collector knows of no
// route for it (the target is on its way), a member came from no kafka
// record, is already where the route leads, or was forwarded too often.
func (b *traceBuffer) forwardTo(t *bufferedTrace, target pcommon.TraceID) (route forwardRoute, ok bool) {
	route = forwardRoute{topic: t.source.topic, key: target}
	r, routed := b.routes.get(target)
	if routed {
		route.key = r.key
	}
	if t.source.hops > 0 && !routed {
		return route, false
	}
	for _, m := range t.group.members {
		if m.source.topic == "" || m.source.to == route.key || m.source.hops >= maxForwardHops {
			return route, false
		}
		route.hops = max(route.hops, m.source.hops+1)
	}
	return route, true
}

// forwardRoute returns the route a chunk of a trace forwarded from here
// follows: only with forwarding on, for a kafka record, while the trace is
// not buffered here again, and not for spans that came back along a newer
// route (forwarded as often as the trace was when it left, or more).
func (b *traceBuffer) forwardRoute(c traceChunk) (forwardRoute, bool) {
	if !b.forward || c.source.topic == "" {
		return forwardRoute{}, false
	}
	route, ok := b.routes.get(c.traceID)
	return route, ok && c.source.hops < route.hops && b.traces[c.traceID] == nil
}

// forwardGroup takes a group out of the buffer to be written back to its
// topic under route's key, and routes its traces' later spans the same way.
func (b *traceBuffer) forwardGroup(g *traceGroup, route forwardRoute) []emission {
	b.order.Remove(g.elem)
	g.elem = nil
	e := emission{kind: emitForward, data: ptrace.NewTraces(), route: route, waits: collectWaits(g.members)}
	for _, m := range g.members {
		b.forget(m)
		b.routes.add(m.id, route)
		m.data.ResourceSpans().MoveAndAppendTo(e.data.ResourceSpans())
		e.spans += m.spans
	}
	b.forwardedTraces += int64(len(g.members))
	return []emission{e}
}

// markKafkaSource notes on each chunk the kafka record it came in.
func markKafkaSource(ctx context.Context, chunks []traceChunk) {
	md := client.FromContext(ctx).Metadata
	topic := md.Get(metadataKafkaTopic)
	if len(topic) != 1 {
		return
	}
	src := kafkaSource{topic: topic[0]}
	if h := md.Get(headerForwarded); len(h) > 0 {
		src.hops, src.to = parseForwardHeader(h[0])
	}
	for i := range chunks {
		chunks[i].source = src
	}
}

func forwardHeader(route forwardRoute) []byte {
	return fmt.Appendf(nil, "%d:%s", route.hops, hex.EncodeToString(route.key[:]))
}

// parseForwardHeader reads "hops:key"; a malformed value counts as the last
// hop allowed, so such a trace is never forwarded again.
func parseForwardHeader(v string) (hops int, to pcommon.TraceID) {
	n, key, ok := strings.Cut(v, ":")
	hops, err := strconv.Atoi(n)
	id, herr := hex.DecodeString(key)
	if !ok || err != nil || herr != nil || len(id) != len(to) || hops < 1 {
		return maxForwardHops, to
	}
	copy(to[:], id)
	return hops, to
}

// forwardFunc writes spans to topic keyed by a trace id; a retryable error
// holds them for a re-offer like any refused output.
type forwardFunc func(ctx context.Context, route forwardRoute, td ptrace.Traces) error

// kafkaProducer writes forwarded traces with the agents' partitioner (the
// kafka exporter's default: sticky key, Sarama-compatible FNV-1a hash of the
// hex trace id), so a record lands where the agents put that trace id.
type kafkaProducer struct{ cl *kgo.Client }

func newKafkaProducer(connect []kgo.Opt) (*kafkaProducer, error) {
	opts := append(slices.Clip(connect),
		kgo.RecordPartitioner(kgo.StickyKeyPartitioner(kgo.SaramaCompatHasher(fnv32a))),
		kgo.RequiredAcks(kgo.AllISRAcks()),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	return &kafkaProducer{cl: cl}, nil
}

func fnv32a(b []byte) uint32 {
	h := fnv.New32a()
	_, _ = h.Write(b)
	return h.Sum32()
}

func (k *kafkaProducer) forward(ctx context.Context, route forwardRoute, td ptrace.Traces) error {
	parts, err := marshalInParts(td, maxForwardRecordBytes)
	if err != nil {
		return consumererror.NewPermanent(err)
	}
	key := []byte(hex.EncodeToString(route.key[:]))
	recs := make([]*kgo.Record, len(parts))
	for i, value := range parts {
		recs[i] = &kgo.Record{Topic: route.topic, Key: key, Value: value,
			Headers: []kgo.RecordHeader{{Key: headerForwarded, Value: forwardHeader(route)}}}
	}
	err = k.cl.ProduceSync(ctx, recs...).FirstErr()
	if errors.Is(err, kerr.MessageTooLarge) || errors.Is(err, kerr.RecordListTooLarge) {
		return consumererror.NewPermanent(err)
	}
	return err
}

func (k *kafkaProducer) close() { k.cl.Close() }

// marshalInParts encodes td as OTLP protobuf, halving it by spans until each
// part is at most limit bytes (or a single span).
func marshalInParts(td ptrace.Traces, limit int) ([][]byte, error) {
	b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	if err != nil || len(b) <= limit || td.SpanCount() < 2 {
		return [][]byte{b}, err
	}
	first, second := halveBySpans(td)
	x, err := marshalInParts(first, limit)
	if err != nil {
		return nil, err
	}
	y, err := marshalInParts(second, limit)
	return append(x, y...), err
}

// halveBySpans copies td's spans into two Traces, the first half of them
// (in order) into the first, each with its resource and scope.
func halveBySpans(td ptrace.Traces) (ptrace.Traces, ptrace.Traces) {
	halves := [2]ptrace.Traces{ptrace.NewTraces(), ptrace.NewTraces()}
	half, n := td.SpanCount()/2, 0
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		var outRS [2]ptrace.ResourceSpans
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			var outSS [2]ptrace.ScopeSpans
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				h := 0
				if n >= half {
					h = 1
				}
				n++
				if outSS[h] == (ptrace.ScopeSpans{}) {
					if outRS[h] == (ptrace.ResourceSpans{}) {
						outRS[h] = halves[h].ResourceSpans().AppendEmpty()
						rs.Resource().CopyTo(outRS[h].Resource())
						outRS[h].SetSchemaUrl(rs.SchemaUrl())
					}
					outSS[h] = outRS[h].ScopeSpans().AppendEmpty()
					ss.Scope().CopyTo(outSS[h].Scope())
					outSS[h].SetSchemaUrl(ss.SchemaUrl())
				}
				spans.At(k).CopyTo(outSS[h].Spans().AppendEmpty())
			}
		}
	}
	return halves[0], halves[1]
}
