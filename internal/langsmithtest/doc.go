// Package langsmithtest is a LangSmith-compatible ingestion server for tests, the demo and benchmarks.
//
// It is deliberately strict: it enforces the ingestion rules documented for LangSmith's
// /runs/multipart and /runs/batch endpoints (part naming and headers, compression, dotted_order
// invariants, trace_id = root run id, 409 on duplicates, /info limits) and records every run it
// accepted, every request and every rule violation, so tests can assert on all three.
//
// Choices where LangSmith's behaviour is undocumented (the strict reading is taken each time):
//   - A request that repeats a stored run id (post) is answered 409 and nothing of it is stored,
//     not even its other runs. A request that breaks any rule is answered 400/415/422 and stores
//     nothing either: every request is all-or-nothing.
//   - Body reading problems (broken multipart framing, undecodable compression, unparsable JSON,
//     wrong part length) answer 422; rule problems in a readable body answer 400; an unknown or
//     disabled Content-Encoding answers 415.
//   - Ignoring /info (more operations than size_limit, more part bytes than size_limit_bytes,
//     multipart although use_multipart_endpoint is false) is recorded as a violation, yet the
//     request is processed as LangSmith would, unless its uncompressed body is above MaxBodyBytes
//     (413, also a violation). A Content-Encoding that /info's instance_flags disable is refused
//     with 415, as a server without that decoder would.
//   - size_limit_bytes is compared with the summed part bodies of a multipart request (how the
//     SDKs measure it) and with the whole body of a /runs/batch request.
//   - A patch must name a run already stored or posted earlier in the same request, and may only
//     set fields (end_time, outputs, error, events) the run does not have yet (else 409).
//   - Authentication failures (401/403) and 409s are not rule violations; they show in Requests.
package langsmithtest
