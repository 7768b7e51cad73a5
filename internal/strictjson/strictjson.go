// Package strictjson decodes a JSON request body the strict way: one
// value and nothing after it, no key given twice in an object, no field
// the target does not have, valid UTF-8 throughout (encoding/json would
// otherwise replace a bad byte with U+FFFD without a word), and nesting
// no deeper than MaxDepth. Every error names the byte offset where the
// body stops being acceptable.
package strictjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"
)

// MaxDepth bounds the nesting of objects and arrays. ward's records are
// a few levels deep; a body nested thousands deep is an attack.
const MaxDepth = 32

// ErrTooLarge is returned for a body over the limit.
var ErrTooLarge = errors.New("the body is too large")

// Decode reads at most limit bytes from r and decodes them into v.
func Decode(r io.Reader, limit int64, v any) error {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return fmt.Errorf("reading the body: %w", err)
	}
	if int64(len(data)) > limit {
		return fmt.Errorf("%w: over %d bytes", ErrTooLarge, limit)
	}
	return Unmarshal(data, v)
}

// Unmarshal decodes data into v, strictly.
func Unmarshal(data []byte, v any) error {
	if err := Check(data); err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return fmt.Errorf("at byte %d: %v", se.Offset, se)
		case errors.As(err, &te):
			return fmt.Errorf("at byte %d: %s is %s, not %s", te.Offset, field(te.Field), te.Value, jsonType(te.Type))
		}
		return err
	}
	return nil
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// jsonType names the JSON value a Go type takes, for a client that knows
// JSON and not Go: "object", not a struct's Go spelling.
func jsonType(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "string" // a date, for one: written as text
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "whole number"
	case reflect.Float32, reflect.Float64:
		return "number"
	}
	return t.String()
}

func field(f string) string {
	if f == "" {
		return "the body"
	}
	return f
}

// Check validates data without decoding it into anything: UTF-8, one
// value with nothing after it, no duplicate keys, bounded depth.
func Check(data []byte) error {
	if i := invalidUTF8(data); i >= 0 {
		return fmt.Errorf("at byte %d: not valid UTF-8", i)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := value(d, data, 0); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return fmt.Errorf("at byte %d: data after the JSON value", d.InputOffset())
	}
	return nil
}

// at is where the next token starts: past blanks and separators.
func at(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
		off++
	}
	return off
}

func value(d *json.Decoder, data []byte, depth int) error {
	start := at(data, d.InputOffset())
	tok, err := d.Token()
	if err == io.EOF {
		return errors.New("the body is empty: send one JSON value")
	}
	if err != nil {
		return syntax(err, start)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth >= MaxDepth {
		return fmt.Errorf("at byte %d: nested more than %d deep", start, MaxDepth)
	}
	switch delim {
	case '{':
		seen := map[string]bool{}
		for d.More() {
			off := at(data, d.InputOffset())
			k, err := d.Token()
			if err != nil {
				return syntax(err, off)
			}
			key, _ := k.(string)
			if seen[key] {
				return fmt.Errorf("at byte %d: key %q is given twice", off, key)
			}
			seen[key] = true
			if err := value(d, data, depth+1); err != nil {
				return err
			}
		}
	case '[':
		for d.More() {
			if err := value(d, data, depth+1); err != nil {
				return err
			}
		}
	}
	off := at(data, d.InputOffset())
	if _, err := d.Token(); err != nil { // the closing delimiter
		return syntax(err, off)
	}
	return nil
}

func syntax(err error, at int64) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("at byte %d: %v", se.Offset, se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("at byte %d: the JSON ends too early", at)
	}
	return fmt.Errorf("at byte %d: %v", at, err)
}

func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}
