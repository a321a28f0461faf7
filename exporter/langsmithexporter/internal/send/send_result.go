package send

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// This file gathers the outcome of one send, for exporterhelper (retryable or
// permanent) and for the exporter's metrics.

func (s *Sender) sent(ctx context.Context, n int) {
	s.tb.ExporterLangsmithRunsSent.Add(ctx, int64(n))
}

func (s *Sender) rejected(ctx context.Context, reason string, n int) {
	if n <= 0 {
		return
	}
	s.tb.ExporterLangsmithRunsRejected.Add(ctx, int64(n), metric.WithAttributes(attribute.String("reason", reason)))
}

func (s *Sender) countRequest(ctx context.Context, status int, endpoint string) {
	s.tb.ExporterLangsmithRequests.Add(ctx, 1, metric.WithAttributes(
		attribute.Int("status_code", status), attribute.String("endpoint_path", endpoint)))
}

// sendResult gathers the outcome of all requests of one send.
type sendResult struct {
	retryErrs []error
	throttle  time.Duration
	permErrs  []error
}

func (r *sendResult) retry(err error, delay time.Duration) {
	r.retryErrs = append(r.retryErrs, err)
	r.throttle = max(r.throttle, delay)
}

func (r *sendResult) permanent(err error) {
	r.permErrs = append(r.permErrs, err)
}

// err is retryable if any request may succeed later (the runs refused for
// good are then refused again, harmlessly), permanent if some runs were
// refused and nothing else failed, nil if everything was delivered.
func (r *sendResult) err() error {
	if len(r.retryErrs) > 0 {
		err := joinCapped(r.retryErrs)
		if len(r.permErrs) > 0 {
			// Plain text, never the permanent-wrapped errors: errors.As
			// would find them and make the whole retry permanent.
			err = fmt.Errorf("%w (also refused for good: %s)", err, joinCapped(r.permErrs).Error())
		}
		if r.throttle > 0 {
			return exporterhelper.NewThrottleRetry(err, r.throttle)
		}
		return err
	}
	if len(r.permErrs) > 0 {
		return consumererror.NewPermanent(joinCapped(r.permErrs))
	}
	return nil
}

// joinCapped joins errs, listing at most maxErrorsInMessage of them.
func joinCapped(errs []error) error {
	if len(errs) <= maxErrorsInMessage {
		return errors.Join(errs...)
	}
	shown := append(errs[:maxErrorsInMessage:maxErrorsInMessage], fmt.Errorf("and %d more", len(errs)-maxErrorsInMessage))
	return errors.Join(shown...)
}
