package autogen

import (
	"encoding/json"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Fixtures rebuilt from autogen-spans.md §2 (reference run, 61 spans) and
// §2.5 (runtime tracing off, 13 spans), with options for the version and
// attribute-format variants of §2.4 and §3.2.

const (
	fxTeamID = "c2b7da64-f8e7-4162-9996-a271f128043f"
	fxCallID = "call_Qm3tTkbL9xWvZ1pA7cR2yH5e"
	fxArgs   = `{"start":214,"end":398}`
	fxResult = "85.98130841121495"
)

const (
	scopeUser    = "tracing-autogen-agentchat"
	scopeCore    = "autogen-core"
	scopeRuntime = "autogen SingleThreadedAgentRuntime"
	scopeOpenAI  = "opentelemetry.instrumentation.openai.v1"
	scopeTool    = "base_tool"
)

type fxOptions struct {
	// autogen is "0.7.5" (default), "0.6.4", "0.5.7" or "0.4.9".
	autogen string
	// legacyLLM uses the openllmetry <= 0.40 attribute format.
	legacyLLM bool
	// contentOff drops prompts/completions from LLM spans.
	contentOff bool
	// roundRobin: RoundRobinGroupChatManager, no selector calls.
	roundRobin bool
	// toolError makes the tool raise.
	toolError bool
	traceSeed byte
}

type fixture struct {
	opts    fxOptions
	td      ptrace.Traces
	rs      ptrace.ResourceSpans
	scopes  map[string]ptrace.ScopeSpans
	traceID pcommon.TraceID
	base    time.Time
	spans   map[int]ptrace.Span
}

func fxSpanID(seed byte, num int) pcommon.SpanID {
	return pcommon.SpanID{0xa0, seed, 0, 0, 0, 0, byte(num >> 8), byte(num) + 1}
}

func newFixture(opts fxOptions) *fixture {
	if opts.autogen == "" {
		opts.autogen = "0.7.5"
	}
	f := &fixture{opts: opts, td: ptrace.NewTraces(), scopes: map[string]ptrace.ScopeSpans{},
		traceID: pcommon.TraceID{0x4b, 0xf9, opts.traceSeed, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13},
		base:    time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC), spans: map[int]ptrace.Span{}}
	f.rs = f.td.ResourceSpans().AppendEmpty()
	f.rs.Resource().Attributes().PutStr("service.name", "autogen-test-agentchat")
	return f
}

func (f *fixture) scope(name string) ptrace.ScopeSpans {
	ss, ok := f.scopes[name]
	if !ok {
		ss = f.rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName(name)
		if name == scopeOpenAI {
			ss.Scope().SetVersion("0.62.1")
		}
		f.scopes[name] = ss
	}
	return ss
}

// add creates span #num under #parent (-1: root), starting startMs after the
// run start and lasting durMs.
func (f *fixture) add(num, parent int, scope, name string, kind ptrace.SpanKind, startMs, durMs float64, attrs map[string]any) ptrace.Span {
	s := f.scope(scope).Spans().AppendEmpty()
	s.SetTraceID(f.traceID)
	s.SetSpanID(fxSpanID(f.opts.traceSeed, num))
	if parent >= 0 {
		s.SetParentSpanID(fxSpanID(f.opts.traceSeed, parent))
	}
	s.SetName(name)
	s.SetKind(kind)
	start := f.base.Add(time.Duration(startMs * float64(time.Millisecond)))
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(durMs * float64(time.Millisecond)))))
	if err := s.Attributes().FromRaw(attrs); err != nil {
		panic(err)
	}
	f.spans[num] = s
	return s
}

func (f *fixture) link(num, target int) {
	l := f.spans[num].Links().AppendEmpty()
	l.SetTraceID(f.traceID)
	l.SetSpanID(fxSpanID(f.opts.traceSeed, target))
}

func fxJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func (f *fixture) v(atLeast string) bool {
	order := map[string]int{"0.4.9": 0, "0.5.7": 1, "0.6.4": 2, "0.7.5": 3}
	return order[f.opts.autogen] >= order[atLeast]
}

// runtime names of the reference run.
func typeOf(name string) string { return name + "_" + fxTeamID }
func destA(name string) string  { return typeOf(name) + ".(" + fxTeamID + ")-A" }
func destT(name string) string  { return typeOf(name) + ".(" + fxTeamID + ")-T" }

func (f *fixture) manager() string {
	if f.opts.roundRobin {
		return "RoundRobinGroupChatManager"
	}
	return "SelectorGroupChatManager"
}

func (f *fixture) create(num, parent int, dest, msgType string, startMs, durMs float64) {
	f.add(num, parent, scopeRuntime, "autogen create "+dest, ptrace.SpanKindProducer, startMs, durMs, map[string]any{
		"messaging.operation": "create", "messaging.destination": dest, "messaging.message.type": msgType})
}

func (f *fixture) deliver(num, parent int, op, dest string, startMs, durMs float64, linkTo int) {
	f.add(num, parent, scopeRuntime, "autogen "+op+" "+dest, ptrace.SpanKindProducer, startMs, durMs, map[string]any{
		"messaging.operation": "publish", "messaging.destination": dest})
	f.link(num, linkTo)
}

// process adds a process span; payload is the message JSON for 0.7.2+ and
// is reduced to base fields before 0.7.2, and absent before 0.5.7.
func (f *fixture) process(num, parent int, recipient, sender string, startMs, durMs float64, linkTo int, payload string) {
	attrs := map[string]any{"messaging.operation": "process", "messaging.destination": destA(recipient)}
	if f.v("0.5.7") {
		class := "ChatAgentContainer"
		if recipient == f.manager() {
			class = f.manager()
		}
		attrs["recipient_agent_type"] = typeOf(recipient)
		attrs["recipient_agent_class"] = class
		if sender != "" {
			attrs["sender_agent_type"] = typeOf(sender)
			attrs["sender_agent_class"] = "ChatAgentContainer"
			if sender == f.manager() {
				attrs["sender_agent_class"] = f.manager()
			}
		}
		attrs["message_context"] = fxJSON(map[string]any{"sender": "None", "topic_id": "None", "is_rpc": false, "message_id": "m"})
		if !f.v("0.7.5") && payload != "{}" {
			payload = `{"message":{"id":"x","source":"s","models_usage":null,"metadata":{},"created_at":"2026-05-01T12:00:00Z"}}`
		}
		attrs["message"] = payload
	}
	f.add(num, parent, scopeRuntime, "autogen process "+destA(recipient), ptrace.SpanKindConsumer, startMs, durMs, attrs)
	f.link(num, linkTo)
}

func textMsg(source, content, typ string) map[string]any {
	return map[string]any{"id": "id-" + source, "source": source, "models_usage": nil, "metadata": map[string]any{},
		"created_at": "2026-05-01T12:00:00Z", "content": content, "type": typ}
}

func agentResponsePayload(name, content, typ string) string {
	return fxJSON(map[string]any{"response": map[string]any{"chat_message": textMsg(name, content, typ), "inner_messages": []any{}}, "name": name})
}

// chat adds an openai.chat span in the configured attribute format.
func (f *fixture) chat(num, parent int, startMs, durMs float64, prompt, answer string, toolCall bool, toolResponse bool) {
	attrs := map[string]any{"gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "gpt-4o-2024-08-06",
		"gen_ai.response.id": fmt.Sprintf("chatcmpl-%d", num)}
	if f.opts.legacyLLM {
		attrs["llm.request.type"] = "chat"
		attrs["gen_ai.system"] = "OpenAI"
		attrs["gen_ai.usage.prompt_tokens"] = 236
		attrs["gen_ai.usage.completion_tokens"] = 21
		attrs["llm.usage.total_tokens"] = 257
		if !f.opts.contentOff {
			attrs["gen_ai.prompt.0.role"] = "system"
			attrs["gen_ai.prompt.0.content"] = prompt
			if toolResponse {
				attrs["gen_ai.prompt.1.role"] = "tool"
				attrs["gen_ai.prompt.1.tool_call_id"] = fxCallID
				attrs["gen_ai.prompt.1.content"] = fxResult
			}
			attrs["gen_ai.completion.0.role"] = "assistant"
			if toolCall {
				attrs["gen_ai.completion.0.finish_reason"] = "tool_calls"
				attrs["gen_ai.completion.0.tool_calls.0.id"] = fxCallID
				attrs["gen_ai.completion.0.tool_calls.0.name"] = "percentage_change"
				attrs["gen_ai.completion.0.tool_calls.0.arguments"] = `{"start": 214, "end": 398}`
			} else {
				attrs["gen_ai.completion.0.finish_reason"] = "stop"
				attrs["gen_ai.completion.0.content"] = answer
			}
		}
	} else {
		attrs["gen_ai.operation.name"] = "chat"
		attrs["gen_ai.provider.name"] = "openai"
		attrs["gen_ai.usage.input_tokens"] = 236
		attrs["gen_ai.usage.output_tokens"] = 21
		if !f.opts.contentOff {
			in := []any{map[string]any{"role": "system", "parts": []any{map[string]any{"type": "text", "content": prompt}}}}
			if toolResponse {
				in = append(in, map[string]any{"role": "tool", "parts": []any{map[string]any{"type": "tool_call_response", "id": fxCallID, "response": fxResult}}})
			}
			attrs["gen_ai.input.messages"] = fxJSON(in)
			var part map[string]any
			if toolCall {
				part = map[string]any{"type": "tool_call", "name": "percentage_change", "id": fxCallID,
					"arguments": json.RawMessage(fxArgs)}
			} else {
				part = map[string]any{"type": "text", "content": answer}
			}
			attrs["gen_ai.output.messages"] = fxJSON([]any{map[string]any{"role": "assistant", "parts": []any{part}, "finish_reason": "stop"}})
		}
	}
	s := f.add(num, parent, scopeOpenAI, "openai.chat", ptrace.SpanKindClient, startMs, durMs, attrs)
	if toolCall && !f.opts.legacyLLM {
		s.Attributes().PutEmptySlice("gen_ai.response.finish_reasons").AppendEmpty().SetStr("tool_call")
	}
}

const (
	fxSelectorPrompt = "Select an agent to perform task."
	fxPlan           = "Plan: 1. DataAnalystAgent computes the change."
	fxSummary        = "The change is 85.98%. TERMINATE"
)

// referenceRun builds the §2 tree (runtime tracing on).
func referenceRun(opts fxOptions) ptrace.Traces {
	f := newFixture(opts)
	mgr := f.manager()
	turnParent := func(processNum, turnNum int) int {
		if f.v("0.6.4") {
			return turnNum
		}
		return processNum
	}
	f.add(0, -1, scopeUser, "run_team", ptrace.SpanKindInternal, 0, 9691, nil)
	if f.v("0.6.4") {
		f.add(1, 0, scopeCore, "create_agent PlanningAgent", ptrace.SpanKindClient, 1, 0, map[string]any{
			"gen_ai.operation.name": "create_agent", "gen_ai.system": "autogen", "gen_ai.agent.name": "PlanningAgent",
			"gen_ai.agent.description": "An agent for planning tasks."})
		f.add(2, 0, scopeCore, "create_agent DataAnalystAgent", ptrace.SpanKindClient, 1.2, 0, map[string]any{
			"gen_ai.operation.name": "create_agent", "gen_ai.system": "autogen", "gen_ai.agent.name": "DataAnalystAgent",
			"gen_ai.agent.description": "An agent for performing calculations."})
	}
	task := fxJSON(map[string]any{"messages": []any{textMsg("user", "Compute the percentage change 214 -> 398.", "TextMessage")}, "output_task_messages": true})
	f.create(3, 0, destA(mgr), "GroupChatStart", 2, 876)
	f.deliver(4, 0, "send", destA(mgr), 3, 873, 3)
	f.process(5, 4, mgr, "", 3.1, 873, 3, task)
	f.create(6, 5, destT("output_topic"), "GroupChatStart", 3.2, 0.1)
	f.create(7, 5, destT("group_topic"), "GroupChatStart", 3.3, 0.1)
	f.deliver(8, 0, "publish", destT("output_topic"), 3.4, 0.2, 6)
	f.deliver(9, 0, "publish", destT("group_topic"), 3.5, 1, 7)
	f.process(10, 9, "PlanningAgent", mgr, 3.6, 0.3, 7, task)
	f.process(11, 9, "DataAnalystAgent", mgr, 3.7, 0.3, 7, task)
	if !opts.roundRobin {
		f.chat(12, 5, 5, 870, fxSelectorPrompt, "PlanningAgent", false, false)
	}
	f.create(13, 5, destT("PlanningAgent"), "GroupChatRequestPublish", 876, 0.1)
	f.deliver(14, 0, "publish", destT("PlanningAgent"), 877, 2091, 13)
	f.process(15, 14, "PlanningAgent", mgr, 877.1, 2090.5, 13, "{}")
	agentAttrs := func(name, desc string) map[string]any {
		return map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.system": "autogen", "gen_ai.agent.name": name,
			"gen_ai.agent.id": typeOf(name) + "/" + fxTeamID, "gen_ai.agent.description": desc}
	}
	if f.v("0.6.4") {
		f.add(16, 15, scopeCore, "invoke_agent PlanningAgent", ptrace.SpanKindClient, 877.2, 2090, agentAttrs("PlanningAgent", "An agent for planning tasks."))
	}
	f.add(17, 0, scopeRuntime, "autogen ack", ptrace.SpanKindConsumer, 878, 0, map[string]any{
		"messaging.operation": "receive", "messaging.destination": "", "sender_agent_type": typeOf(mgr), "message": "No Message"})
	f.link(17, 4)
	t1 := turnParent(15, 16)
	f.chat(18, t1, 878.5, 2088, "You are a planning agent.", fxPlan, false, false)
	f.create(19, t1, destT("output_topic"), "GroupChatMessage", 2967, 0.1)
	f.create(20, t1, destT("group_topic"), "GroupChatAgentResponse", 2967.2, 0.1)
	f.deliver(21, 0, "publish", destT("output_topic"), 2967.5, 0.5, 19)
	f.process(22, 21, mgr, "PlanningAgent", 2967.6, 0.3, 19, fxJSON(map[string]any{"message": textMsg("PlanningAgent", fxPlan, "TextMessage")}))
	resp1 := agentResponsePayload("PlanningAgent", fxPlan, "TextMessage")
	f.deliver(23, 0, "publish", destT("group_topic"), 2968, 996, 20)
	f.process(24, 23, "DataAnalystAgent", "PlanningAgent", 2968.1, 0.3, 20, resp1)
	f.process(25, 23, mgr, "PlanningAgent", 2968.2, 995, 20, resp1)
	if !opts.roundRobin {
		f.chat(26, 25, 2969, 994, fxSelectorPrompt, "DataAnalystAgent", false, false)
	}
	f.create(27, 25, destT("DataAnalystAgent"), "GroupChatRequestPublish", 3963.5, 0.1)
	f.deliver(28, 0, "publish", destT("DataAnalystAgent"), 3964, 1781, 27)
	f.process(29, 28, "DataAnalystAgent", mgr, 3964.1, 1780.8, 27, "{}")
	if f.v("0.6.4") {
		f.add(30, 29, scopeCore, "invoke_agent DataAnalystAgent", ptrace.SpanKindClient, 3964.2, 1780.5, agentAttrs("DataAnalystAgent", "An agent for performing calculations."))
	}
	t2 := turnParent(29, 30)
	f.chat(31, t2, 3965, 1776, "You are a data analyst.", "", true, false)
	f.create(32, t2, destT("output_topic"), "GroupChatMessage", 5741.5, 0.1)
	reqEvent := fxJSON(map[string]any{"message": map[string]any{"id": "e1", "source": "DataAnalystAgent", "models_usage": nil, "metadata": map[string]any{},
		"created_at": "2026-05-01T12:00:05Z", "content": []any{map[string]any{"id": fxCallID, "arguments": fxArgs, "name": "percentage_change"}}, "type": "ToolCallRequestEvent"}})
	f.deliver(33, 0, "publish", destT("output_topic"), 5741.8, 0.3, 32)
	f.process(34, 33, mgr, "DataAnalystAgent", 5741.9, 0.1, 32, reqEvent)
	if f.v("0.6.4") {
		f.add(35, t2, scopeCore, "execute_tool percentage_change", ptrace.SpanKindInternal, 5742, 0.6, map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.system": "autogen", "gen_ai.tool.name": "percentage_change",
			"gen_ai.tool.description": "Calculate the percentage change between two numbers.", "gen_ai.tool.call.id": fxCallID})
	} else {
		f.add(35, t2, scopeTool, "percentage_change", ptrace.SpanKindInternal, 5742, 0.6, map[string]any{
			"tool_name": "percentage_change", "tool_description": "Calculate the percentage change between two numbers.",
			"tool_args": `{"start": 214.0, "end": 398.0}`})
	}
	result, isErr := fxResult, false
	if opts.toolError {
		result, isErr = "ZeroDivisionError: float division by zero", true
		s := f.spans[35]
		s.Status().SetCode(ptrace.StatusCodeError)
		s.Status().SetMessage("float division by zero")
		s.Attributes().PutStr("error.type", "ZeroDivisionError")
	}
	execEvent := fxJSON(map[string]any{"message": map[string]any{"id": "e2", "source": "DataAnalystAgent", "models_usage": nil, "metadata": map[string]any{},
		"created_at": "2026-05-01T12:00:05Z", "content": []any{map[string]any{"content": result, "name": "percentage_change", "call_id": fxCallID, "is_error": isErr}}, "type": "ToolCallExecutionEvent"}})
	f.create(36, t2, destT("output_topic"), "GroupChatMessage", 5743, 0.1)
	f.create(37, t2, destT("output_topic"), "GroupChatMessage", 5743.5, 0.1)
	f.create(38, t2, destT("group_topic"), "GroupChatAgentResponse", 5744, 0.1)
	f.deliver(39, 0, "publish", destT("output_topic"), 5743.1, 0.3, 36)
	f.process(40, 39, mgr, "DataAnalystAgent", 5743.2, 0.1, 36, execEvent)
	f.deliver(41, 0, "publish", destT("output_topic"), 5743.6, 0.3, 37)
	f.process(42, 41, mgr, "DataAnalystAgent", 5743.7, 0.1, 37, fxJSON(map[string]any{"message": textMsg("DataAnalystAgent", result, "ToolCallSummaryMessage")}))
	resp2 := agentResponsePayload("DataAnalystAgent", result, "ToolCallSummaryMessage")
	f.deliver(43, 0, "publish", destT("group_topic"), 5747, 1069, 38)
	f.process(44, 43, "PlanningAgent", "DataAnalystAgent", 5747.1, 0.3, 38, resp2)
	f.process(45, 43, mgr, "DataAnalystAgent", 5747.2, 1068, 38, resp2)
	if !opts.roundRobin {
		f.chat(46, 45, 5748, 1067, fxSelectorPrompt, "PlanningAgent", false, false)
	}
	f.create(47, 45, destT("PlanningAgent"), "GroupChatRequestPublish", 6815.5, 0.1)
	f.deliver(48, 0, "publish", destT("PlanningAgent"), 6816, 2873, 47)
	f.process(49, 48, "PlanningAgent", mgr, 6816.1, 2872.8, 47, "{}")
	if f.v("0.6.4") {
		f.add(50, 49, scopeCore, "invoke_agent PlanningAgent", ptrace.SpanKindClient, 6816.2, 2872, agentAttrs("PlanningAgent", "An agent for planning tasks."))
	}
	t3 := turnParent(49, 50)
	f.chat(51, t3, 6817, 2871, "You are a planning agent.", fxSummary, false, false)
	f.create(52, t3, destT("output_topic"), "GroupChatMessage", 9688.5, 0.1)
	f.create(53, t3, destT("group_topic"), "GroupChatAgentResponse", 9688.7, 0.1)
	f.deliver(54, 0, "publish", destT("output_topic"), 9689, 0.2, 52)
	f.process(55, 54, mgr, "PlanningAgent", 9689.05, 0.1, 52, fxJSON(map[string]any{"message": textMsg("PlanningAgent", fxSummary, "TextMessage")}))
	resp3 := agentResponsePayload("PlanningAgent", fxSummary, "TextMessage")
	f.deliver(56, 0, "publish", destT("group_topic"), 9689.2, 1.5, 53)
	f.process(57, 56, "DataAnalystAgent", "PlanningAgent", 9689.3, 0.2, 53, resp3)
	f.process(58, 56, mgr, "PlanningAgent", 9689.4, 1, 53, resp3)
	f.create(59, 58, destT("output_topic"), "GroupChatTermination", 9690, 0.1)
	f.deliver(60, 0, "publish", destT("output_topic"), 9690.2, 0.1, 59)
	return f.td
}

// runtimeOffRun builds the §2.5 tree (runtime tracing disabled).
func runtimeOffRun(opts fxOptions) ptrace.Traces {
	f := newFixture(opts)
	agent := func(num int, name, desc string, startMs, durMs float64) {
		f.add(num, 0, scopeCore, "invoke_agent "+name, ptrace.SpanKindClient, startMs, durMs, map[string]any{
			"gen_ai.operation.name": "invoke_agent", "gen_ai.system": "autogen", "gen_ai.agent.name": name,
			"gen_ai.agent.id": typeOf(name) + "/" + fxTeamID, "gen_ai.agent.description": desc})
	}
	f.add(0, -1, scopeUser, "run_team", ptrace.SpanKindInternal, 0, 9691, nil)
	f.add(1, 0, scopeCore, "create_agent PlanningAgent", ptrace.SpanKindClient, 1, 0, map[string]any{
		"gen_ai.operation.name": "create_agent", "gen_ai.system": "autogen", "gen_ai.agent.name": "PlanningAgent", "gen_ai.agent.description": "An agent for planning tasks."})
	f.add(2, 0, scopeCore, "create_agent DataAnalystAgent", ptrace.SpanKindClient, 1.2, 0, map[string]any{
		"gen_ai.operation.name": "create_agent", "gen_ai.system": "autogen", "gen_ai.agent.name": "DataAnalystAgent", "gen_ai.agent.description": "An agent for performing calculations."})
	f.chat(3, 0, 5, 870, fxSelectorPrompt, "PlanningAgent", false, false)
	agent(4, "PlanningAgent", "An agent for planning tasks.", 877, 2090)
	f.chat(5, 4, 878, 2088, "You are a planning agent.", fxPlan, false, false)
	f.chat(6, 0, 2969, 994, fxSelectorPrompt, "DataAnalystAgent", false, false)
	agent(7, "DataAnalystAgent", "An agent for performing calculations.", 3964, 1781)
	f.chat(8, 7, 3965, 1776, "You are a data analyst.", "", true, false)
	f.add(9, 7, scopeCore, "execute_tool percentage_change", ptrace.SpanKindInternal, 5742, 0.6, map[string]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.system": "autogen", "gen_ai.tool.name": "percentage_change", "gen_ai.tool.call.id": fxCallID})
	f.chat(10, 0, 5748, 1067, fxSelectorPrompt, "PlanningAgent", false, false)
	agent(11, "PlanningAgent", "An agent for planning tasks.", 6816, 2872)
	f.chat(12, 11, 6817, 2871, "You are a planning agent.", fxSummary, false, false)
	return f.td
}

// agentAloneRun is an AssistantAgent run on its own (no team, no agent id).
func agentAloneRun() ptrace.Traces {
	f := newFixture(fxOptions{})
	f.add(0, -1, scopeUser, "run_agent", ptrace.SpanKindInternal, 0, 2000, nil)
	f.add(1, 0, scopeCore, "create_agent DataAnalystAgent", ptrace.SpanKindClient, 1, 0, map[string]any{
		"gen_ai.operation.name": "create_agent", "gen_ai.system": "autogen", "gen_ai.agent.name": "DataAnalystAgent"})
	f.add(2, 0, scopeCore, "invoke_agent DataAnalystAgent", ptrace.SpanKindClient, 2, 1900, map[string]any{
		"gen_ai.operation.name": "invoke_agent", "gen_ai.system": "autogen", "gen_ai.agent.name": "DataAnalystAgent"})
	f.chat(3, 2, 3, 1000, "You are a data analyst.", "", true, false)
	f.add(4, 2, scopeCore, "execute_tool percentage_change", ptrace.SpanKindInternal, 1010, 1, map[string]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.system": "autogen", "gen_ai.tool.name": "percentage_change", "gen_ai.tool.call.id": fxCallID})
	f.chat(5, 2, 1020, 800, "You are a data analyst.", "It is 85.98%.", false, true)
	return f.td
}
