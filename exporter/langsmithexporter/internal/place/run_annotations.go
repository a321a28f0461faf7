package langsmithexporter

// The exporter works in two steps. Before the queue, where whole traces are
// still together, it computes what needs the whole trace (ids, parent,
// dotted_order, clamped start, thread id) and writes it onto each span under
// these keys. After the queue, each span is mapped to a run on its own, so the
// queue, its batcher and its persistent form can split batches anywhere.
//
// The keys live in a private namespace and are never copied into metadata.
const (
	annotationPrefix      = "otelcol_langsmith."
	annotationRunID       = annotationPrefix + "run_id"
	annotationTraceID     = annotationPrefix + "trace_id"
	annotationParentRunID = annotationPrefix + "parent_run_id"
	annotationDottedOrder = annotationPrefix + "dotted_order"
	annotationStartTime   = annotationPrefix + "start_time"
	// annotationOrphan is true on a span whose parent never arrived and
	// which is therefore sent as the root of its own trace.
	annotationOrphan = annotationPrefix + "orphan"
	// annotationTraceSplit is true on a span that starts a new LangSmith
	// trace because its own trace reached LangSmith's run limit.
	annotationTraceSplit = annotationPrefix + "trace_split"
	// annotationThreadID carries the trace's conversation id to every span.
	annotationThreadID = annotationPrefix + "thread_id"
)
