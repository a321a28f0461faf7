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
import asyncio
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


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variant", choices=sorted(VARIANTS), default="nested-team")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--record", metavar="PATH", help="write all spans as one OTLP/JSON file")
    out.add_argument("--otlp-endpoint", metavar="URL", help="OTLP/HTTP traces URL")
    p.add_argument("--base-url", help="OpenAI-compatible base URL; default: start the fake server in-process")
    p.add_argument("--service-name", default="autogen-test-agentchat")
    p.add_argument("--list", action="store_true", help="list the variants and exit")
    return p.parse_args(argv)


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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for name, what in VARIANTS.items():
            print(f"{name:20} {what}")
        return 0

    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    recorder = None
    if args.record:
        from recorder import RecordingSpanExporter
        recorder = exporter = RecordingSpanExporter(args.record)
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        if not args.otlp_endpoint:
            print("need --record or --otlp-endpoint", file=sys.stderr)
            return 2
        exporter = OTLPSpanExporter(endpoint=args.otlp_endpoint, timeout=10)

    tracer_provider = TracerProvider(resource=Resource({"service.name": args.service_name}))
    tracer_provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(tracer_provider)
    if args.variant == "openinference":
        # As OpenInference's AutoGen guide does it: both instrumentors, no OpenLLMetry.
        from openinference.instrumentation.autogen_agentchat import AutogenAgentChatInstrumentor
        from openinference.instrumentation.openai import OpenAIInstrumentor
        AutogenAgentChatInstrumentor().instrument(tracer_provider=tracer_provider)
        OpenAIInstrumentor().instrument(tracer_provider=tracer_provider)
    else:
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor
        OpenAIInstrumentor().instrument()

    fake = None
    base_url = args.base_url
    if not base_url:
        from fake_openai import FakeOpenAI
        fake = FakeOpenAI(max_duration=300).start()
        base_url = fake.base_url

    async def run() -> None:
        from autogen_ext.models.openai import OpenAIChatCompletionClient
        model_client = OpenAIChatCompletionClient(model="gpt-4o", base_url=base_url, api_key="sk-e2e-dummy")
        tracer = trace.get_tracer("tracing-autogen-agentchat")
        if args.variant == "nested-team":
            await nested_team(model_client, tracer)
        elif args.variant == "two-runs-one-root":
            await two_runs_one_root(model_client, tracer)
        else:
            await ref.run(argparse.Namespace(variant="reference"), base_url, tracer_provider)
        await model_client.close()

    try:
        asyncio.run(asyncio.wait_for(run(), timeout=240))
    finally:
        ok = tracer_provider.force_flush(timeout_millis=15000)
        tracer_provider.shutdown()
        if fake is not None:
            fake.stop()
    if not ok:
        print("force_flush timed out: spans may be missing", file=sys.stderr)
        return 1
    if recorder is not None:
        print(f"recorded {len(recorder.spans)} spans to {args.record}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
