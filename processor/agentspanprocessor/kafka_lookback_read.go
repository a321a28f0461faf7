package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// brokerReadBack reads a partition range straight from the brokers, outside
// any consumer group: it commits nothing and moves no assignment.
func brokerReadBack(connect []kgo.Opt) readBackFunc {
	return func(ctx context.Context, topic string, partition int32, from time.Time, end int64,
		each func(offset int64, value []byte),
	) error {
		opts := append(slices.Clip(connect), kgo.FetchMaxWait(500*time.Millisecond))
		cl, err := kgo.NewClient(opts...)
		if err != nil {
			return err
		}
		defer cl.Close()
		listed, err := kadm.NewClient(cl).ListOffsetsAfterMilli(ctx, from.UnixMilli(), topic)
		if err != nil {
			return err
		}
		first, ok := listed.Lookup(topic, partition)
		switch {
		case !ok:
			return fmt.Errorf("partition %d of topic %q not found", partition, topic)
		case first.Err != nil:
			return first.Err
		case first.Offset < 0 || first.Offset >= end:
			return nil // nothing was written in the window before end
		}
		cl.AddConsumePartitions(map[string]map[int32]kgo.Offset{topic: {partition: kgo.NewOffset().At(first.Offset)}})
		for {
			fetches := cl.PollFetches(ctx)
			if err := ctx.Err(); err != nil {
				return err
			}
			var errs []error
			fetches.EachError(func(_ string, _ int32, err error) { errs = append(errs, err) })
			if len(errs) > 0 {
				return errors.Join(errs...)
			}
			reached := false
			fetches.EachRecord(func(r *kgo.Record) {
				if reached = reached || r.Offset >= end; !reached {
					each(r.Offset, r.Value)
				}
			})
			if reached {
				return nil
			}
		}
	}
}
