package runmap

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/place"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/spanwalk"
)

// Mapper maps placed spans to runs, choosing each run's project and
// credentials.
type Mapper struct {
	// Project is the project of runs that name none themselves.
	Project string
	// ProjectAttributes are span then resource attributes, tried in order,
	// whose value names a run's project.
	ProjectAttributes []string
	// TenantFor returns the credentials of a project.
	TenantFor func(project string) Tenant
}

// Runs maps every span of td to a run. Spans normally carry their
// placement from place.RunTree.Annotate; one that does not (it cannot be placed
// after the queue) becomes a root run rather than being lost.
func (m *Mapper) Runs(td ptrace.Traces) []*Run {
	runs := make([]*Run, 0, td.SpanCount())
	// The runs of one resource share its runtime map and its attributes'
	// metadata values: they are only encoded, never edited.
	var rtRes pcommon.Resource
	var shared *resourceValues
	spanwalk.Each(td, func(res pcommon.Resource, scope pcommon.InstrumentationScope, span ptrace.Span) {
		if shared == nil || res != rtRes {
			rtRes, shared = res, newResourceValues(res)
		}
		runs = append(runs, m.spanToRun(res, scope, span, shared))
	})
	return runs
}

func (m *Mapper) spanToRun(res pcommon.Resource, scope pcommon.InstrumentationScope, span ptrace.Span, shared *resourceValues) *Run {
	attrs := span.Attributes()
	get := func(k string) string {
		if v, ok := attrs.Get(k); ok {
			return v.Str()
		}
		return ""
	}
	if get(place.AnnotationRunID) == "" {
		place.AsRoot(span)
	}
	c := mapSpanContent(res, scope, span, shared, true)
	start, err := time.Parse(place.RunTimeLayout, get(place.AnnotationStartTime))
	if err != nil {
		start = place.ToMicros(span.StartTimestamp().AsTime())
	}
	end := place.ToMicros(span.EndTimestamp().AsTime())
	if end.Before(start) {
		end = start
	}
	project := m.projectFor(res, span)
	r := &Run{
		ID:          get(place.AnnotationRunID),
		TraceID:     get(place.AnnotationTraceID),
		ParentRunID: get(place.AnnotationParentRunID),
		DottedOrder: get(place.AnnotationDottedOrder),
		Name:        c.Name,
		RunType:     c.RunType,
		StartTime:   place.FormatRunTime(start),
		EndTime:     place.FormatRunTime(end),
		SessionName: project,
		Tags:        c.Tags,
		Inputs:      c.Inputs,
		Outputs:     c.Outputs,
		Events:      c.Events,
		Extra:       c.Extra,
		Error:       c.Error,
		Tenant:      m.TenantFor(project),
	}
	return r
}

// projectFor picks the run's project: the first configured attribute found on
// the span, then on its resource, else the configured default.
func (m *Mapper) projectFor(res pcommon.Resource, span ptrace.Span) string {
	for _, key := range m.ProjectAttributes {
		if v, ok := span.Attributes().Get(key); ok && v.AsString() != "" {
			return v.AsString()
		}
		if v, ok := res.Attributes().Get(key); ok && v.AsString() != "" {
			return v.AsString()
		}
	}
	return m.Project
}
