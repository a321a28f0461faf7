#!/usr/bin/env bash
# Recreates every recording in internal/recordings/testdata/ by running the real framework
# programs against the scripted fake OpenAI server (no network except PyPI for the venvs).
#
#   e2e/record.sh            all recordings
#   e2e/record.sh 0.7.5      only the newest AutoGen's variants
#   e2e/record.sh agent-framework   only Microsoft Agent Framework's programs
#   e2e/record.sh openai-agents     only the OpenAI Agents SDK's programs
#
# Each framework version lives in its own venv under e2e/ (gitignored), created on first use.
set -euo pipefail

E2E="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$E2E/../internal/recordings/testdata"
ONLY="${1:-}"
PYTHON="${PYTHON:-python3}"

venv() { # venv DIR REQUIREMENTS -> prints the venv's python
	local dir="$E2E/$1" req="$E2E/$2"
	if [ ! -x "$dir/bin/python" ] || ! cmp -s "$req" "$dir/.requirements"; then
		"$PYTHON" -m venv "$dir" >&2 || return 1
		"$dir/bin/pip" install -q --disable-pip-version-check -r "$req" >&2 || return 1
		cp "$req" "$dir/.requirements"
	fi
	echo "$dir/bin/python"
}

record() { # record PYTHON VARIANT FILE [PROGRAM]
	echo "recording $3" >&2
	timeout 300 "$1" "$E2E/programs/${4:-autogen_team.py}" --variant "$2" --record "$OUT/$3.json" >/dev/null
}

mkdir -p "$OUT"
if [ -z "$ONLY" ] || [ "$ONLY" = 0.7.5 ]; then
	py="$(venv .venv requirements.txt)"
	for v in reference runtime-tracing-off runtime-outside-root content-off streaming round-robin tool-error agent-alone two-runs; do
		record "$py" "$v" "autogen-0.7.5-$v"
	done
	for v in nested-team two-runs-one-root openinference; do
		echo "recording autogen-0.7.5-$v" >&2
		timeout 300 "$py" "$E2E/programs/autogen_cases.py" --variant "$v" --record "$OUT/autogen-0.7.5-$v.json" >/dev/null
	done
	echo "recording autogen-0.7.5-grpc-runtime" >&2
	timeout 300 "$py" "$E2E/programs/autogen_grpc.py" --record "$OUT/autogen-0.7.5-grpc-runtime.json" >/dev/null
fi
if [ -z "$ONLY" ] || [ "$ONLY" = 0.6.4 ]; then
	py="$(venv .venv-old requirements-0.6.4.txt)"
	record "$py" reference autogen-0.6.4-openllmetry-0.47.5
fi
if [ -z "$ONLY" ] || [ "$ONLY" = 0.5.7 ]; then
	py="$(venv .venv-0.5 requirements-0.5.7.txt)"
	record "$py" reference autogen-0.5.7-openllmetry-0.54.0
fi
if [ -z "$ONLY" ] || [ "$ONLY" = 0.4.9.3 ]; then
	py="$(venv .venv-0.4 requirements-0.4.9.3.txt)"
	record "$py" reference autogen-0.4.9.3-openllmetry-0.40.14
fi
if [ -z "$ONLY" ] || [ "$ONLY" = agent-framework ]; then
	py="$(venv .venv-agent-framework requirements-agent-framework.txt)"
	for v in single-agent sequential group-chat handoff magentic; do
		record "$py" "$v" "agent-framework-1.23.0-$v" maf_workflows.py
	done
fi
if [ -z "$ONLY" ] || [ "$ONLY" = openai-agents ]; then
	py="$(venv .venv-openai-agents requirements-openai-agents.txt)"
	for i in openinference openllmetry; do
		for c in tools handoff agent-as-tool guardrails; do
			record "$py" "$i-$c" "openai-agents-0.24.0-$i-$c" agents_sdk.py
		done
	done
fi
echo "done; check with: go test ./internal/recordings/" >&2
