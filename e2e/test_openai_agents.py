"""OpenAI Agents SDK programs (programs/agents_sdk.py) through the collector, under each
instrumentation: agent runs > LLM / tool / handoff runs in order, the same tree either way."""

import pytest

from fake_frameworks import PLANNER_TEXT, WEATHER_ANSWER, WEATHER_ARGUMENTS, WEATHER_RESULT
from framework_programs import run_framework_program
from runtree import build_forest
from team_assertions import assert_llm_run, assert_sink_clean, assert_usage_matches_server, describe, text_of

INSTRUMENTATIONS = ["openinference", "openllmetry"]
WEATHER = ("WeatherAgent", [("openai.response", "llm"), ("get_weather", "tool"), ("openai.response", "llm")])
# Per case: the agent runs under the workflow run, each with its children (name or None for
# an LLM run, whose name is the model, and run type).
CASES = {
    "tools": [WEATHER],
    "guardrails": [WEATHER],
    "handoff": [("RouterAgent", [(None, "llm"), ("handoff to WeatherAgent", "tool")]), WEATHER],
    "agent-as-tool": [("PlannerAgent", [(None, "llm"), ("ask_weather", "tool"), (None, "llm")])],
}
# OpenInference also traces guardrails; OpenLLMetry 0.62.4 emits no guardrail span.
GUARDRAILS = {"openinference": ["travel_only", "no_secrets"], "openllmetry": []}


def shape(agent):
    """(agent, [(child name or None for LLM runs, run type)]) of one agent run."""
    return agent.name, [(None if c.run_type == "llm" else c.name, c.run_type) for c in agent.children]


def expected(case, instrumentation):
    want = [(name, [(None if t == "llm" else n, t) for n, t in kids]) for name, kids in CASES[case]]
    if case == "guardrails":
        travel, secrets = GUARDRAILS[instrumentation] or [None, None]
        if travel:
            want[0][1].insert(0, (travel, "chain"))
            want[0][1].append((secrets, "chain"))
    return want


@pytest.mark.parametrize("instrumentation", INSTRUMENTATIONS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_agents_sdk_tree(stack, fake_openai, case, instrumentation):
    run_framework_program("openai-agents", "agents_sdk.py", f"{instrumentation}-{case}", stack.otlp_http_endpoint,
                          fake_openai.base_url)
    runs = stack.sink.wait_quiet(min_runs=4)
    roots = build_forest(runs)
    assert len(roots) == 1, describe(runs, stack.sink)
    workflow = roots[0]
    assert (workflow.name, workflow.run_type) == ("Agent workflow", "chain"), workflow.render()
    assert [shape(a) for a in workflow.children] == expected(case, instrumentation), workflow.render()
    assert not [r for r in runs if r["name"] == "turn"], "OpenInference's turn spans are folded"

    llm_runs = [r for r in workflow.walk() if r.run_type == "llm"]
    assert len(llm_runs) == len(fake_openai.requests), workflow.render()
    for agent in [r for r in workflow.walk() if r.metadata.get("gen_ai.operation.name") == "invoke_agent"]:
        for child in agent.children:
            assert child.metadata.get("gen_ai.agent.name") == agent.name, f"{child.name}: {child.metadata}"
    for run in llm_runs:
        assert_llm_run(run)
    assert_usage_matches_server(llm_runs, fake_openai.requests)

    tools = {r.name: r for r in workflow.walk() if r.run_type == "tool"}
    weather = tools["get_weather"]
    assert all(f'"{k}": "{v}"' in text_of(weather.inputs) for k, v in WEATHER_ARGUMENTS.items()), text_of(weather.inputs)
    assert WEATHER_RESULT in text_of(weather.outputs)
    if case == "agent-as-tool":
        ask = tools["ask_weather"]
        assert [c.name for c in ask.children] == ["WeatherAgent"], "the agent used as a tool runs inside it"
        assert WEATHER_ANSWER in text_of(ask.outputs)
        assert PLANNER_TEXT in text_of(workflow.children[0].children[-1].outputs)
    assert_sink_clean(stack.sink)
