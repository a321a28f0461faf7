# Shared by load.sh and profile.sh (sourced after scripts/lib.sh, with WORK,
# PIDS and OTELCOL set): a port helper, the binaries, and the discard sink.

# bench_port: a free port below the ephemeral range, so that none of the many
# client connections of a load run can take it between the check and the bind.
bench_port() {
	python3 -c 'import random, socket
while True:
    p = random.randint(20000, 30000); s = socket.socket()
    try: s.bind(("127.0.0.1", p)); print(p); break
    except OSError: pass
    finally: s.close()'
}

[[ -x $OTELCOL ]] || make build
go build -o bin/loadgen ./bench/loadgen
bin/loadgen sink -addr 127.0.0.1:$(bench_port) -addr-file "$WORK/sink.addr" >"$WORK/sink.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do [[ -s "$WORK/sink.addr" ]] && break; sleep 0.1; done
SINK_URL=$(cat "$WORK/sink.addr")
export BENCH_SINK_URL=$SINK_URL LANGSMITH_ENDPOINT=$SINK_URL
