"""The reference program on older AutoGen / OpenLLMetry pairs (autogen-spans.md §2.4, §3.2).

Each pair lives in its own venv that run.sh creates (.venv-old, .venv-0.5, .venv-0.4)."""

import pytest

from runtree import build_forest
from team_assertions import assert_sink_clean, assert_team_tree, assert_usage_matches_server


@pytest.mark.parametrize("autogen,reasoning", [("0.6.4", True), ("0.5.7", True), ("0.4.9.3", False)])
def test_older_versions_give_the_same_tree(stack, run_program, fake_openai, autogen, reasoning):
    run_program("reference", autogen=autogen)
    runs = stack.sink.wait_quiet(min_runs=12)
    # Before 0.7.2 the runtime's payloads carry no content, so no tool result.
    assert_team_tree(runs, tool_result=False)
    llm_runs = [r for r in build_forest(runs)[0].walk() if r.run_type == "llm"]
    assert_usage_matches_server(llm_runs, fake_openai.requests, reasoning=reasoning)
    assert_sink_clean(stack.sink)
