"""Microsoft Agent Framework programs (programs/maf_workflows.py) through the collector: each
orchestration reads as workflow run > agent turns in order > LLM / tool runs in LangSmith."""

import pytest

from fake_frameworks import WEATHER_ANSWER, WEATHER_ARGUMENTS, WEATHER_RESULT, WRITER_TEXT
from framework_programs import run_framework_program
from runtree import build_forest
from team_assertions import assert_llm_run, assert_sink_clean, assert_usage_matches_server, describe, text_of

WEATHER = ["WeatherAgent"]
# Turns under the workflow run, in order; each variant's fake conversation fixes them.
TURNS = {
    "sequential": ("Sequential", ["WeatherAgent", "WriterAgent"]),
    "group-chat": ("GroupChat", ["CoordinatorAgent", "WeatherAgent", "CoordinatorAgent", "WriterAgent",
                                 "CoordinatorAgent"]),
    "handoff": ("Handoff", ["TriageAgent", "WeatherAgent"]),
    "magentic": ("Magentic", ["MagenticManager"] * 3 + ["WeatherAgent", "MagenticManager", "WriterAgent"]
                 + ["MagenticManager"] * 2),
}
# The framework reports reasoning tokens as gen_ai.usage.reasoning.output_tokens (usage.go maps it).
REASONING = True
PLUMBING = ("workflow.build", "workflow.run", "executor.process", "edge_group.process", "message.send")


def run(stack, fake_openai, variant):
    run_framework_program("agent-framework", "maf_workflows.py", variant, stack.otlp_http_endpoint,
                          fake_openai.base_url)
    return stack.sink.wait_quiet(min_runs=4)


def assert_turn(turn, llm_calls):
    """A turn: a chain whose LLM runs (and tool runs) all name its agent."""
    assert turn.run_type == "chain", turn.render()
    llms = [c for c in turn.children if c.run_type == "llm"]
    assert len(llms) == llm_calls, turn.render()
    for child in turn.children:
        assert child.metadata.get("gen_ai.agent.name") == turn.name, f"{child.name} under {turn.name}: {child.metadata}"
        if child.run_type == "llm":
            assert_llm_run(child)


def assert_weather_turn(turn):
    assert [c.run_type for c in turn.children] == ["llm", "tool", "llm"], turn.render()
    assert_turn(turn, 2)
    tool = turn.children[1]
    assert tool.name == "get_weather"
    assert all(f'"{k}": "{v}"' in text_of(tool.inputs) for k, v in WEATHER_ARGUMENTS.items()), text_of(tool.inputs)
    assert WEATHER_RESULT in text_of(tool.outputs), text_of(tool.outputs)
    assert WEATHER_ANSWER in text_of(turn.children[2].outputs)


def test_single_agent_with_tool(stack, fake_openai):
    runs = run(stack, fake_openai, "single-agent")
    roots = build_forest(runs)
    assert len(roots) == 1, describe(runs, stack.sink)
    assert roots[0].name == "WeatherAgent"
    assert_weather_turn(roots[0])
    assert_usage_matches_server([r for r in roots[0].walk() if r.run_type == "llm"], fake_openai.requests,
                                reasoning=REASONING)
    assert_sink_clean(stack.sink)


@pytest.mark.parametrize("variant", sorted(TURNS))
def test_workflow_reads_as_turns(stack, fake_openai, variant):
    runs = run(stack, fake_openai, variant)
    roots = build_forest(runs)
    assert len(roots) == 1, "one trace per workflow run, the build span folded\n" + describe(runs, stack.sink)
    workflow, (name, turns) = roots[0], TURNS[variant]
    assert (workflow.name, workflow.run_type) == (name, "chain"), workflow.render()
    assert [t.name for t in workflow.children] == turns, workflow.render()
    assert not [r for r in runs if r["name"].split(" ")[0] in PLUMBING], workflow.render()
    for turn in workflow.children:
        if turn.name == "WeatherAgent":
            assert_weather_turn(turn)
        else:
            assert_turn(turn, 1)
    # The workflow run shows the user's request and the run's last answer.
    assert "What is the weather in Paris today?" in text_of(workflow.inputs), text_of(workflow.inputs)
    assert workflow.outputs, workflow.render()
    if variant in ("sequential", "group-chat"):
        assert WRITER_TEXT in text_of(workflow.outputs)
    llm_runs = [r for r in workflow.walk() if r.run_type == "llm"]
    assert len(llm_runs) == len(fake_openai.requests)
    assert_usage_matches_server(llm_runs, fake_openai.requests, reasoning=REASONING)
    assert_sink_clean(stack.sink)
