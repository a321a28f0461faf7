// Package systemtest holds delivery tests against the built otelcol-langsmith
// binary and the LangSmith-compatible test server: LangSmith outages longer
// than the sending queue holds, a SIGKILL in the middle of one, refused
// credentials fixed by a restart. They need the binary, so they are built
// only with the systemtest tag (make system-test); OTELCOL_BIN names the
// binary (default bin/otelcol-langsmith). The files tagged scaletest
// (make scale-test) run the Kafka tier of examples/kafka-*.yaml against a
// real Apache Kafka broker whose jars KAFKA_LIBS names.
package systemtest
