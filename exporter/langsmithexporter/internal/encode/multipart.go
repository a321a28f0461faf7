// Package encode is the exporter's encoding stage: each run is serialised
// once into its multipart parts, and requests are written as multipart (or
// /runs/batch) bodies and compressed.
package encode

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync"

	"github.com/google/uuid"

	"github.com/otelcol-langsmith/otelcol-langsmith/exporter/langsmithexporter/internal/runmap"
	"github.com/otelcol-langsmith/otelcol-langsmith/internal/jsonenc"
)

// BoundaryLen is the length of the random boundaries NewBoundary makes;
// request sizes are planned with it before the boundary is drawn.
const BoundaryLen = 32

// multipartPart is one form-data part: its name and its JSON value.
type multipartPart struct {
	name string
	body []byte
}

// EncodedRun is a run serialised once; bisection after a 400 or 413 resends
// the same bytes without encoding again.
type EncodedRun struct {
	Run   *runmap.Run
	parts []multipartPart
	// Size is the run's share of a multipart body with a BoundaryLen
	// boundary: every part with its delimiter and headers.
	Size int
}

// Run serialises a run into its multipart parts, in the SDK's order:
// the main part, then inputs, outputs, events, extra and error when set.
//
// A field whose value JSON cannot represent (NaN, a channel...) is replaced
// by a note saying so, and reported in fieldErrs, so that one bad attribute
// does not cost the whole run. An unusable run id is an error: it would end
// up in a part name and LangSmith requires UUIDs.
func Run(r *runmap.Run) (er *EncodedRun, fieldErrs []error, err error) {
	if _, perr := uuid.Parse(r.ID); perr != nil || len(r.ID) != 36 {
		return nil, nil, fmt.Errorf("run id %q is not a UUID", r.ID)
	}
	// Every part is appended to one pooled scratch buffer, then copied once
	// into a buffer of the exact size that the parts are slices of.
	scratch := encodeBufs.Get().(*[]byte)
	buf := appendRunMain((*scratch)[:0], r)
	ends := [6]int{len(buf)}
	// The part names, "post.<id>" then "post.<id>.<field>", are written
	// one after the other into one string and sliced from it.
	fields := [6]string{}
	n := 1
	add := func(field string, v any) {
		start := len(buf)
		var ferr error
		buf, ferr = jsonenc.Append(buf, v)
		if ferr != nil {
			buf = buf[:start]
			fieldErrs = append(fieldErrs, fmt.Errorf("run %s field %s: %w", r.ID, field, ferr))
			var note any = map[string]any{"otelcol_langsmith_encoding_error": ferr.Error()}
			if field == "events" {
				note = []any{map[string]any{
					"name":   "otelcol_langsmith_encoding_error",
					"kwargs": map[string]any{"error": ferr.Error()},
				}}
			}
			buf, _ = jsonenc.Append(buf, note)
		}
		ends[n], fields[n] = len(buf), field
		n++
	}
	if len(r.Inputs) > 0 {
		add("inputs", r.Inputs)
	}
	if len(r.Outputs) > 0 {
		add("outputs", r.Outputs)
	}
	if len(r.Events) > 0 {
		add("events", r.Events)
	}
	if len(r.Extra) > 0 {
		add("extra", r.Extra)
	}
	if r.Error != "" {
		add("error", r.Error)
	}
	body := make([]byte, len(buf))
	copy(body, buf)
	if cap(buf) <= maxPooledEncodeBuf {
		*scratch = buf[:0]
		encodeBufs.Put(scratch)
	}
	buf = body
	var nameBuf [512]byte
	nb := nameBuf[:0]
	nameEnds := [6]int{}
	for i := 0; i < n; i++ {
		nb = append(nb, "post."...)
		nb = append(nb, r.ID...)
		if i > 0 {
			nb = append(nb, '.')
			nb = append(nb, fields[i]...)
		}
		nameEnds[i] = len(nb)
	}
	names := string(nb)
	if n <= len(encodedRunBlock{}.parts) {
		// One allocation for the run and its parts (most runs have at
		// most three).
		block := &encodedRunBlock{EncodedRun: EncodedRun{Run: r}}
		er = &block.EncodedRun
		er.parts = block.parts[:n:n]
	} else {
		er = &EncodedRun{Run: r, parts: make([]multipartPart, n)}
	}
	start, nameStart := 0, 0
	for i := 0; i < n; i++ {
		// Full slice expressions: appending to one part can never overwrite the next.
		er.parts[i] = multipartPart{name: names[nameStart:nameEnds[i]], body: buf[start:ends[i]:ends[i]]}
		er.Size += partSize(BoundaryLen, er.parts[i])
		start, nameStart = ends[i], nameEnds[i]
	}
	return er, fieldErrs, nil
}

// encodedRunBlock holds an EncodedRun and the array its parts slice.
type encodedRunBlock struct {
	EncodedRun
	parts [3]multipartPart
}

// decimalLen is len(strconv.Itoa(n)) for n >= 0, without the string.
func decimalLen(n int) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// encodeBufs pools Run's scratch buffers; one that grew beyond
// maxPooledEncodeBuf (a huge run) is left to the garbage collector.
var encodeBufs = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

const maxPooledEncodeBuf = 1 << 20

const (
	partDispositionPrefix = "Content-Disposition: form-data; name=\""
	partDispositionSuffix = "\"\r\n"
	partContentType       = "Content-Type: application/json\r\n"
	partLengthPrefix      = "Content-Length: "
	crlf                  = "\r\n"
)

// partSize is the exact number of bytes WriteMultipart writes for p.
func partSize(boundaryLength int, p multipartPart) int {
	return 2 + boundaryLength + len(crlf) +
		len(partDispositionPrefix) + len(p.name) + len(partDispositionSuffix) +
		len(partContentType) +
		len(partLengthPrefix) + decimalLen(len(p.body)) + len(crlf) +
		len(crlf) +
		len(p.body) + len(crlf)
}

// ClosingSize is the size of the final delimiter "--B--\r\n": what a body
// adds to the sizes of its runs.
func ClosingSize(boundaryLength int) int { return boundaryLength + 6 }

// multipartBodySize is the exact size of WriteMultipart's output for runs
// with a BoundaryLen boundary.
func multipartBodySize(runs []*EncodedRun) int {
	n := ClosingSize(BoundaryLen)
	for _, r := range runs {
		n += r.Size
	}
	return n
}

// WriteMultipart writes the multipart/form-data body of runs. The output is
// a pure function of runs and boundary, which the golden test relies on.
func WriteMultipart(buf *bytes.Buffer, boundary string, runs []*EncodedRun) {
	buf.Grow(multipartBodySize(runs))
	for _, r := range runs {
		for _, p := range r.parts {
			buf.WriteString("--")
			buf.WriteString(boundary)
			buf.WriteString(crlf)
			buf.WriteString(partDispositionPrefix)
			buf.WriteString(p.name)
			buf.WriteString(partDispositionSuffix)
			buf.WriteString(partContentType)
			buf.WriteString(partLengthPrefix)
			buf.Write(strconv.AppendInt(buf.AvailableBuffer(), int64(len(p.body)), 10))
			buf.WriteString(crlf)
			buf.WriteString(crlf)
			buf.Write(p.body)
			buf.WriteString(crlf)
		}
	}
	buf.WriteString("--")
	buf.WriteString(boundary)
	buf.WriteString("--")
	buf.WriteString(crlf)
}

// NewBoundary draws a random boundary of BoundaryLen hex digits that occurs
// in none of the parts (a collision is astronomically unlikely, but a body
// that contains its own boundary would be silently cut by the server).
func NewBoundary(runs []*EncodedRun) string {
	for {
		var b [BoundaryLen / 2]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		boundary := hex.EncodeToString(b[:])
		if !boundaryOccurs(boundary, runs) {
			return boundary
		}
	}
}

func boundaryOccurs(boundary string, runs []*EncodedRun) bool {
	bb := []byte(boundary)
	for _, r := range runs {
		for _, p := range r.parts {
			if bytes.Contains(p.body, bb) {
				return true
			}
		}
	}
	return false
}

// WriteBatchBody writes the /runs/batch body {"post":[...],"patch":[]}, each
// run being its main JSON object with the out-of-band fields inlined, from
// the same bytes as the multipart parts.
func WriteBatchBody(buf *bytes.Buffer, runs []*EncodedRun) {
	buf.WriteString(`{"post":[`)
	for i, r := range runs {
		if i > 0 {
			buf.WriteByte(',')
		}
		main := r.parts[0].body
		// main is a non-empty JSON object ("id" is always present): drop its
		// closing brace and append the other fields.
		buf.Write(main[:len(main)-1])
		prefix := r.parts[0].name + "."
		for _, p := range r.parts[1:] {
			buf.WriteString(`,"`)
			buf.WriteString(p.name[len(prefix):])
			buf.WriteString(`":`)
			buf.Write(p.body)
		}
		buf.WriteByte('}')
	}
	buf.WriteString(`],"patch":[]}`)
}

// appendRunMain writes a run's main part: the fields of run's JSON tags, in
// their order, with the same omitempty rules.
func appendRunMain(dst []byte, r *runmap.Run) []byte {
	dst = append(dst, `{"id":`...)
	dst = jsonenc.AppendString(dst, r.ID)
	dst = append(dst, `,"trace_id":`...)
	dst = jsonenc.AppendString(dst, r.TraceID)
	if r.ParentRunID != "" {
		dst = append(dst, `,"parent_run_id":`...)
		dst = jsonenc.AppendString(dst, r.ParentRunID)
	}
	dst = append(dst, `,"dotted_order":`...)
	dst = jsonenc.AppendString(dst, r.DottedOrder)
	dst = append(dst, `,"name":`...)
	dst = jsonenc.AppendString(dst, r.Name)
	dst = append(dst, `,"run_type":`...)
	dst = jsonenc.AppendString(dst, r.RunType)
	dst = append(dst, `,"start_time":`...)
	dst = jsonenc.AppendString(dst, r.StartTime)
	if r.EndTime != "" {
		dst = append(dst, `,"end_time":`...)
		dst = jsonenc.AppendString(dst, r.EndTime)
	}
	dst = append(dst, `,"session_name":`...)
	dst = jsonenc.AppendString(dst, r.SessionName)
	if len(r.Tags) > 0 {
		dst = append(dst, `,"tags":`...)
		dst, _ = jsonenc.Append(dst, r.Tags)
	}
	return append(dst, '}')
}
