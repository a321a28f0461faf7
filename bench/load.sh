#!/usr/bin/env bash
# Load test in the manner of the contrib testbed: replay the recorded AutoGen run
# at LOAD_RATE spans/s (default 10000) for LOAD_DURATION (default 15s) into the
# built collector (GOMAXPROCS=2), sampling its CPU and RSS every second; first
# through the upstream-equivalent otlp -> batch -> otlp_http pipeline (the
# baseline), then through otlp -> agent_span -> langsmith into the local sink.
# Prints both and their ratios, and checks that no run was lost. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${LOAD_RATE:-10000}
DURATION=${LOAD_DURATION:-15s}
source scripts/lib.sh

[[ -x bin/otelcol-langsmith ]] || make build
[[ -x bin/langsmith-sink ]] || make sink
go build -o bin/loadgen ./bench/loadgen

# load NAME CONFIG DESCRIPTION: runs a collector with CONFIG, replays the
# recording into it while sampling it, writes $WORK/NAME.json, stops it.
load() {
	export BENCH_OTLP_PORT=$(free_port) BENCH_HEALTH_PORT=$(free_port)
	GOMAXPROCS=2 bin/otelcol-langsmith --config "bench/configs/$2.yaml" >"$WORK/$1.log" 2>&1 &
	local pid=$!
	PIDS+=($pid)
	wait_health "$BENCH_HEALTH_PORT" "$WORK/$1.log"
	echo "$3 at $RATE spans/s for $DURATION"
	bin/loadgen -target "http://127.0.0.1:$BENCH_OTLP_PORT/v1/traces" -rate "$RATE" -duration "$DURATION" -pid "$pid" | tee "$WORK/$1.json"
	kill "$pid"
}

# Baseline: the upstream-equivalent pipeline into an OTLP sink.
export BENCH_SINK_PORT=$(free_port)
GOMAXPROCS=2 bin/otelcol-langsmith --config bench/configs/otlp-sink.yaml >"$WORK/otlp-sink.log" 2>&1 &
PIDS+=($!)
load baseline baseline "baseline: otlp -> batch -> otlp_http"

# The product pipeline into the LangSmith-compatible sink.
start_sink bench-key
export LANGSMITH_ENDPOINT=$SINK_URL
load ours langsmith "otelcol-langsmith: otlp -> agent_span -> langsmith"

# Every replayed trace must arrive whole: 12 runs per reference trace.
python3 - "$WORK/baseline.json" "$WORK/ours.json" "$LANGSMITH_ENDPOINT" <<'PY'
import json, sys, time, urllib.request
base, ours, sink = (json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3])
want = ours["traces_sent"] * 12
got, last, stable = 0, -1, 0
for _ in range(120):
    got = len(json.load(urllib.request.urlopen(sink + "/_test/runs")))
    stable = stable + 1 if got == last else 0
    if got >= want or stable >= 10:
        break
    last = got
    time.sleep(0.5)
violations = json.load(urllib.request.urlopen(sink + "/_test/violations")) or []
print()
print(f"{'':28s}{'baseline':>12s}{'langsmith':>12s}{'ratio':>8s}")
for key, label in [("cpu_avg_percent", "CPU avg % of one core"), ("cpu_max_percent", "CPU max %"),
                   ("rss_avg_mib", "RSS avg MiB"), ("rss_max_mib", "RSS max MiB")]:
    b, o = base[key], ours[key]
    print(f"{label:28s}{b:12.1f}{o:12.1f}{(o / b if b else 0):8.2f}")
print(f"spans sent: baseline {base['spans_sent']}, langsmith {ours['spans_sent']}; send errors {base['send_errors']}/{ours['send_errors']}")
print(f"runs received {got} of {want} expected; LangSmith rule violations: {len(violations)}")
PY
