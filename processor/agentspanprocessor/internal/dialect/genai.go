package dialect

// GenAI semantic-convention attributes that dialects read and write, and the
// hint the langsmith exporter takes a run type from. Every dialect emits this
// one vocabulary, so what comes out is framework-neutral.
const (
	AttrGenAISystem         = "gen_ai.system"
	AttrGenAIOperation      = "gen_ai.operation.name"
	AttrGenAIProvider       = "gen_ai.provider.name"
	AttrGenAIRequestModel   = "gen_ai.request.model"
	AttrGenAIResponseModel  = "gen_ai.response.model"
	AttrGenAIAgentName      = "gen_ai.agent.name"
	AttrGenAIAgentID        = "gen_ai.agent.id"
	AttrGenAIAgentDesc      = "gen_ai.agent.description"
	AttrGenAIConversationID = "gen_ai.conversation.id"
	AttrGenAIWorkflowName   = "gen_ai.workflow.name"
	AttrGenAIToolName       = "gen_ai.tool.name"
	AttrGenAIToolDesc       = "gen_ai.tool.description"
	AttrGenAIToolCallID     = "gen_ai.tool.call.id"
	AttrGenAIToolCallArgs   = "gen_ai.tool.call.arguments"
	AttrGenAIToolCallResult = "gen_ai.tool.call.result"
	AttrGenAIInputMessages  = "gen_ai.input.messages"
	AttrGenAIOutputMessages = "gen_ai.output.messages"
	// AttrLangsmithSpanKind is the run type hint: "chain", "llm", "tool", ...
	AttrLangsmithSpanKind = "langsmith.span.kind"
)

// GenAI operation names (gen_ai.operation.name).
const (
	OpInvokeWorkflow = "invoke_workflow"
	OpInvokeAgent    = "invoke_agent"
	OpChat           = "chat"
	OpExecuteTool    = "execute_tool"
)
