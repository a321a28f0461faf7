# Shared by scripts/demo.sh and bench/load.sh: a scratch folder and background
# processes that are cleaned up when the calling script exits, loopback ports.
WORK=$(mktemp -d)
PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_sink KEY: runs bin/langsmith-sink (or $SINK) and sets SINK_URL.
start_sink() {
	"${SINK:-bin/langsmith-sink}" -addr 127.0.0.1:0 -addr-file "$WORK/sink.addr" -api-key "$1" -max-duration 10m -quiet >"$WORK/sink.log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 50); do [[ -s "$WORK/sink.addr" ]] && break; sleep 0.1; done
	SINK_URL=$(cat "$WORK/sink.addr")
}

# wait_health PORT LOG: waits for a collector's health_check, else shows its log.
wait_health() {
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/" >/dev/null && return 0; sleep 0.1; done
	echo "collector did not start"; cat "$2"; exit 1
}
