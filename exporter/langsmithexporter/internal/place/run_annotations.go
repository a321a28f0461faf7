package place

// The exporter works in two steps. Before the queue, where whole traces are
// still together, it computes what needs the whole trace (ids, parent,
// dotted_order, clamped start, thread id) and writes it onto each span under
// these keys. After the queue, each span is mapped to a run on its own, so the
// queue, its batcher and its persistent form can split batches anywhere.
//
// The keys live in a private namespace and are never copied into metadata.
const (
	AnnotationPrefix      = "otelcol_langsmith."
	AnnotationRunID       = AnnotationPrefix + "run_id"
	AnnotationTraceID     = AnnotationPrefix + "trace_id"
	AnnotationParentRunID = AnnotationPrefix + "parent_run_id"
	AnnotationDottedOrder = AnnotationPrefix + "dotted_order"
	AnnotationStartTime   = AnnotationPrefix + "start_time"
	// AnnotationOrphan is true on a span whose parent never arrived and
	// which is therefore sent as the root of its own trace.
	AnnotationOrphan = AnnotationPrefix + "orphan"
	// AnnotationTraceSplit is true on a span that starts a new LangSmith
	// trace because its own trace reached LangSmith's run limit.
	AnnotationTraceSplit = AnnotationPrefix + "trace_split"
	// AnnotationThreadID carries the trace's conversation id to every span.
	AnnotationThreadID = AnnotationPrefix + "thread_id"
)
