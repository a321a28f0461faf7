package runmap

import (
	"regexp"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/place"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/jsonenc"
)

// spanContent is everything about a run that can be read from its own span.
type spanContent struct {
	Name    string
	RunType string           // llm, chain, tool, retriever, embedding, prompt, parser
	Inputs  map[string]any   // JSON object or nil
	Outputs map[string]any   // JSON object or nil
	Events  []map[string]any // {"name","time","kwargs"}; nil when none
	Extra   map[string]any   // {"metadata":jsonenc.Object, "invocation_params":{...}, "runtime":{...}}
	Error   string
	Tags    []string
}

// runtimeSDK identifies this exporter in the run's "Runtime" panel.
var runtimeSDK = map[string]any{"sdk": "otelcol-langsmith", "library": "langsmith-exporter", "runtime": "go"}

// mapSpan reads one span (and its resource and scope) into run content. It
// never fails: unreadable values are kept as raw strings and invalid UTF-8
// is repaired, so one bad attribute cannot cost the rest of the run. shared
// is newResourceValues(res), shared by the runs of a resource.
func mapSpan(res pcommon.Resource, scope pcommon.InstrumentationScope, span ptrace.Span, shared *resourceValues) spanContent {
	return mapSpanContent(res, scope, span, shared, false)
}

// mapSpanContent is mapSpan; with placed, the placement's metadata
// (addPlacementMetadata) is added too, as for a run.
func mapSpanContent(res pcommon.Resource, scope pcommon.InstrumentationScope, span ptrace.Span, shared *resourceValues, placed bool) spanContent {
	attrs := span.Attributes()
	used := keySet{}
	c := spanContent{RunType: runTypeOf(scope, attrs)}
	c.Name = runName(span, attrs, c.RunType)

	msgs := mapMessages(c.RunType, attrs, span.Events(), used)
	c.Inputs, c.Outputs = msgs.inputs, msgs.outputs

	// Built in pooled scratch space; Sorted copies it to a slice of its
	// exact size (runs wait in the exporter's queue with it).
	scratch := metadataScratch.Get().(*jsonenc.Object)
	md := append((*scratch)[:0], shared.attrs...)
	md = copyAttributes(md, attrs, func(k string) bool { return !used[k] && !isMappedAttribute(k) })
	md = mergeOpenInferenceMetadata(md, attrs)
	md = copyPrefixed(md, attrs, "traceloop.association.properties.")

	invocation := invocationParams(attrs)
	if c.RunType == runTypeLLM || c.RunType == runTypeEmbedding {
		md = addModelMetadata(md, attrs, invocation, c.RunType, c.Inputs)
	}
	// Explicit LangSmith metadata wins over everything derived.
	md = copyPrefixed(md, attrs, "langsmith.metadata.")

	if usage := usageMetadata(attrs); usage != nil {
		if c.Outputs == nil {
			c.Outputs = map[string]any{}
		}
		c.Outputs["usage_metadata"] = usage
		// LangSmith reads usage from either place; the map is only encoded,
		// never edited, so both can share it.
		md = append(md, jsonenc.Member{Key: "usage_metadata", Value: usage})
	}

	var chunks int
	c.Events, chunks = runEvents(span.Events(), msgs.usedEvents)
	if chunks > 0 {
		md = append(md, jsonenc.Member{Key: "stream_chunks", Value: chunks})
	}
	md = addTraceability(md, scope, span, shared)
	if placed {
		md = addPlacementMetadata(md, span)
	}

	final := md.Sorted()
	clear(md)
	if cap(md) <= maxPooledMetadata {
		*scratch = md[:0]
		metadataScratch.Put(scratch)
	}
	c.Extra = map[string]any{"metadata": final, "runtime": shared.runtime}
	if len(invocation) > 0 {
		c.Extra["invocation_params"] = invocation
	}
	c.Error = spanError(span)
	c.Tags = spanTags(attrs)
	return c
}

// metadataScratch holds the slices run metadata is built in.
var metadataScratch = sync.Pool{New: func() any { md := make(jsonenc.Object, 0, 64); return &md }}

// maxPooledMetadata: scratch that grew beyond it (a span with thousands of
// attributes) is left to the garbage collector.
const maxPooledMetadata = 1024

// addPlacementMetadata adds what the placement's annotations say about the
// run: the trace's thread id (unless the span set one) and why a run with a
// parent is a root.
func addPlacementMetadata(md jsonenc.Object, span ptrace.Span) jsonenc.Object {
	attrs := span.Attributes()
	if v, ok := attrs.Get(place.AnnotationThreadID); ok {
		if tid := v.Str(); tid != "" && md.Index("thread_id") < 0 {
			md = append(md, jsonenc.StrMember("thread_id", tid))
		}
	}
	if v, ok := attrs.Get(place.AnnotationOrphan); ok && v.Bool() {
		// Say why this run is a root, so nobody hunts for its parent.
		md = append(md, jsonenc.Member{Key: "ls_orphan", Value: true},
			jsonenc.StrMember("otel_missing_parent_span_id", span.ParentSpanID().String()))
	}
	if v, ok := attrs.Get(place.AnnotationTraceSplit); ok && v.Bool() {
		// LangSmith takes at most 25,000 runs a trace: the rest continue in
		// traces of their own rather than being refused.
		md = append(md, jsonenc.Member{Key: "ls_trace_split", Value: true},
			jsonenc.StrMember("otel_parent_span_id", span.ParentSpanID().String()))
	}
	return md
}

// genericLLMSpanName matches instrumentation span names that say nothing
// about the call, e.g. openllmetry's "openai.chat" or "ChatOpenAI.chat".
var genericLLMSpanName = regexp.MustCompile(`^[A-Za-z0-9_-]+\.(chat|completion|completions|embeddings|response|responses|generate|generate_content)$`)

// runName: LangSmith's explicit name, then the tool name for tools, then the
// requested model for LLM spans with a generic instrumentation name (the
// model the app asked for, "gpt-4o", reads better than "openai.chat" and
// stays stable across the provider's dated snapshots), then the span name.
func runName(span ptrace.Span, attrs pcommon.Map, runType string) string {
	if n := strings.TrimSpace(attrString(attrs, "langsmith.trace.name")); n != "" {
		return n
	}
	spanName := validUTF8(span.Name())
	if runType == runTypeTool {
		if n := firstAttrString(attrs, "gen_ai.tool.name", "tool.name", "tool_name"); n != "" {
			return n
		}
	}
	if runType == runTypeLLM && genericLLMSpanName.MatchString(spanName) {
		if m := firstAttrString(attrs, "gen_ai.request.model", "gen_ai.response.model", "llm.model_name", "llm.request.model", "llm.response.model"); m != "" {
			return m
		}
	}
	if spanName != "" {
		return spanName
	}
	if n := attrString(attrs, "traceloop.entity.name"); n != "" {
		return n
	}
	return runType
}

// mappedPrefixes are attribute families that become inputs, outputs, usage,
// invocation params or tags; repeating them in metadata would only double
// the size of each run.
var mappedPrefixes = []string{
	place.AnnotationPrefix,
	"langsmith.",
	"gen_ai.prompt.", "gen_ai.completion.",
	"gen_ai.usage.", "llm.usage.", "llm.token_count.",
	"gen_ai.request.",
	"llm.request.functions.", "llm.input_messages.", "llm.output_messages.", "llm.tools.",
	"llm.prompts.", "traceloop.association.properties.", "retrieval.documents.",
}

var mappedKeys = map[string]bool{
	"gen_ai.prompt": true, "gen_ai.completion": true,
	"gen_ai.input.messages": true, "gen_ai.output.messages": true,
	"gen_ai.system_instructions": true, "gen_ai.tool.definitions": true,
	"input.value": true, "output.value": true, "input.mime_type": true, "output.mime_type": true,
	"traceloop.entity.input": true, "traceloop.entity.output": true,
	"llm.invocation_parameters": true, "metadata": true,
}
