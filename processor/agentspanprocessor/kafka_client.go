package agentspanprocessor // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor"

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// saslMechanisms builds the SASL mechanisms kafka::sasl accepts.
var saslMechanisms = map[string]func(user, pass string) sasl.Mechanism{
	"PLAIN":         func(u, p string) sasl.Mechanism { return plain.Auth{User: u, Pass: p}.AsMechanism() },
	"SCRAM-SHA-256": func(u, p string) sasl.Mechanism { return scram.Auth{User: u, Pass: p}.AsSha256Mechanism() },
	"SCRAM-SHA-512": func(u, p string) sasl.Mechanism { return scram.Auth{User: u, Pass: p}.AsSha512Mechanism() },
}

// kafkaClientOpts are the connection options the read back and the forward
// share: seed brokers, TLS and SASL from the kafka settings.
func kafkaClientOpts(ctx context.Context, k KafkaConfig) ([]kgo.Opt, error) {
	opts := []kgo.Opt{kgo.SeedBrokers(k.Brokers...)}
	if tc := k.TLS.Get(); tc != nil {
		tlsConfig, err := tc.LoadTLSConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("kafka::tls: %w", err)
		}
		opts = append(opts, kgo.DialTLSConfig(tlsConfig))
	}
	if sa := k.SASL; sa.Mechanism != "" {
		mechanism, ok := saslMechanisms[sa.Mechanism]
		if !ok {
			return nil, fmt.Errorf("kafka::sasl::mechanism %q is not supported", sa.Mechanism)
		}
		opts = append(opts, kgo.SASL(mechanism(sa.Username, string(sa.Password))))
	}
	return opts, nil
}
