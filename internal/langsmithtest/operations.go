package langsmithtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// operation is one post or patch of a run, with its out-of-band fields merged into payload.
type operation struct {
	event   string // "post" or "patch"
	id      string // canonical run id
	payload map[string]any
}

// ingestBatch is a parsed request body, whatever the endpoint.
type ingestBatch struct {
	ops []*operation
	// named are the run ids of post/patch parts in order of first appearance, including parts
	// that were refused, so the request log can say which runs a refused request carried.
	named       []string
	feedback    int
	attachments map[string][]string // run id -> attachment names
	// payloadBytes is what counts against size_limit_bytes: the summed part bodies for multipart
	// (as the SDKs measure it), the whole body for /runs/batch.
	payloadBytes int64
}

func (b *ingestBatch) name(id string) {
	for _, n := range b.named {
		if n == id {
			return
		}
	}
	b.named = append(b.named, id)
}

func (b *ingestBatch) opCount() int { return len(b.ops) + b.feedback }

func (b *ingestBatch) runIDs() []string {
	if b == nil {
		return nil
	}
	if b.named != nil {
		return append([]string(nil), b.named...)
	}
	ids := make([]string, 0, len(b.ops))
	for _, op := range b.ops {
		ids = append(ids, op.id)
	}
	return ids
}

// decodeJSON parses exactly one JSON value, keeping numbers exact.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}
