package langsmithtest

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strconv"
	"strings"
)

// outOfBandFields are the fields a post/patch may send as separate parts.
var outOfBandFields = map[string]bool{
	"inputs": true, "outputs": true, "events": true, "extra": true, "error": true, "serialized": true,
}

// parseMultipart reads a /runs/multipart body. On error it returns what it parsed so far, so the
// request log still names the runs.
func parseMultipart(body []byte, contentType string) (*ingestBatch, *apiError) {
	b := &ingestBatch{attachments: map[string][]string{}, named: []string{}}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		return b, badRequest(fmt.Sprintf("Content-Type must be multipart/form-data with a boundary, got %q", contentType))
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	byKey := map[string]*operation{}
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF { //nolint:errorlint // a wrapped EOF ("multipart: NextPart: EOF") is a truncated body
			return b, nil
		}
		if err != nil {
			return b, unprocessable("error reading multipart data: " + err.Error())
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return b, unprocessable("error reading multipart data: " + err.Error())
		}
		b.payloadBytes += int64(len(data))
		if aerr := b.addPart(part, data, byKey); aerr != nil {
			return b, aerr
		}
	}
}

// addPart checks one part's headers and name, then files its value into the batch.
func (b *ingestBatch) addPart(part *multipart.Part, data []byte, byKey map[string]*operation) *apiError {
	name := part.FormName()
	if name == "" {
		return badRequest("multipart part without a form-data name")
	}
	if aerr := checkPartHeaders(name, part, len(data)); aerr != nil {
		return aerr
	}
	pieces := strings.Split(name, ".")
	event := pieces[0]
	if len(pieces) < 2 {
		return badRequest(fmt.Sprintf("invalid part name %q: want <event>.<run_id>[.<field>]", name))
	}
	id, ok := canonUUID(pieces[1])
	if !ok {
		return badRequest(fmt.Sprintf("invalid part name %q: %q is not a UUID", name, pieces[1]))
	}
	switch event {
	case "post", "patch":
		b.name(id)
		if len(pieces) > 3 || (len(pieces) == 3 && !outOfBandFields[pieces[2]]) {
			return badRequest(fmt.Sprintf("invalid part name %q: field must be one of inputs, outputs, events, extra, error, serialized", name))
		}
		value, aerr := jsonPart(name, part, data)
		if aerr != nil {
			return aerr
		}
		if len(pieces) == 2 {
			return b.addMainPart(name, event, id, value, byKey)
		}
		return b.addFieldPart(name, event, id, pieces[2], value, byKey)
	case "feedback":
		if len(pieces) != 2 {
			return badRequest(fmt.Sprintf("invalid part name %q: want feedback.<id>", name))
		}
		value, aerr := jsonPart(name, part, data)
		if aerr != nil {
			return aerr
		}
		fb, isObj := value.(map[string]any)
		if tid, _, _ := stringField(fb, "trace_id"); !isObj || tid == "" {
			return badRequest(fmt.Sprintf("part %q: feedback must be a JSON object with trace_id", name))
		}
		b.feedback++
		return nil
	case "attachment":
		if len(pieces) != 3 || pieces[2] == "" {
			return badRequest(fmt.Sprintf("invalid part name %q: want attachment.<run_id>.<name> with no '.' in the name", name))
		}
		if byKey["post."+id] == nil && byKey["patch."+id] == nil {
			return badRequest(fmt.Sprintf("part %q comes before its run's post or patch part", name))
		}
		b.attachments[id] = append(b.attachments[id], pieces[2])
		return nil
	default:
		return badRequest(fmt.Sprintf("invalid part name %q: event must be one of post, patch, feedback, attachment", name))
	}
}

func (b *ingestBatch) addMainPart(name, event, id string, value any, byKey map[string]*operation) *apiError {
	obj, ok := value.(map[string]any)
	if !ok {
		return badRequest(fmt.Sprintf("part %q must be a JSON object, got %s", name, jsonKind(value)))
	}
	bodyID, _, _ := stringField(obj, "id")
	if canon, ok := canonUUID(bodyID); !ok || canon != id {
		return badRequest(fmt.Sprintf("part %q: payload id %q does not match the part's run id", name, bodyID))
	}
	key := event + "." + id
	if byKey[key] != nil {
		// The same run twice in one request is a repeated payload.
		return errConflict
	}
	op := &operation{event: event, id: id, payload: obj}
	byKey[key] = op
	b.ops = append(b.ops, op)
	return nil
}

func (b *ingestBatch) addFieldPart(name, event, id, field string, value any, byKey map[string]*operation) *apiError {
	op := byKey[event+"."+id]
	if op == nil {
		return badRequest(fmt.Sprintf("part %q comes before its run's main part %q", name, event+"."+id))
	}
	if v, dup := op.payload[field]; dup && v != nil {
		return badRequest(fmt.Sprintf("part %q: field %q was already given for this run", name, field))
	}
	if err := checkFieldValue(field, value); err != nil {
		return badRequest(fmt.Sprintf("part %q: %v", name, err))
	}
	op.payload[field] = value
	return nil
}

// checkPartHeaders enforces Content-Type, the declared length and no per-part encoding.
func checkPartHeaders(name string, part *multipart.Part, actual int) *apiError {
	ct := part.Header.Get("Content-Type")
	if ct == "" {
		return badRequest(fmt.Sprintf("part %q has no Content-Type", name))
	}
	if enc := part.Header.Get("Content-Encoding"); enc != "" {
		return badRequest(fmt.Sprintf("part %q has Content-Encoding %q: per-part encoding is not allowed", name, enc))
	}
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return badRequest(fmt.Sprintf("part %q has an invalid Content-Type %q: %v", name, ct, err))
	}
	declared := -1
	for _, src := range []struct{ what, val string }{
		{"Content-Length header", part.Header.Get("Content-Length")},
		{"Content-Type length parameter", params["length"]},
	} {
		if src.val == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(src.val))
		if err != nil || n < 0 {
			return badRequest(fmt.Sprintf("part %q has an invalid %s %q", name, src.what, src.val))
		}
		if n != actual {
			return unprocessable(fmt.Sprintf("part %q declares %d bytes in its %s but has %d", name, n, src.what, actual))
		}
		declared = n
	}
	if declared < 0 {
		return badRequest(fmt.Sprintf("part %q needs a Content-Length header or a length parameter on its Content-Type", name))
	}
	return nil
}

// jsonPart parses a JSON part, which must be declared application/json.
func jsonPart(name string, part *multipart.Part, data []byte) (any, *apiError) {
	mt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
	if mt != "application/json" {
		return nil, badRequest(fmt.Sprintf("part %q must have Content-Type application/json, got %q", name, mt))
	}
	v, err := decodeJSON(data)
	if err != nil {
		return nil, unprocessable(fmt.Sprintf("invalid JSON in part %q: %v", name, err))
	}
	return v, nil
}
