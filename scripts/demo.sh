#!/usr/bin/env bash
# make demo: replay a recorded AutoGen run through the built collector into the
# local LangSmith-compatible sink, then print the run tree LangSmith would show.
# Everything listens on 127.0.0.1 and stops when the script ends.
set -euo pipefail
cd "$(dirname "$0")/.."

RECORDING=${RECORDING:-internal/recordings/testdata/autogen-0.7.5-reference.json}
OTELCOL=${OTELCOL:-bin/otelcol-langsmith}
SINK=${SINK:-bin/langsmith-sink}
source scripts/lib.sh

start_sink demo-key

OTLP_PORT=$(free_port); HEALTH_PORT=$(free_port); METRICS_PORT=$(free_port)
LANGSMITH_ENDPOINT="$SINK_URL" LANGSMITH_API_KEY=demo-key \
OTLP_HTTP_ENDPOINT="127.0.0.1:$OTLP_PORT" OTLP_GRPC_ENDPOINT="127.0.0.1:$(free_port)" \
HEALTH_ENDPOINT="127.0.0.1:$HEALTH_PORT" METRICS_PORT="$METRICS_PORT" \
	"$OTELCOL" --config examples/local.yaml >"$WORK/collector.log" 2>&1 &
PIDS+=($!)
wait_health "$HEALTH_PORT" "$WORK/collector.log"

SPANS=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(len(s.get("spans",[])) for r in d["resourceSpans"] for s in r.get("scopeSpans",[])))' "$RECORDING")
echo "replaying $RECORDING ($SPANS raw spans) to the collector"
curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$RECORDING" \
	"http://127.0.0.1:$OTLP_PORT/v1/traces" >/dev/null

# Wait until the run count stops changing (the processor waits idle_timeout).
last=-1; stable=0
for _ in $(seq 100); do
	n=$(curl -sf "$SINK_URL/_test/runs" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
	if [[ "$n" -gt 0 && "$n" == "$last" ]]; then stable=$((stable+1)); else stable=0; fi
	[[ $stable -ge 5 ]] && break
	last=$n; sleep 0.2
done

echo
echo "LangSmith run tree ($last runs from $SPANS spans):"
curl -sf "$SINK_URL/_test/tree"
echo
violations=$(curl -sf "$SINK_URL/_test/violations")
check=$(curl -sf "$SINK_URL/_test/check")
echo "LangSmith rule violations: $violations"
echo "run tree consistency problems: $check"
[[ "$violations" == "[]" || "$violations" == "null" ]] && [[ "$check" == "[]" || "$check" == "null" ]]
