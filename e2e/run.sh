#!/usr/bin/env bash
# Runs the end-to-end suite: real AutoGen programs -> bin/otelcol-langsmith -> bin/langsmith-sink.
#
#   e2e/run.sh                 whole suite
#   e2e/run.sh -k reference    any pytest arguments
#
# Creates the venvs it needs (e2e/.venv for AutoGen 0.7.5, .venv-old/.venv-0.5/.venv-0.4 for the
# older pairs) from the pinned requirements files; PyPI is the only network it uses. Builds the
# two binaries if they are missing (SINK_BIN / OTELCOL_BIN point elsewhere).
set -euo pipefail

E2E="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$E2E/.." && pwd)"
PYTHON="${PYTHON:-python3}"

venv() { # venv DIR REQUIREMENTS: create or refresh when the requirements changed
	local dir="$E2E/$1" req="$E2E/$2"
	if [ ! -x "$dir/bin/python" ] || ! cmp -s "$req" "$dir/.requirements"; then
		echo "e2e: installing $2 into e2e/$1" >&2
		"$PYTHON" -m venv "$dir"
		"$dir/bin/pip" install -q --disable-pip-version-check -r "$req"
		cp "$req" "$dir/.requirements"
	fi
}

venv .venv requirements.txt
venv .venv-old requirements-0.6.4.txt
venv .venv-0.5 requirements-0.5.7.txt
venv .venv-0.4 requirements-0.4.9.3.txt
venv .venv-agent-framework requirements-agent-framework.txt
venv .venv-openai-agents requirements-openai-agents.txt

export SINK_BIN="${SINK_BIN:-$ROOT/bin/langsmith-sink}"
export OTELCOL_BIN="${OTELCOL_BIN:-$ROOT/bin/otelcol-langsmith}"
if [ ! -x "$SINK_BIN" ]; then
	echo "e2e: building $SINK_BIN" >&2
	make -C "$ROOT" sink
fi
if [ ! -x "$OTELCOL_BIN" ]; then
	echo "e2e: building $OTELCOL_BIN (make build)" >&2
	make -C "$ROOT" build
fi

cd "$E2E"
# The whole suite is bounded; timeout signals pytest's process group, which includes the
# sink and collector processes the fixtures start.
exec timeout --kill-after=30s "${E2E_TIMEOUT:-30m}" "$E2E/.venv/bin/python" -m pytest "$@"
