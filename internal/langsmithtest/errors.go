package langsmithtest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// apiError is a refusal in LangSmith's shape: {"error": "...", "details": "..."}.
type apiError struct {
	status  int
	message string // the "error" text
	details string
	// violations are recorded in Server.Violations (empty for auth failures and 409s).
	violations []string
}

func (e *apiError) write(w http.ResponseWriter) {
	body := map[string]string{"error": e.message}
	if e.details != "" {
		body["details"] = e.details
	}
	writeJSON(w, e.status, body)
}

// badRequest is a rule violation in a readable body (400).
func badRequest(msgs ...string) *apiError {
	return ruleError(http.StatusBadRequest, "Bad request: ", msgs)
}

// unprocessable is a body that could not be read or parsed (422).
func unprocessable(msgs ...string) *apiError {
	return ruleError(http.StatusUnprocessableEntity, "Unprocessable entity: ", msgs)
}

func ruleError(status int, prefix string, msgs []string) *apiError {
	e := &apiError{status: status, message: prefix + msgs[0], violations: msgs}
	if len(msgs) > 1 {
		b, _ := json.Marshal(msgs)
		e.details = string(b)
	}
	return e
}

var errConflict = &apiError{status: http.StatusConflict,
	message: "Conflict: payload already received: payloads already received"}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
