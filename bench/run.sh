#!/usr/bin/env bash
# make bench: Go benchmarks of both components, each printed with its ratio to
# a baseline benchmark run in the same invocation (figures on a shared machine
# are only comparable within one run). Never fails on speed.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
go test -run '^$' -bench . -benchmem -count "${BENCH_COUNT:-3}" \
	./exporter/langsmithexporter/ ./processor/agentspanprocessor/... ./internal/integration/ | tee "$OUT"
echo
python3 bench/ratios.py "$OUT"
