package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
)

// Limits on a workspace file's shape, checked before the YAML parser sees
// it: the parser's memory grows with nesting, and a 200 KB file of
// 100,000 nested brackets would exhaust it (issue 20, finding 11).
const (
	// MaxFileBytes is the largest workspace file: an MSP's biggest
	// client fits in a few MB.
	MaxFileBytes = 32 << 20
	// MaxDepth is the deepest nesting of mappings and lists; a workspace
	// record is a few levels deep.
	MaxDepth = 64
)

// CheckYAML is checkShape for other YAML files ward reads from outside
// (a CSV import's mapping): nil, or an error naming the file and line.
func CheckYAML(file string, data []byte) error {
	if e := checkShape(file, data); e != nil {
		return *e
	}
	return nil
}

// checkShape reports the first problem with a file's bytes before they
// are parsed: not UTF-8 (with the line and byte), or nested too deep.
func checkShape(file string, data []byte) *Error {
	if len(data) > MaxFileBytes {
		return &Error{File: file, Line: 1, Msg: fmt.Sprintf("the file is %d MB; a workspace file holds at most %d MB (split it: every *.yaml of the folder is read)", len(data)>>20, MaxFileBytes>>20)}
	}
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			line := 1 + bytes.Count(data[:i], []byte("\n"))
			col := i - bytes.LastIndexByte(data[:i], '\n')
			return &Error{File: file, Line: line, Msg: fmt.Sprintf("byte %d (column %d) is not valid UTF-8: save the file as UTF-8", i, col)}
		}
		i += n
	}
	if line, depth := nesting(data); depth > MaxDepth {
		return &Error{File: file, Line: line, Msg: fmt.Sprintf("nested more than %d levels deep: a workspace record is a few levels deep", MaxDepth)}
	}
	return nil
}

// nesting measures how deep a YAML document nests, without parsing it:
// block levels by indentation (and each compact "- " that opens a list
// inside a list), plus flow levels by brackets outside quotes. It stops
// at the first line past MaxDepth and returns that line and depth. Text
// inside block scalars (| and >) is skipped. It errs on the side of
// counting more, never less, for input built to be deep.
func nesting(data []byte) (line, depth int) {
	var stack []int // indentation of the open block levels
	flow := 0
	quote := byte(0) // ' or " while inside a quoted scalar
	scalar := -1     // indentation of the line that opened a block scalar
	for n, raw := range bytes.Split(data, []byte("\n")) {
		line = n + 1
		l := bytes.TrimRight(raw, "\r")
		indent := 0
		for indent < len(l) && l[indent] == ' ' {
			indent++
		}
		rest := l[indent:]
		blank := len(bytes.TrimSpace(rest)) == 0
		if scalar >= 0 {
			if blank || indent > scalar {
				continue
			}
			scalar = -1
		}
		if blank || (quote == 0 && flow == 0 && rest[0] == '#') {
			continue
		}
		if quote == 0 && flow == 0 {
			for len(stack) > 0 && stack[len(stack)-1] >= indent {
				stack = stack[:len(stack)-1]
			}
			stack = append(stack, indent)
			col := indent
			for len(rest) >= 2 && rest[0] == '-' && (rest[1] == ' ' || rest[1] == '\t') {
				col += 2
				rest = rest[2:]
				for len(rest) > 0 && rest[0] == ' ' {
					rest = rest[1:]
					col++
				}
				stack = append(stack, col)
				if len(stack)+flow > MaxDepth {
					return line, len(stack) + flow
				}
			}
		}
		last := byte(0)
		for i := 0; i < len(rest); i++ {
			ch := rest[i]
			switch {
			case quote == '"':
				if ch == '\\' {
					i++
				} else if ch == '"' {
					quote = 0
				}
			case quote == '\'':
				if ch == '\'' {
					if i+1 < len(rest) && rest[i+1] == '\'' {
						i++
					} else {
						quote = 0
					}
				}
			case ch == '#' && (last == ' ' || last == '\t' || i == 0):
				i = len(rest) // a comment
			case ch == '"' || ch == '\'':
				if last == 0 || last == ' ' || last == '\t' || last == '[' || last == '{' || last == ',' || last == ':' {
					quote = ch
				}
			case ch == '[' || ch == '{':
				flow++
				if len(stack)+flow > MaxDepth {
					return line, len(stack) + flow
				}
			case ch == ']' || ch == '}':
				if flow > 0 {
					flow--
				}
			}
			last = ch
		}
		if quote == 0 && flow == 0 {
			t := bytes.TrimSpace(rest)
			if k := bytes.LastIndexAny(t, "|>"); k >= 0 && k >= len(t)-3 && (k == 0 || t[k-1] == ' ') && blockIndicator(t[k:]) {
				scalar = indent
			}
		}
		if d := len(stack) + flow; d > depth {
			depth = d
		}
	}
	return line, depth
}

// blockIndicator reports a block scalar header: | or > with an optional
// chomping indicator and indentation digit.
func blockIndicator(t []byte) bool {
	if len(t) == 0 || (t[0] != '|' && t[0] != '>') {
		return false
	}
	for _, c := range t[1:] {
		if c != '+' && c != '-' && (c < '1' || c > '9') {
			return false
		}
	}
	return true
}

// YAMLError is an error of the YAML decoder on a file ward reads from
// outside (a CSV import's mapping) as FILE:LINE: message, the form every
// other error about a file takes, rather than the decoder's [LINE:COLUMN].
func YAMLError(file string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		return fmt.Errorf("%s:%d: %s", file, ye.GetToken().Position.Line, ye.GetMessage())
	}
	return fmt.Errorf("%s: %s", file, yaml.FormatError(err, false, false))
}
