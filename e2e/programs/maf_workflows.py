"""Microsoft Agent Framework programs, one per orchestration, traced by the framework itself.

Each variant runs once against the scripted fake OpenAI server (chat completions) with the
framework's own OpenTelemetry instrumentation on (sensitive data included, as its tracing guide
shows for development) and spans going to an OTLP/HTTP endpoint or to the recorder.

    python programs/maf_workflows.py --variant sequential --record out.json
    python programs/maf_workflows.py --variant group-chat --otlp-endpoint http://127.0.0.1:4318/v1/traces
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

E2E_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, E2E_DIR)

import program_harness  # noqa: E402
from fake_frameworks import (COORDINATOR_SYSTEM, MANAGER_SYSTEM, TRIAGE_SYSTEM, WEATHER_RESULT,  # noqa: E402
                             WEATHER_SYSTEM, WRITER_SYSTEM, WRITER_TEXT)

VARIANTS = {
    "single-agent": "one Agent with a function tool, run directly",
    "sequential": "SequentialBuilder: WeatherAgent (with its tool) then WriterAgent",
    "group-chat": "GroupChatBuilder with an orchestrator agent choosing WeatherAgent then WriterAgent",
    "handoff": "HandoffBuilder: TriageAgent hands off to WeatherAgent, which uses its tool",
    "magentic": "MagenticBuilder: a manager agent plans, then WeatherAgent and WriterAgent work",
}

TASK = "What is the weather in Paris today? Then write one line of travel copy about it."


def get_weather(city: Annotated[str, "The city to look up."]) -> str:
    """Get today's weather for a city."""
    return WEATHER_RESULT.replace("Paris", city)


def _wrote_copy(messages) -> bool:
    """Handoff termination: the run ends once the weather assistant has answered."""
    return any(getattr(m, "author_name", None) == "WeatherAgent" and (m.text or "").strip() for m in messages)


async def run(args, base_url: str, _tracer_provider) -> None:
    from agent_framework import Agent, tool
    from agent_framework.openai import OpenAIChatCompletionClient
    from agent_framework.orchestrations import GroupChatBuilder, HandoffBuilder, MagenticBuilder, SequentialBuilder

    client = OpenAIChatCompletionClient(model="gpt-4o", api_key="sk-e2e-dummy", base_url=base_url)
    weather_tool = tool(get_weather)

    # Handoff requires agents that keep their history per service call.
    handoff = args.variant == "handoff"

    def weather() -> Agent:
        return Agent(client, WEATHER_SYSTEM, name="WeatherAgent", description="Looks up the weather.",
                     tools=[weather_tool], require_per_service_call_history_persistence=handoff)

    def writer() -> Agent:
        return Agent(client, WRITER_SYSTEM, name="WriterAgent", description="Writes travel copy.")

    variant = args.variant
    if variant == "single-agent":
        response = await weather().run("What is the weather in Paris today?")
        assert "21" in response.text, response.text
        return
    if variant == "sequential":
        workflow = SequentialBuilder(participants=[weather(), writer()]).build()
    elif variant == "group-chat":
        coordinator = Agent(client, COORDINATOR_SYSTEM, name="CoordinatorAgent")
        workflow = GroupChatBuilder(participants=[weather(), writer()], orchestrator_agent=coordinator,
                                    max_rounds=4).build()
    elif variant == "handoff":
        triage = Agent(client, TRIAGE_SYSTEM, name="TriageAgent", description="Routes requests.",
                       require_per_service_call_history_persistence=True)
        workflow = (HandoffBuilder(participants=[triage, weather()], termination_condition=_wrote_copy)
                    .with_start_agent(triage).build())
    else:
        manager = Agent(client, MANAGER_SYSTEM, name="MagenticManager")
        workflow = MagenticBuilder(participants=[weather(), writer()], manager_agent=manager,
                                   max_round_count=6).build()
    result = await workflow.run(TASK)
    outputs = result.get_outputs()
    assert outputs, f"{variant}: the workflow produced no output"
    if variant in ("sequential", "group-chat"):
        text = " ".join(getattr(o, "text", None) or str(o) for o in outputs)
        assert WRITER_TEXT in text, text


def instrument(_args, _tracer_provider) -> None:
    # The framework traces through the global provider once instrumentation is enabled.
    from agent_framework.observability import enable_instrumentation
    enable_instrumentation(enable_sensitive_data=True)


if __name__ == "__main__":
    sys.exit(program_harness.main(__doc__, VARIANTS, "agent-framework-e2e", run, instrument))
