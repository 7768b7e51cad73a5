package records

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"ward/internal/date"
	"ward/internal/strictjson"
	"ward/internal/web/kit"
	"ward/internal/workspace"
)

// ReadJSON decodes a request body strictly (package strictjson): no
// unknown field, no key twice, nothing after the value, valid UTF-8.
func ReadJSON(r *http.Request, v any) error {
	if err := strictjson.Decode(r.Body, 1<<20, v); err != nil {
		return fmt.Errorf("the body is not the JSON expected: %v", err)
	}
	return nil
}

// AsOfWorkspace is the organization's workspace and the date a page's
// rules run for (?as_of, default today); it answers the request itself
// when either fails.
func AsOfWorkspace(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool) (*workspace.Workspace, date.Date, bool) {
	asOf, err := s.RequestAsOf(r)
	if err != nil {
		s.Fail(w, r, api, http.StatusBadRequest, err.Error())
		return nil, date.Date{}, false
	}
	ws, err := s.Workspace(r)
	if err != nil {
		s.ServerError(w, r, api, err)
		return nil, date.Date{}, false
	}
	return ws, asOf, true
}

// ReadJSONBody decodes a request's JSON body (at most 1 MiB) strictly
// into v. Malformed JSON is 400; a field of the wrong type or one the
// body may not have is 422 naming it; what answers, it has written.
func ReadJSONBody(w http.ResponseWriter, r *http.Request, v any, what string) bool {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxRecordBody+1))
	if err != nil || len(data) > maxRecordBody {
		kit.APIError(w, http.StatusBadRequest, "the request body could not be read, or is over 1 MiB")
		return false
	}
	err = strictjson.Unmarshal(data, v)
	if err == nil {
		return true
	}
	msg := fmt.Sprintf("the body must be %s as JSON: %v; nothing was written", what, err)
	var te *json.UnmarshalTypeError
	if errors.As(json.Unmarshal(data, v), &te) && te.Field != "" {
		kit.WriteJSON(w, http.StatusUnprocessableEntity, RecordError{Error: msg, Fields: map[string]string{te.Field: fmt.Sprintf("is %s, not %s", te.Value, te.Type)}})
		return false
	}
	if _, name, ok := strings.Cut(err.Error(), "unknown field "); ok {
		name = strings.Trim(name, `"`)
		kit.WriteJSON(w, http.StatusUnprocessableEntity, RecordError{Error: msg, Fields: map[string]string{name: "is not a field of " + what}})
		return false
	}
	kit.APIError(w, http.StatusBadRequest, msg)
	return false
}

// AnswerError maps a write's errors to a status: bad input is 400, an
// upload over its limit 413, and the rest as writeRefused.
func AnswerError(s *kit.Server, w http.ResponseWriter, r *http.Request, api bool, err error) {
	var in kit.InputError
	switch {
	case errors.As(err, &in):
		s.Fail(w, r, api, http.StatusBadRequest, in.Msg)
	case errors.Is(err, kit.ErrTooLarge):
		s.Fail(w, r, api, http.StatusRequestEntityTooLarge, kit.TooLarge(r.ContentLength, s.MaxUpload()))
	case errors.As(err, new(*kit.TooBig)):
		s.Fail(w, r, api, http.StatusRequestEntityTooLarge, err.Error())
	default:
		WriteRefused(s, w, r, api, err)
	}
}
