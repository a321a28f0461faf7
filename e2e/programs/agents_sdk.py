"""OpenAI Agents SDK programs, traced into OpenTelemetry by either instrumentation.

Variants are <instrumentation>-<case>: instrumentation `openinference`
(openinference-instrumentation-openai-agents) or `openllmetry`
(opentelemetry-instrumentation-openai-agents); case `tools` (an agent with a function tool),
`handoff` (a router agent hands off to the weather agent), `agent-as-tool` (a planner calls
the weather agent as a tool) or `guardrails` (input and output guardrails around the weather
agent). The model is the SDK's default Responses API on the scripted fake server; the SDK's
own exporter to OpenAI is removed, so spans go only to OTLP/HTTP or the recorder.

    python programs/agents_sdk.py --variant openinference-handoff --record out.json
"""

from __future__ import annotations

import os
import sys

E2E_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, E2E_DIR)

import program_harness  # noqa: E402
from fake_frameworks import (ASK_WEATHER_TOOL, PLANNER_SYSTEM, PLANNER_TEXT, ROUTER_SYSTEM,  # noqa: E402
                             WEATHER_ANSWER, WEATHER_QUESTION, WEATHER_RESULT, WEATHER_SYSTEM)

INSTRUMENTATIONS = ("openinference", "openllmetry")
CASES = {
    "tools": "WeatherAgent with the get_weather function tool",
    "handoff": "RouterAgent hands off to WeatherAgent",
    "agent-as-tool": "PlannerAgent calls WeatherAgent as its ask_weather tool",
    "guardrails": "WeatherAgent behind an input and an output guardrail",
}
VARIANTS = {f"{i}-{c}": f"{what} ({i})" for i in INSTRUMENTATIONS for c, what in CASES.items()}


def get_weather(city: str) -> str:
    """Get today's weather for a city."""
    return WEATHER_RESULT.replace("Paris", city)


async def run(args, base_url: str, _tracer_provider) -> None:
    from agents import (Agent, GuardrailFunctionOutput, Runner, function_tool, input_guardrail,
                        output_guardrail, set_default_openai_client)
    from openai import AsyncOpenAI

    set_default_openai_client(AsyncOpenAI(base_url=base_url, api_key="sk-e2e-dummy"), use_for_tracing=False)
    case = args.variant.split("-", 1)[1]

    @input_guardrail
    async def travel_only(_ctx, _agent, user_input) -> GuardrailFunctionOutput:
        text = user_input if isinstance(user_input, str) else str(user_input)
        return GuardrailFunctionOutput(output_info={"travel": "weather" in text}, tripwire_triggered=False)

    @output_guardrail
    async def no_secrets(_ctx, _agent, output) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info={"secret": False}, tripwire_triggered="sk-" in str(output))

    guards = {"input_guardrails": [travel_only], "output_guardrails": [no_secrets]} if case == "guardrails" else {}
    weather = Agent(name="WeatherAgent", instructions=WEATHER_SYSTEM, model="gpt-4o",
                    handoff_description="Looks up the weather.", tools=[function_tool(get_weather)], **guards)
    if case in ("tools", "guardrails"):
        start, want = weather, WEATHER_ANSWER
    elif case == "handoff":
        start = Agent(name="RouterAgent", instructions=ROUTER_SYSTEM, model="gpt-4o", handoffs=[weather])
        want = WEATHER_ANSWER
    else:
        start = Agent(name="PlannerAgent", instructions=PLANNER_SYSTEM, model="gpt-4o",
                      tools=[weather.as_tool(tool_name=ASK_WEATHER_TOOL, tool_description="Ask the weather agent.")])
        want = PLANNER_TEXT
    result = await Runner.run(start, WEATHER_QUESTION)
    assert result.final_output == want, result.final_output


def instrument(args, tracer_provider) -> None:
    from agents import set_trace_processors
    set_trace_processors([])  # drop the SDK's exporter to OpenAI's backend: no network
    if args.variant.startswith("openinference-"):
        from openinference.instrumentation.openai_agents import OpenAIAgentsInstrumentor
    else:
        from opentelemetry.instrumentation.openai_agents import OpenAIAgentsInstrumentor
    OpenAIAgentsInstrumentor().instrument(tracer_provider=tracer_provider)


if __name__ == "__main__":
    sys.exit(program_harness.main(__doc__, VARIANTS, "openai-agents-e2e", run, instrument))
