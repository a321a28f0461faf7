package langsmithtest

import (
	"fmt"
	"mime"
)

// parseBatch reads a /runs/batch body: {"post": [Run...], "patch": [Run...]}.
func parseBatch(body []byte, contentType string) (*ingestBatch, *apiError) {
	b := &ingestBatch{attachments: map[string][]string{}, payloadBytes: int64(len(body))}
	if mt, _, err := mime.ParseMediaType(contentType); err != nil || mt != "application/json" {
		return b, badRequest(fmt.Sprintf("Content-Type must be application/json, got %q", contentType))
	}
	v, err := decodeJSON(body)
	if err != nil {
		return b, unprocessable("invalid JSON body: " + err.Error())
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return b, badRequest(fmt.Sprintf("body must be a JSON object with post and patch arrays, got %s", jsonKind(v)))
	}
	seen := map[string]bool{}
	for _, event := range []string{"post", "patch"} {
		raw, present := obj[event]
		if !present || raw == nil {
			continue
		}
		list, ok := raw.([]any)
		if !ok {
			return b, badRequest(fmt.Sprintf("'%s' must be an array, got %s", event, jsonKind(raw)))
		}
		for i, item := range list {
			run, ok := item.(map[string]any)
			if !ok {
				return b, badRequest(fmt.Sprintf("'%s[%d]' must be a JSON object, got %s", event, i, jsonKind(item)))
			}
			rawID, _, _ := stringField(run, "id")
			id, ok := canonUUID(rawID)
			if !ok {
				return b, badRequest(fmt.Sprintf("invalid 'id' %q in %s[%d]: not a UUID", rawID, event, i))
			}
			if seen[event+id] {
				return b, errConflict
			}
			seen[event+id] = true
			b.ops = append(b.ops, &operation{event: event, id: id, payload: run})
		}
	}
	return b, nil
}
