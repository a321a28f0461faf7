#!/usr/bin/env bash
# Load test in the manner of the contrib testbed: replay the recorded AutoGen run
# (61 spans, each copy under a fresh trace id) into the built collector
# (GOMAXPROCS=2) while sampling its CPU and RSS, through two pipelines built in
# the same binary and measured in the same run:
#   baseline  otlp -> memory_limiter -> batch -> otlp_http (gzip)   (stock)
#   langsmith otlp -> memory_limiter -> agent_span -> langsmith     (defaults)
# both into one discard sink (`loadgen sink`: OTLP and LangSmith endpoints that
# count and drop). Two loads:
#   saturation  as fast as LOAD_CONNS (4) connections can send, for LOAD_DURATION
#   fixed       LOAD_RATE spans/s (10000), for LOAD_DURATION
#   overload    ten times the saturation connections, ours only, with a
#               small budget (configs/langsmith-small.yaml, 32 MiB): peak RSS
#               against the budget + 64 MiB
# Each is run LOAD_REPS times (3), the pipelines alternating, and the medians
# printed with their ratios. CPU per span counts everything the collector spent
# until the sink had every span/run, so buffered work is not left out.
# LOAD_ENV (e.g. GOMEMLIMIT=200MiB) is extra environment for ours only, to
# measure a runtime setting against the stock pipeline as it ships;
# LOAD_CONFIG and LOAD_OVERLOAD_CONFIG replace ours' configuration files
# (configs/langsmith.yaml and configs/langsmith-small.yaml) to measure a
# setting the same way.
# Loopback only; never fails on speed (only on lost data).
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${LOAD_RATE:-10000}
DURATION=${LOAD_DURATION:-15s}
CONNS=${LOAD_CONNS:-4}
REPS=${LOAD_REPS:-3}
MODES=${LOAD_MODES:-saturation fixed overload}
OTELCOL=${LOAD_BIN:-bin/otelcol-langsmith}
OURS_ENV=${LOAD_ENV:-}
declare -A CONFIGS=([baseline]=bench/configs/baseline.yaml [langsmith]=${LOAD_CONFIG:-bench/configs/langsmith.yaml}
	[langsmith-small]=${LOAD_OVERLOAD_CONFIG:-bench/configs/langsmith-small.yaml})
source scripts/lib.sh

source bench/common.sh

# load MODE PIPELINE REP: runs a collector with PIPELINE's configuration,
# replays the recording into it, writes $WORK/MODE-PIPELINE-REP.json, stops it.
load() {
	local mode=$1 pipeline=$2 rep=$3 rate=$RATE expect=spans conns=$CONNS extra=()
	[[ $mode != fixed ]] && rate=0
	[[ $mode == overload ]] && conns=$((CONNS * 10))
	[[ $pipeline == langsmith* ]] && expect=runs && read -ra extra <<<"$OURS_ENV"
	export BENCH_OTLP_PORT=$(bench_port) BENCH_HEALTH_PORT=$(bench_port)
	env "${extra[@]}" GOMAXPROCS=2 "$OTELCOL" --config "${CONFIGS[$pipeline]}" >"$WORK/$mode-$pipeline-$rep.log" 2>&1 &
	local pid=$!
	PIDS+=($pid)
	wait_health "$BENCH_HEALTH_PORT" "$WORK/$mode-$pipeline-$rep.log"
	bin/loadgen -target "http://127.0.0.1:$BENCH_OTLP_PORT/v1/traces" -rate "$rate" -conns "$conns" \
		-duration "$DURATION" -pid "$pid" -sink "$SINK_URL" -expect "$expect" >"$WORK/$mode-$pipeline-$rep.json"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	echo "  $mode $pipeline #$rep: $(cat "$WORK/$mode-$pipeline-$rep.json")"
}

echo "load test: $MODES; $DURATION each, $REPS runs, $(nproc) cores, $OTELCOL${OURS_ENV:+ (ours with $OURS_ENV)}"
echo "  configs: ${CONFIGS[langsmith]}, overload ${CONFIGS[langsmith-small]}"
for rep in $(seq "$REPS"); do
	for mode in $MODES; do
		if [[ $mode == overload ]]; then
			load "$mode" langsmith-small "$rep"
			continue
		fi
		load "$mode" baseline "$rep"
		load "$mode" langsmith "$rep"
	done
done
python3 bench/load_summary.py "$WORK" "$REPS" $MODES
