"""AutoGen's distributed runtime: a gRPC host and agents in separate worker processes (issue #10).

Three processes, each exporting its own spans under its own service.name:

    autogen-grpc-manager    GrpcWorkerAgentRuntimeHost on 127.0.0.1 (free port) plus a worker runtime
                            with the GroupChatManager (Core API agent): picks the next speaker with the
                            model (the reference selector prompt) and asks it to speak by RPC;
                            the run_team span is here
    autogen-grpc-planning   worker runtime with PlanningAgent (an AgentChat AssistantAgent in a Core agent)
    autogen-grpc-analyst    worker runtime with DataAnalystAgent (+ the percentage_change tool)

Like AutoGen's distributed group chat sample, every runtime is started outside any span, so each
delivery a worker handles becomes a trace of its own. The manager asks agents to speak with
send_message (RPC) rather than publish: AutoGen 0.7.5 propagates trace context on RPC requests
(`RpcRequest.metadata`, becoming a span link on the receiver's `autogen process`) but not on
published CloudEvents, so only RPC deliveries can be joined to the run (autogen-spans.md §9).

    python programs/autogen_grpc.py --record out.json
    python programs/autogen_grpc.py --otlp-endpoint http://127.0.0.1:4318/v1/traces --base-url URL

Workers are this file run with --worker NAME; the manager starts them and stops them by closing
their stdin. Every wait is bounded.
"""

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Any

PROGRAMS_DIR = os.path.dirname(os.path.abspath(__file__))
E2E_DIR = os.path.dirname(PROGRAMS_DIR)
sys.path.insert(0, E2E_DIR)
sys.path.insert(0, PROGRAMS_DIR)

import autogen_team as ref  # noqa: E402  (the reference program's prompts, task and tool)
from program_harness import run_and_flush  # noqa: E402

# Message handlers are typed from their annotations at class creation, so no postponed
# annotations (no `from __future__ import annotations`) and these names at module level.
from autogen_core import MessageContext  # noqa: E402
from pydantic import BaseModel  # noqa: E402  (nested messages survive the JSON round trip)

WORKERS = ("PlanningAgent", "DataAnalystAgent")
SERVICE = {"manager": "autogen-grpc-manager", "PlanningAgent": "autogen-grpc-planning",
           "DataAnalystAgent": "autogen-grpc-analyst"}
MANAGER_TYPE = "GroupChatManager"
MAX_TURNS = 6
RUN_TIMEOUT = 180


class ChatMessage(BaseModel):
    source: str
    content: str


class GroupChatStart(BaseModel):
    task: str


class RequestToSpeak(BaseModel):
    # What the agent has not seen yet: the task and the other agents' answers since its last turn.
    messages: list[ChatMessage] = []


class AgentReply(BaseModel):
    source: str
    content: str


class GroupChatResult(BaseModel):
    messages: list[ChatMessage] = []
    stop_reason: str = ""


MESSAGE_TYPES = (ChatMessage, GroupChatStart, RequestToSpeak, AgentReply, GroupChatResult)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--record", metavar="PATH", help="write every process's spans as one OTLP/JSON file")
    out.add_argument("--otlp-endpoint", metavar="URL", help="OTLP/HTTP traces URL")
    p.add_argument("--base-url", help="OpenAI-compatible base URL; default: start the fake server in-process")
    p.add_argument("--worker", choices=WORKERS, help=argparse.SUPPRESS)
    p.add_argument("--host-address", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def setup_tracing(args: argparse.Namespace, service: str):
    """Global tracer provider (the worker runtime and autogen-core use it) + OpenLLMetry."""
    from opentelemetry import trace
    from opentelemetry.instrumentation.openai import OpenAIInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    if args.record:
        from recorder import RecordingSpanExporter
        exporter = RecordingSpanExporter(args.record)
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        exporter = OTLPSpanExporter(endpoint=args.otlp_endpoint, timeout=10)
    provider = TracerProvider(resource=Resource({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    OpenAIInstrumentor().instrument()
    return provider


def add_serializers(runtime) -> None:
    from autogen_core import try_get_known_serializers_for_type
    for t in MESSAGE_TYPES:
        runtime.add_message_serializer(try_get_known_serializers_for_type(t))


def model_client(base_url: str):
    from autogen_ext.models.openai import OpenAIChatCompletionClient
    return OpenAIChatCompletionClient(model="gpt-4o", base_url=base_url, api_key="sk-e2e-dummy")


# ---- worker processes -------------------------------------------------------------------------

def make_worker_agent(name: str, client):
    """A Core agent that answers RequestToSpeak by running an AssistantAgent (one invoke_agent turn)."""
    from autogen_agentchat.agents import AssistantAgent
    from autogen_agentchat.messages import TextMessage
    from autogen_core import RoutedAgent, message_handler

    class RemoteParticipant(RoutedAgent):
        def __init__(self) -> None:
            super().__init__(f"{name} in its own worker process")
            if name == "PlanningAgent":
                self._agent = AssistantAgent(
                    name, description="An agent for planning tasks, this agent should be the first to engage "
                    "when given a new task.", model_client=client, system_message=ref.PLANNING_SYSTEM)
            else:
                self._agent = AssistantAgent(name, description="An agent for performing calculations.",
                                             model_client=client, tools=[ref.percentage_change],
                                             system_message=ref.ANALYST_SYSTEM)

        @message_handler
        async def on_request(self, message: RequestToSpeak, ctx: MessageContext) -> AgentReply:
            task = [TextMessage(source=m.source, content=m.content) for m in message.messages]
            result = await self._agent.run(task=task)
            last = result.messages[-1]
            text = last.to_model_text() if hasattr(last, "to_model_text") else str(last.content)
            return AgentReply(source=name, content=text)

    return RemoteParticipant


async def run_worker(args: argparse.Namespace) -> None:
    from autogen_ext.runtimes.grpc import GrpcWorkerAgentRuntime

    client = model_client(args.base_url)
    runtime = GrpcWorkerAgentRuntime(host_address=args.host_address)
    add_serializers(runtime)
    await runtime.start()
    agent_class = make_worker_agent(args.worker, client)
    await agent_class.register(runtime, args.worker, lambda: agent_class())
    print("ready", flush=True)
    # The manager closes our stdin when the run is over.
    await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(None, sys.stdin.read), RUN_TIMEOUT)
    await runtime.stop()
    await client.close()


# ---- manager process ----------------------------------------------------------------------------

def make_manager(client):
    from autogen_core import AgentId, RoutedAgent, message_handler
    from autogen_core.models import SystemMessage

    roles = "\n".join(f"{n}: {d}" for n, d in (
        ("PlanningAgent", "An agent for planning tasks, this agent should be the first to engage when given a new task."),
        ("DataAnalystAgent", "An agent for performing calculations.")))

    class GroupChatManager(RoutedAgent):
        """Selector group chat across processes: model picks a speaker, the speaker is asked by RPC."""

        def __init__(self) -> None:
            super().__init__("Selects the next speaker and asks it to speak")

        @message_handler
        async def on_start(self, message: GroupChatStart, ctx: MessageContext) -> GroupChatResult:
            thread = [ChatMessage(source="user", content=message.task)]
            unseen = {a: [ChatMessage(source="user", content=message.task)] for a in WORKERS}
            for _ in range(MAX_TURNS):
                history = "\n".join(f"{m.source}: {m.content}" for m in thread)
                prompt = ref.SELECTOR_PROMPT.format(roles=roles, history=history, participants=str(list(WORKERS)))
                answer = await client.create([SystemMessage(content=prompt)])
                speaker = next((a for a in WORKERS if a in str(answer.content)), WORKERS[0])
                reply = await self.send_message(RequestToSpeak(messages=unseen[speaker]), AgentId(speaker, "default"))
                unseen[speaker] = []
                said = ChatMessage(source=reply.source, content=reply.content)
                thread.append(said)
                for other in WORKERS:
                    if other != speaker:
                        unseen[other].append(said)
                if "TERMINATE" in reply.content:
                    return GroupChatResult(messages=thread, stop_reason="Text 'TERMINATE' mentioned")
            return GroupChatResult(messages=thread, stop_reason=f"Maximum number of turns {MAX_TURNS} reached.")

    return GroupChatManager


def start_worker(args: argparse.Namespace, name: str, host_address: str, base_url: str, record_dir: str | None):
    argv = [sys.executable, os.path.abspath(__file__), "--worker", name, "--host-address", host_address,
            "--base-url", base_url]
    argv += ["--record", os.path.join(record_dir, f"{name}.json")] if record_dir else ["--otlp-endpoint", args.otlp_endpoint]
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=E2E_DIR)


async def wait_ready(proc: subprocess.Popen, name: str) -> None:
    line = await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(None, proc.stdout.readline), 60)
    if line.strip() != "ready":
        raise RuntimeError(f"worker {name} did not start (exit code {proc.poll()})")


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def run_manager(args: argparse.Namespace, base_url: str, record_dir: str | None) -> GroupChatResult:
    from autogen_core import AgentId
    from autogen_ext.runtimes.grpc import GrpcWorkerAgentRuntime, GrpcWorkerAgentRuntimeHost
    from opentelemetry import trace

    address = f"127.0.0.1:{free_port()}"
    host = GrpcWorkerAgentRuntimeHost(address=address)
    host.start()
    workers: dict[str, subprocess.Popen] = {}
    client = model_client(base_url)
    runtime = GrpcWorkerAgentRuntime(host_address=address)
    started = False
    try:
        for name in WORKERS:
            workers[name] = start_worker(args, name, address, base_url, record_dir)
        for name, proc in workers.items():
            await wait_ready(proc, name)
        add_serializers(runtime)
        await runtime.start()
        started = True
        manager = make_manager(client)
        await manager.register(runtime, MANAGER_TYPE, lambda: manager())
        with trace.get_tracer("tracing-autogen-agentchat").start_as_current_span("run_team"):
            result = await runtime.send_message(GroupChatStart(task=ref.TASK), AgentId(MANAGER_TYPE, "default"))
        print(f"stop reason: {result.stop_reason}", file=sys.stderr)
        return result
    finally:
        if started:
            await runtime.stop()
        await client.close()
        for proc in workers.values():
            proc.stdin.close()  # the worker stops its runtime and flushes its spans
        for name, proc in workers.items():
            try:
                code = await asyncio.get_running_loop().run_in_executor(None, lambda p=proc: p.wait(timeout=60))
            except subprocess.TimeoutExpired:
                proc.kill()
                code = "killed"
            if code != 0:
                print(f"worker {name} exited with {code}", file=sys.stderr)
        await host.stop()


def merge_recordings(paths: list[str], out: str) -> int:
    """One OTLP/JSON file: every process's resourceSpans, in process order."""
    merged: list[Any] = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            merged += json.load(f)["resourceSpans"]
    with open(out, "w", encoding="utf-8") as f:
        f.write(json.dumps({"resourceSpans": merged}, separators=(",", ":"), ensure_ascii=False))
        f.write("\n")
    return sum(len(ss.get("spans", [])) for rs in merged for ss in rs.get("scopeSpans", []))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.record and not args.otlp_endpoint:
        print("need --record or --otlp-endpoint", file=sys.stderr)
        return 2
    if args.worker:
        provider = setup_tracing(args, SERVICE[args.worker])
        try:
            asyncio.run(run_worker(args))
        finally:
            provider.force_flush(timeout_millis=15000)
            provider.shutdown()
        return 0

    record_dir = tempfile.mkdtemp(prefix="autogen-grpc-") if args.record else None
    final_record = args.record
    if record_dir:
        args.record = os.path.join(record_dir, "manager.json")
    provider = setup_tracing(args, SERVICE["manager"])
    if not run_and_flush(args, provider, lambda base_url: run_manager(args, base_url, record_dir),
                         RUN_TIMEOUT + 60):
        return 1
    if record_dir:
        paths = [os.path.join(record_dir, f) for f in ("manager.json", *(f"{w}.json" for w in WORKERS))]
        count = merge_recordings(paths, final_record)
        shutil.rmtree(record_dir, ignore_errors=True)
        print(f"recorded {count} spans to {final_record}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
