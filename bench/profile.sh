#!/usr/bin/env bash
# Where the memory goes under bench/load.sh's overload: runs ours with a 32 MiB
# budget and the pprof extension (configs/langsmith-small-pprof.yaml), records
# the idle RSS, then replays the recording with 10x the connections and, every
# PROFILE_EVERY seconds, saves a heap profile (inuse and alloc), the runtime's
# memory statistics (/debug/pprof/heap?debug=1: HeapSys, HeapInuse, Stacks,
# ...) and the process's VmRSS/VmHWM. Prints the statistics per snapshot;
# the profiles are left in PROFILE_OUT (default a new /tmp/otelcol-profile.*) for
# `go tool pprof -sample_index=inuse_space -top FILE`.
# LOAD_BIN and LOAD_ENV as in load.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${LOAD_DURATION:-15s}
CONNS=$((${LOAD_CONNS:-4} * 10))
EVERY=${PROFILE_EVERY:-3}
OTELCOL=${LOAD_BIN:-bin/otelcol-langsmith}
OURS_ENV=${LOAD_ENV:-}
CONFIG=${PROFILE_CONFIG:-bench/configs/langsmith-small-pprof.yaml}
OUT=${PROFILE_OUT:-$(mktemp -d /tmp/otelcol-profile.XXXXXX)}
source scripts/lib.sh
mkdir -p "$OUT"

source bench/common.sh
export BENCH_OTLP_PORT=$(bench_port) BENCH_HEALTH_PORT=$(bench_port) BENCH_PPROF_PORT=$(bench_port)
read -ra extra <<<"$OURS_ENV"
env "${extra[@]}" GOMAXPROCS=2 "$OTELCOL" --config "$CONFIG" >"$OUT/collector.log" 2>&1 &
pid=$!
PIDS+=($pid)
wait_health "$BENCH_HEALTH_PORT" "$OUT/collector.log"
PPROF=http://127.0.0.1:$BENCH_PPROF_PORT/debug/pprof

# snap NAME: the process's memory and the runtime's statistics, plus profiles.
snap() {
	local name=$1
	curl -sf "$PPROF/heap?debug=1" >"$OUT/$name.memstats" || return 0
	curl -sf "$PPROF/heap" >"$OUT/$name.heap.pb.gz" || true
	grep -E '^Vm(RSS|HWM)|^Rss(Anon|File)' /proc/$pid/status >"$OUT/$name.status" || true
	python3 - "$OUT/$name" <<'EOF'
import re, sys
base = sys.argv[1]
st = dict(l.split(":", 1) for l in open(base + ".status"))
ms = {}
for l in open(base + ".memstats"):
    m = re.match(r"# (\w+) = (\d+)", l)
    if m: ms[m.group(1)] = int(m.group(2))
mib = lambda b: f"{b / 2**20:6.1f}"
kb = lambda k: f"{int(k.split()[0]) / 1024:6.1f}"
print(f"{base.rsplit('/', 1)[1]:>8s}: RSS {kb(st['VmRSS'])} (anon {kb(st['RssAnon'])}, file {kb(st['RssFile'])}) HWM {kb(st['VmHWM'])}"
      f" | HeapAlloc {mib(ms['HeapAlloc'])} HeapInuse {mib(ms['HeapInuse'])} HeapSys {mib(ms['HeapSys'])}"
      f" HeapReleased {mib(ms['HeapReleased'])} Stack {mib(ms['Stack'])} Sys {mib(ms['Sys'])}"
      f" NextGC {mib(ms['NextGC'])} NumGC {ms['NumGC']} MiB")
EOF
}

sleep 2
snap idle
bin/loadgen -target "http://127.0.0.1:$BENCH_OTLP_PORT/v1/traces" -rate 0 -conns "$CONNS" \
	-duration "$DURATION" -pid "$pid" -sink "$SINK_URL" -expect runs >"$OUT/load.json" &
lg=$!
i=0
while kill -0 $lg 2>/dev/null; do
	sleep "$EVERY"
	i=$((i + 1))
	kill -0 $lg 2>/dev/null && snap "t$((i * EVERY))"
done
wait $lg
snap after
cat "$OUT/load.json"
echo "profiles in $OUT"
