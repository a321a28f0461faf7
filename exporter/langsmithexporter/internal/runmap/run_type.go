package runmap

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// LangSmith's run_type enum.
const (
	runTypeLLM       = "llm"
	runTypeChain     = "chain"
	runTypeTool      = "tool"
	runTypeRetriever = "retriever"
	runTypeEmbedding = "embedding"
	runTypePrompt    = "prompt"
	runTypeParser    = "parser"
)

var validRunTypes = map[string]bool{
	runTypeLLM: true, runTypeChain: true, runTypeTool: true, runTypeRetriever: true,
	runTypeEmbedding: true, runTypePrompt: true, runTypeParser: true,
}

// genAIOperationRunTypes maps gen_ai.operation.name (semconv and the older
// names instrumentations still send) to a run type.
var genAIOperationRunTypes = map[string]string{
	"chat":             runTypeLLM,
	"text_completion":  runTypeLLM,
	"generate_content": runTypeLLM,
	"completion":       runTypeLLM,
	"embeddings":       runTypeEmbedding,
	"embedding":        runTypeEmbedding,
	"execute_tool":     runTypeTool,
	"retrieval":        runTypeRetriever,
	"invoke_agent":     runTypeChain,
	"create_agent":     runTypeChain,
	"invoke_workflow":  runTypeChain,
}

var openInferenceRunTypes = map[string]string{
	"llm":       runTypeLLM,
	"embedding": runTypeEmbedding,
	"tool":      runTypeTool,
	"retriever": runTypeRetriever,
	"chain":     runTypeChain,
	"agent":     runTypeChain,
	"reranker":  runTypeRetriever,
	"guardrail": runTypeChain,
	"evaluator": runTypeChain,
	"prompt":    runTypePrompt,
}

var traceloopRunTypes = map[string]string{
	"workflow": runTypeChain,
	"task":     runTypeChain,
	"agent":    runTypeChain,
	"tool":     runTypeTool,
}

var llmRequestRunTypes = map[string]string{
	"chat":       runTypeLLM,
	"completion": runTypeLLM,
	"rerank":     runTypeLLM,
	"embedding":  runTypeEmbedding,
}

// runTypeOf picks the run type from the most explicit marker a span carries:
// LangSmith's own attribute, then each dialect from newest to oldest. A
// marker with an unknown value is skipped, not trusted.
func runTypeOf(scope pcommon.InstrumentationScope, attrs pcommon.Map) string {
	lookups := []struct {
		key   string
		table map[string]string
	}{
		{"gen_ai.operation.name", genAIOperationRunTypes},
		{"openinference.span.kind", openInferenceRunTypes},
		{"traceloop.span.kind", traceloopRunTypes},
		{"llm.request.type", llmRequestRunTypes},
		{"traceloop.llm.request.type", llmRequestRunTypes},
	}
	if v := lowerAttr(attrs, "langsmith.span.kind"); validRunTypes[v] {
		return v
	}
	for _, l := range lookups {
		if rt, ok := l.table[lowerAttr(attrs, l.key)]; ok {
			return rt
		}
	}
	if attrString(attrs, "gen_ai.tool.name") != "" {
		return runTypeTool
	}
	// AutoGen 0.4.9-0.6.1 tool spans carry no GenAI attribute at all.
	if scope.Name() == "base_tool" {
		return runTypeTool
	}
	return runTypeChain
}

func lowerAttr(attrs pcommon.Map, key string) string {
	return strings.ToLower(strings.TrimSpace(attrString(attrs, key)))
}
