"""The reference AutoGen program (autogen-spans.md §0) and its variants.

The reference is LangSmith's "Trace AutoGen applications" SelectorGroupChat example, unchanged
except that the model client talks to the scripted fake OpenAI server with a dummy key.
Variants change one thing each (see VARIANTS). Spans go either to an OTLP/HTTP endpoint or to
the recorder, which writes one OTLP/JSON file.

    python programs/autogen_team.py --variant reference --record out.json
    python programs/autogen_team.py --variant streaming --otlp-endpoint http://127.0.0.1:4318/v1/traces

Runs on AutoGen 0.4.9 to 0.7.5 (flags that need a newer AutoGen say so).
"""

from __future__ import annotations

import argparse
import os
import sys

E2E_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, E2E_DIR)

VARIANTS = {
    "reference": "the program of autogen-spans.md §0",
    "runtime-tracing-off": "runtime built with NoOpTracerProvider and AUTOGEN_DISABLE_RUNTIME_TRACING=true (current tutorial)",
    "runtime-outside-root": "runtime.start() called before the run_team span opens (one trace per delivery)",
    "content-off": "TRACELOOP_TRACE_CONTENT=false",
    "streaming": "streaming model client for the agents and the selector, usage chunk requested (AutoGen 0.7+)",
    "round-robin": "RoundRobinGroupChat instead of SelectorGroupChat",
    "tool-error": "the percentage_change tool raises",
    "agent-alone": "DataAnalystAgent run on its own, no team, reflect_on_tool_use=True",
    "two-runs": "the same team object run twice, each run under its own run_team root (embedded runtime)",
}

TASK = (
    "Who was the Miami Heat player with the highest points in the 2006-2007 season, and what was the "
    "percentage change in his total rebounds between the 2007-2008 (214) and 2008-2009 (398) seasons?"
)
SECOND_TASK = "Repeat the percentage change calculation for 214 and 398 and summarise it again."

PLANNING_SYSTEM = """
    You are a planning agent.
    Your job is to break down complex tasks into smaller, manageable subtasks.
    Your team members are:
        DataAnalystAgent: Performs calculations

    You only plan and delegate tasks - you do not execute them yourself.

    When assigning tasks, use this format:
    1. <agent> : <task>

    After all tasks are complete, summarize the findings and end with "TERMINATE".
    """

ANALYST_SYSTEM = """
    You are a data analyst.
    Given the tasks you have been assigned, you should analyze the data and provide results using the tools provided.
    If you have not seen the data, ask for it.
    """

SELECTOR_PROMPT = """Select an agent to perform task.

{roles}

Current conversation context:
{history}

Read the above conversation, then select an agent from {participants} to perform the next task.
Make sure the planner agent has assigned tasks before other agents start working.
Only select one agent.
"""


def percentage_change(start: float, end: float) -> float:
    """Calculate the percentage change between two numbers."""
    return ((end - start) / start) * 100


def percentage_change_failing(start: float, end: float) -> float:
    """Calculate the percentage change between two numbers."""
    raise RuntimeError(f"statistics backend unavailable (start={start}, end={end})")


def configure_env(variant: str) -> None:
    """Environment switches the libraries read; set before they are imported."""
    if variant == "runtime-tracing-off":
        os.environ["AUTOGEN_DISABLE_RUNTIME_TRACING"] = "true"
    if variant == "content-off":
        os.environ["TRACELOOP_TRACE_CONTENT"] = "false"


async def run(args: argparse.Namespace, base_url: str, tracer_provider) -> None:
    from opentelemetry import trace
    from autogen_agentchat.agents import AssistantAgent
    from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
    from autogen_agentchat.teams import RoundRobinGroupChat, SelectorGroupChat
    from autogen_agentchat.ui import Console
    from autogen_core import SingleThreadedAgentRuntime
    from autogen_ext.models.openai import OpenAIChatCompletionClient

    variant = args.variant
    streaming = variant == "streaming"
    client_kwargs = {"model": "gpt-4o", "base_url": base_url, "api_key": "sk-e2e-dummy"}
    if streaming:
        client_kwargs["stream_options"] = {"include_usage": True}
    model_client = OpenAIChatCompletionClient(**client_kwargs)
    tool = percentage_change_failing if variant == "tool-error" else percentage_change
    if variant == "tool-error":
        tool.__name__ = "percentage_change"
    tracer = trace.get_tracer("tracing-autogen-agentchat")

    def make_agents():
        extra = {"model_client_stream": True} if streaming else {}
        planning = AssistantAgent(
            "PlanningAgent",
            description="An agent for planning tasks, this agent should be the first to engage when given a new task.",
            model_client=model_client, system_message=PLANNING_SYSTEM, **extra)
        analyst = AssistantAgent(
            "DataAnalystAgent", description="An agent for performing calculations.",
            model_client=model_client, tools=[tool], system_message=ANALYST_SYSTEM,
            reflect_on_tool_use=(variant == "agent-alone"), **extra)
        return planning, analyst

    def make_team(planning, analyst, runtime):
        termination = TextMentionTermination("TERMINATE") | MaxMessageTermination(25)
        kwargs = {"runtime": runtime} if runtime is not None else {}
        if variant == "round-robin":
            return RoundRobinGroupChat([planning, analyst], termination_condition=termination, **kwargs)
        if streaming:
            kwargs["model_client_streaming"] = True
        return SelectorGroupChat([planning, analyst], model_client=model_client, termination_condition=termination,
                                 selector_prompt=SELECTOR_PROMPT, allow_repeated_speaker=True, **kwargs)

    if variant == "agent-alone":
        with tracer.start_as_current_span("run_agent"):
            _, analyst = make_agents()
            await Console(analyst.run_stream(task=TASK))
    elif variant == "two-runs":
        planning, analyst = make_agents()
        team = make_team(planning, analyst, None)
        for task in (TASK, SECOND_TASK):
            with tracer.start_as_current_span("run_team"):
                await Console(team.run_stream(task=task))
    else:
        runtime_provider = trace.NoOpTracerProvider() if variant == "runtime-tracing-off" else tracer_provider
        runtime = None
        if variant == "runtime-outside-root":
            runtime = SingleThreadedAgentRuntime(tracer_provider=runtime_provider)
            runtime.start()
        with tracer.start_as_current_span("run_team"):
            planning, analyst = make_agents()
            if runtime is None:
                runtime = SingleThreadedAgentRuntime(tracer_provider=runtime_provider)
                runtime.start()
            team = make_team(planning, analyst, runtime)
            await Console(team.run_stream(task=TASK))
            await runtime.stop()
    await model_client.close()


def instrument(args: argparse.Namespace, tracer_provider) -> None:
    """OpenLLMetry's OpenAI instrumentor, after the variant's switches are in the environment."""
    configure_env(args.variant)
    from opentelemetry.instrumentation.openai import OpenAIInstrumentor
    OpenAIInstrumentor().instrument()


def main(argv: list[str] | None = None) -> int:
    from program_harness import main as run_program
    return run_program(__doc__, VARIANTS, "autogen-test-agentchat", run, instrument, argv)


if __name__ == "__main__":
    sys.exit(main())
