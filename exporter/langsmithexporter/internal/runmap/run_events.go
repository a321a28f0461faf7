package runmap

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/place"
)

// This file maps span status, exceptions and events to a run's error and events.

// spanError joins every recorded exception; a span marked ERROR without one
// still gets a non-empty error so that LangSmith shows it as failed.
func spanError(span ptrace.Span) string {
	var order []string
	texts := map[string]string{}
	for _, e := range span.Events().All() {
		if e.Name() != "exception" {
			continue
		}
		a := e.Attributes()
		typ, msg := attrString(a, "exception.type"), attrString(a, "exception.message")
		head := typ
		switch {
		case typ != "" && msg != "":
			head = typ + ": " + msg
		case typ == "":
			head = msg
		}
		text := head
		if st := attrString(a, "exception.stacktrace"); st != "" {
			text = strings.TrimLeft(head+"\n"+st, "\n")
		}
		if text == "" {
			continue
		}
		// AutoGen and the OTel SDK both record the same exception as it
		// leaves nested spans; keep it once, with the fullest stack.
		prev, seen := texts[head]
		if !seen {
			order = append(order, head)
		}
		if len(text) > len(prev) {
			texts[head] = text
		}
	}
	if len(order) > 0 {
		errs := make([]string, 0, len(order))
		for _, h := range order {
			errs = append(errs, texts[h])
		}
		return strings.Join(errs, "\n\n")
	}
	if span.Status().Code() != ptrace.StatusCodeError {
		return ""
	}
	return firstNonEmpty(validUTF8(span.Status().Message()), attrString(span.Attributes(), "error.type"), "span status is ERROR")
}

// isChunkEvent matches openllmetry's per-chunk streaming events.
func isChunkEvent(name string) bool {
	return name == "gen_ai.content.completion.chunk" || name == "llm.content.completion.chunk"
}

// runEvents turns span events into run events. The first streaming chunk
// becomes LangSmith's new_token event (time to first token); the others
// are only counted, since one event per token would dwarf the run.
func runEvents(events ptrace.SpanEventSlice, consumed map[int]bool) ([]map[string]any, int) {
	var out []map[string]any
	chunks := 0
	for i, e := range events.All() {
		name := validUTF8(e.Name())
		switch {
		case consumed[i] || name == "exception":
			continue
		case isChunkEvent(name):
			if chunks == 0 {
				out = append(out, map[string]any{"name": "new_token", "time": formatTime(e.Timestamp())})
			}
			chunks++
			continue
		}
		kwargs := make(map[string]any, e.Attributes().Len())
		for k, v := range e.Attributes().All() {
			if !strings.HasPrefix(k, place.AnnotationPrefix) {
				kwargs[validUTF8(k)] = valueToAny(v)
			}
		}
		out = append(out, map[string]any{"name": name, "time": formatTime(e.Timestamp()), "kwargs": kwargs})
	}
	return out, chunks
}

// formatTime is LangSmith's preferred timestamp: UTC, microseconds, "Z".
func formatTime(ts pcommon.Timestamp) string {
	return place.FormatRunTime(ts.AsTime())
}
