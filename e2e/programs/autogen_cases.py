"""AutoGen 0.7.5 programs beyond the reference (issue #10: what a LangSmith reader sees).

    nested-team         RoundRobinGroupChat whose first participant is the inner team WritingTeam
                        (Writer, Reviewer; MaxMessageTermination(3)), then Publisher
    two-runs-one-root   the reference team object run twice inside one run_team span
    openinference       the reference program instrumented with OpenInference (autogen-agentchat
                        and openai instrumentors) instead of OpenLLMetry

Same command line as autogen_team.py:

    python programs/autogen_cases.py --variant nested-team --record out.json
    python programs/autogen_cases.py --variant openinference --otlp-endpoint http://127.0.0.1:4318/v1/traces
"""

from __future__ import annotations

import argparse
import os
import sys

PROGRAMS_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(PROGRAMS_DIR))
sys.path.insert(0, PROGRAMS_DIR)

import autogen_team as ref  # noqa: E402  (the reference program's agents, prompts and tool)

VARIANTS = {
    "nested-team": "outer RoundRobinGroupChat [WritingTeam (Writer, Reviewer), Publisher]",
    "two-runs-one-root": "one SelectorGroupChat object run twice inside one run_team span",
    "openinference": "the reference program with OpenInference instrumentation instead of OpenLLMetry",
}

POEM_TASK = "Write a two-line poem about the harbour at night, get it reviewed, then publish it."
WRITER_SYSTEM = "You are a poet. Write short poems exactly as asked."
REVIEWER_SYSTEM = "You are a strict poetry reviewer. Review the latest poem and approve or reject it."
PUBLISHER_SYSTEM = "You are a publisher. Publish approved poems and reply TERMINATE when done."


async def nested_team(model_client, tracer) -> None:
    from autogen_agentchat.agents import AssistantAgent
    from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
    from autogen_agentchat.teams import RoundRobinGroupChat
    from autogen_agentchat.ui import Console

    with tracer.start_as_current_span("run_team"):
        writer = AssistantAgent("Writer", model_client=model_client, system_message=WRITER_SYSTEM,
                                description="Writes poems.")
        reviewer = AssistantAgent("Reviewer", model_client=model_client, system_message=REVIEWER_SYSTEM,
                                  description="Reviews poems.")
        publisher = AssistantAgent("Publisher", model_client=model_client, system_message=PUBLISHER_SYSTEM,
                                   description="Publishes approved poems.")
        writing_team = RoundRobinGroupChat([writer, reviewer], termination_condition=MaxMessageTermination(3),
                                           name="WritingTeam", description="Writes and reviews a poem.")
        team = RoundRobinGroupChat([writing_team, publisher],
                                   termination_condition=TextMentionTermination("TERMINATE") | MaxMessageTermination(10))
        await Console(team.run_stream(task=POEM_TASK))


async def two_runs_one_root(model_client, tracer) -> None:
    from autogen_agentchat.agents import AssistantAgent
    from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
    from autogen_agentchat.teams import SelectorGroupChat
    from autogen_agentchat.ui import Console

    with tracer.start_as_current_span("run_team"):
        planning = AssistantAgent("PlanningAgent", description="An agent for planning tasks, this agent should be "
                                  "the first to engage when given a new task.", model_client=model_client,
                                  system_message=ref.PLANNING_SYSTEM)
        analyst = AssistantAgent("DataAnalystAgent", description="An agent for performing calculations.",
                                 model_client=model_client, tools=[ref.percentage_change],
                                 system_message=ref.ANALYST_SYSTEM)
        team = SelectorGroupChat([planning, analyst], model_client=model_client,
                                 termination_condition=TextMentionTermination("TERMINATE") | MaxMessageTermination(25),
                                 selector_prompt=ref.SELECTOR_PROMPT, allow_repeated_speaker=True)
        # Embedded runtime: each run_stream starts and stops it, the team object keeps its history.
        for task in (ref.TASK, ref.SECOND_TASK):
            await Console(team.run_stream(task=task))


def instrument(args: argparse.Namespace, tracer_provider) -> None:
    if args.variant == "openinference":
        # As OpenInference's AutoGen guide does it: both instrumentors, no OpenLLMetry.
        from openinference.instrumentation.autogen_agentchat import AutogenAgentChatInstrumentor
        from openinference.instrumentation.openai import OpenAIInstrumentor
        AutogenAgentChatInstrumentor().instrument(tracer_provider=tracer_provider)
        OpenAIInstrumentor().instrument(tracer_provider=tracer_provider)
    else:
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor
        OpenAIInstrumentor().instrument()


async def run(args: argparse.Namespace, base_url: str, tracer_provider) -> None:
    if args.variant == "openinference":
        await ref.run(argparse.Namespace(variant="reference"), base_url, tracer_provider)
        return
    from autogen_ext.models.openai import OpenAIChatCompletionClient
    from opentelemetry import trace
    model_client = OpenAIChatCompletionClient(model="gpt-4o", base_url=base_url, api_key="sk-e2e-dummy")
    tracer = trace.get_tracer("tracing-autogen-agentchat")
    if args.variant == "nested-team":
        await nested_team(model_client, tracer)
    else:
        await two_runs_one_root(model_client, tracer)
    await model_client.close()


def main(argv: list[str] | None = None) -> int:
    from program_harness import main as run_program
    return run_program(__doc__, VARIANTS, "autogen-test-agentchat", run, instrument, argv)


if __name__ == "__main__":
    sys.exit(main())
