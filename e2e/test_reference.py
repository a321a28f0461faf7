"""The reference program (autogen-spans.md §0) through the collector into the LangSmith sink."""

from runtree import build_forest
from team_assertions import (assert_sink_clean, assert_team_tree, assert_usage_matches_server, describe,
                             text_of)


def test_reference_program_gives_the_target_tree(stack, run_program, fake_openai):
    run_program("reference")
    runs = stack.sink.wait_quiet(min_runs=12)

    team = assert_team_tree(runs)
    root = build_forest(runs)[0]
    llm_runs = [r for r in root.walk() if r.run_type == "llm"]
    assert len(fake_openai.requests) == 6, "3 selector calls + 3 agent calls reached the model"
    assert len(llm_runs) == 6, describe(runs, stack.sink)
    assert_usage_matches_server(llm_runs, fake_openai.requests)
    for name in ("PlanningAgent", "DataAnalystAgent"):
        assert name in text_of(team.data), f"team run does not name participant {name}"
    assert {r.get("session_name") for r in runs} == {"e2e"}, "runs go to the configured project"
    assert_sink_clean(stack.sink)
