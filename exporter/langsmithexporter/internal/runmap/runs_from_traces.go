package langsmithexporter

import (
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
)

// runsFromTraces maps every span of td to a run. Spans normally carry their
// placement from runTree.annotate; one that does not (it cannot be placed
// after the queue) becomes a root run rather than being lost.
func (e *langsmithExporter) runsFromTraces(td ptrace.Traces) []*run {
	runs := make([]*run, 0, td.SpanCount())
	spanwalk.Each(td, func(res pcommon.Resource, scope pcommon.InstrumentationScope, span ptrace.Span) {
		runs = append(runs, e.spanToRun(res, scope, span))
	})
	return runs
}

func (e *langsmithExporter) spanToRun(res pcommon.Resource, scope pcommon.InstrumentationScope, span ptrace.Span) *run {
	attrs := span.Attributes()
	get := func(k string) string {
		if v, ok := attrs.Get(k); ok {
			return v.Str()
		}
		return ""
	}
	if get(annotationRunID) == "" {
		placeAsRoot(span)
	}
	c := mapSpan(res, scope, span)
	start, err := time.Parse(runTimeLayout, get(annotationStartTime))
	if err != nil {
		start = toMicros(span.StartTimestamp().AsTime())
	}
	end := toMicros(span.EndTimestamp().AsTime())
	if end.Before(start) {
		end = start
	}
	project := e.projectFor(res, span)
	r := &run{
		ID:          get(annotationRunID),
		TraceID:     get(annotationTraceID),
		ParentRunID: get(annotationParentRunID),
		DottedOrder: get(annotationDottedOrder),
		Name:        c.Name,
		RunType:     c.RunType,
		StartTime:   formatRunTime(start),
		EndTime:     formatRunTime(end),
		SessionName: project,
		Tags:        c.Tags,
		Inputs:      c.Inputs,
		Outputs:     c.Outputs,
		Events:      c.Events,
		Extra:       c.Extra,
		Error:       c.Error,
		Tenant:      e.cfg.tenantFor(project),
	}
	metadata := runMetadata(r)
	if tid := get(annotationThreadID); tid != "" {
		if _, set := metadata["thread_id"]; !set {
			metadata["thread_id"] = tid
		}
	}
	if v, ok := attrs.Get(annotationOrphan); ok && v.Bool() {
		// Say why this run is a root, so nobody hunts for its parent.
		metadata["ls_orphan"] = true
		metadata["otel_missing_parent_span_id"] = span.ParentSpanID().String()
	}
	if v, ok := attrs.Get(annotationTraceSplit); ok && v.Bool() {
		// LangSmith takes at most 25,000 runs a trace: the rest continue in
		// traces of their own rather than being refused.
		metadata["ls_trace_split"] = true
		metadata["otel_parent_span_id"] = span.ParentSpanID().String()
	}
	return r
}

// runMetadata returns the run's extra.metadata map, creating it if needed.
func runMetadata(r *run) map[string]any {
	if r.Extra == nil {
		r.Extra = map[string]any{}
	}
	m, ok := r.Extra["metadata"].(map[string]any)
	if !ok {
		m = map[string]any{}
		r.Extra["metadata"] = m
	}
	return m
}

// placeAsRoot places a span that reached the sender without a placement.
func placeAsRoot(span ptrace.Span) {
	start := toMicros(span.StartTimestamp().AsTime())
	id := runIDFor(span.TraceID(), span.SpanID(), span.StartTimestamp().AsTime())
	attrs := span.Attributes()
	attrs.PutStr(annotationRunID, id.String())
	attrs.PutStr(annotationTraceID, id.String())
	attrs.PutStr(annotationDottedOrder, dottedSegment(start, uuid.UUID(id)))
	attrs.PutStr(annotationStartTime, formatRunTime(start))
	if !span.ParentSpanID().IsEmpty() {
		attrs.PutBool(annotationOrphan, true)
	}
}

// projectFor picks the run's project: the first configured attribute found on
// the span, then on its resource, else the configured default.
func (e *langsmithExporter) projectFor(res pcommon.Resource, span ptrace.Span) string {
	for _, key := range e.cfg.ProjectAttributes {
		if v, ok := span.Attributes().Get(key); ok && v.AsString() != "" {
			return v.AsString()
		}
		if v, ok := res.Attributes().Get(key); ok && v.AsString() != "" {
			return v.AsString()
		}
	}
	return e.cfg.Project
}
