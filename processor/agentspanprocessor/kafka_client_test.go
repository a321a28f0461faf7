package agentspanprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configtls"
)

func TestSASLMechanismsAreTheOnesNamed(t *testing.T) {
	for name, mechanism := range saslMechanisms {
		assert.Equal(t, name, mechanism("gateway", "pw").Name())
	}
}

func TestKafkaClientOpts(t *testing.T) {
	k := KafkaConfig{Brokers: []string{"kafka:9092"}}
	plain, err := kafkaClientOpts(t.Context(), k)
	require.NoError(t, err)

	k.SASL = KafkaSASLConfig{Mechanism: "SCRAM-SHA-256", Username: "gateway", Password: "pw"}
	withSASL, err := kafkaClientOpts(t.Context(), k)
	require.NoError(t, err)
	assert.Len(t, withSASL, len(plain)+1, "SASL adds its option")

	k.TLS = configoptional.Some(configtls.ClientConfig{Config: configtls.Config{CAFile: "testdata/no-such-ca.pem"}})
	_, err = kafkaClientOpts(t.Context(), k)
	assert.ErrorContains(t, err, "kafka::tls")
}
