package dialect // import "github.com/otelcol-langsmith/otelcol-langsmith/processor/agentspanprocessor/internal/dialect"

import (
	"unsafe"

	"github.com/otelcol-langsmith/otelcol-langsmith/internal/jsonenc"
)

// MarshalJSON is json.Marshal (HTML escaping on) for the values dialects
// write as message attributes, by the appending encoder instead of by
// reflection: a rewrite marshals a few dozen of them.
func MarshalJSON(v any) ([]byte, error) {
	return jsonenc.AppendHTML(make([]byte, 0, 256), v)
}

// MarshalJSONString is MarshalJSON as a string, without copying the bytes:
// the buffer is the string's and is never written again.
func MarshalJSONString(v any) (string, error) {
	b, err := MarshalJSON(v)
	if err != nil || len(b) == 0 {
		return "", err
	}
	return unsafe.String(&b[0], len(b)), nil
}
