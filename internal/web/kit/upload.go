package kit

import (
	"errors"
	"fmt"
)

func (s *Server) MaxUpload() int64 { return s.Config.MaxUpload }

func TooLarge(got, limit int64) string {
	if got > 0 {
		return fmt.Sprintf("the upload is %s, over the limit of %s per request: upload fewer or smaller files at a time", HumanBytes(got), HumanBytes(limit))
	}
	return fmt.Sprintf("the upload is over the limit of %s per request: upload fewer or smaller files at a time", HumanBytes(limit))
}

// InputError is bad input from the form: 400 with its message.
type InputError struct{ Msg string }

func (e InputError) Error() string { return e.Msg }

func BadInput(format string, args ...any) error { return InputError{fmt.Sprintf(format, args...)} }

var ErrTooLarge = errors.New("too large")
