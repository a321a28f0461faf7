package runmap

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

func TestRunTypeOf(t *testing.T) {
	tests := []struct {
		name  string
		scope string
		attrs map[string]any
		want  string
	}{
		{"nothing is a chain", "", nil, "chain"},
		{"langsmith kind, case-insensitive", "", map[string]any{"langsmith.span.kind": " LLM "}, "llm"},
		{"langsmith kind beats operation", "", map[string]any{"langsmith.span.kind": "retriever", "gen_ai.operation.name": "chat"}, "retriever"},
		{"langsmith kind outside the enum is skipped", "", map[string]any{"langsmith.span.kind": "agent", "gen_ai.operation.name": "execute_tool"}, "tool"},
		{"chat", "", map[string]any{"gen_ai.operation.name": "chat"}, "llm"},
		{"text_completion", "", map[string]any{"gen_ai.operation.name": "text_completion"}, "llm"},
		{"generate_content", "", map[string]any{"gen_ai.operation.name": "generate_content"}, "llm"},
		{"completion", "", map[string]any{"gen_ai.operation.name": "completion"}, "llm"},
		{"embeddings", "", map[string]any{"gen_ai.operation.name": "embeddings"}, "embedding"},
		{"embedding", "", map[string]any{"gen_ai.operation.name": "embedding"}, "embedding"},
		{"execute_tool", "", map[string]any{"gen_ai.operation.name": "execute_tool"}, "tool"},
		{"retrieval", "", map[string]any{"gen_ai.operation.name": "retrieval"}, "retriever"},
		{"invoke_agent", "", map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.tool.name": "x"}, "chain"},
		{"create_agent", "", map[string]any{"gen_ai.operation.name": "create_agent"}, "chain"},
		{"invoke_workflow", "", map[string]any{"gen_ai.operation.name": "invoke_workflow"}, "chain"},
		{"unknown operation falls through", "", map[string]any{"gen_ai.operation.name": "dance", "openinference.span.kind": "TOOL"}, "tool"},
		{"operation beats openinference", "", map[string]any{"gen_ai.operation.name": "chat", "openinference.span.kind": "CHAIN"}, "llm"},
		{"openinference LLM", "", map[string]any{"openinference.span.kind": "LLM"}, "llm"},
		{"openinference EMBEDDING", "", map[string]any{"openinference.span.kind": "EMBEDDING"}, "embedding"},
		{"openinference RETRIEVER", "", map[string]any{"openinference.span.kind": "RETRIEVER"}, "retriever"},
		{"openinference AGENT", "", map[string]any{"openinference.span.kind": "AGENT"}, "chain"},
		{"openinference beats traceloop", "", map[string]any{"openinference.span.kind": "LLM", "traceloop.span.kind": "tool"}, "llm"},
		{"traceloop workflow", "", map[string]any{"traceloop.span.kind": "workflow"}, "chain"},
		{"traceloop task", "", map[string]any{"traceloop.span.kind": "task"}, "chain"},
		{"traceloop tool", "", map[string]any{"traceloop.span.kind": "tool"}, "tool"},
		{"traceloop beats llm.request.type", "", map[string]any{"traceloop.span.kind": "agent", "llm.request.type": "chat"}, "chain"},
		{"openllmetry <=0.54 chat", "", map[string]any{"llm.request.type": "chat", "gen_ai.system": "openai"}, "llm"},
		{"openllmetry completion", "", map[string]any{"llm.request.type": "completion"}, "llm"},
		{"openllmetry embedding", "", map[string]any{"llm.request.type": "embedding"}, "embedding"},
		{"llm.request.type beats tool name", "", map[string]any{"llm.request.type": "chat", "gen_ai.tool.name": "t"}, "llm"},
		{"tool name alone", "", map[string]any{"gen_ai.tool.name": "percentage_change"}, "tool"},
		{"autogen base_tool scope", "base_tool", map[string]any{"tool_name": "percentage_change"}, "tool"},
		{"non-string kind", "", map[string]any{"langsmith.span.kind": 3}, "chain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scope := pcommon.NewInstrumentationScope()
			scope.SetName(tt.scope)
			attrs := pcommon.NewMap()
			if tt.attrs != nil {
				assert.NoError(t, attrs.FromRaw(tt.attrs))
			}
			assert.Equal(t, tt.want, runTypeOf(scope, attrs))
		})
	}
}
