package kit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"ward/internal/bounds"
)

// Uploads are streamed: each file part of a multipart body goes straight
// into the content-addressed blob store (which writes it to a temporary
// file inside the store and renames it into place, or removes it on any
// error), never into net/http's own temporary files. So nothing of an
// upload is left on disk when it is refused, for a bad CSRF token or
// anything else, and a 1 GB upload costs no more memory than a small one.

// maxFormBody bounds the body of a request that changes something and is
// not an upload route (Route.Upload): a form or a JSON record.
const maxFormBody = 1 << 20

// maxFieldBytes bounds one non-file field of a multipart form, and
// maxParts the parts of one.
const (
	maxFieldBytes = 64 << 10
	maxParts      = 200
)

// Uploaded is one file of a multipart form, already in the blob store.
type Uploaded struct {
	Name   string // sanitised once, here: see cleanFileName
	SHA256 string
	Size   int64
	Type   string
}

// UploadForm is a streamed multipart form: its fields and its files.
type UploadForm struct {
	Fields url.Values
	Files  map[string][]Uploaded // by field name
}

var errNotMultipart = errors.New("not multipart/form-data")

// partsRead is a multipart body the CSRF check has begun: the fields it
// read before the token, and the reader for the rest.
type partsRead struct {
	mr     *multipart.Reader
	fields url.Values
}

// multipartReader is the request's multipart body: the reader the CSRF
// check started (and the fields it read), or a new one.
func multipartReader(r *http.Request) (*multipart.Reader, url.Values, error) {
	if p := Info(r).parts; p != nil {
		return p.mr, p.fields, nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return nil, nil, errNotMultipart
	}
	mr, err := r.MultipartReader()
	return mr, url.Values{}, err
}

// isFilePart tells a file part from a field: a file name, or a content
// type of its own (a browser's empty file input has the type, no name).
func isFilePart(p *multipart.Part) bool {
	return p.FileName() != "" || p.Header.Get("Content-Type") != ""
}

// FileCheck looks at the first bytes of a file part before it is stored
// and may refuse it (an agreement must be a PDF); max bounds its size
// (0: only the request's own limit).
type FileCheck struct {
	Max   int64
	First func(name string, head []byte) error
}

// ReadUpload streams a multipart form: fields into memory (bounded), each
// file part into the blob store. A file part with no name and no bytes
// (a browser's empty file input) is skipped.
func (s *Server) ReadUpload(r *http.Request, check FileCheck) (UploadForm, error) {
	f := UploadForm{Files: map[string][]Uploaded{}}
	mr, pre, err := multipartReader(r)
	if err != nil {
		return f, BadInput("send the upload as multipart/form-data")
	}
	f.Fields = pre
	for n := 0; ; n++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return f, ReadError(err)
		}
		if n >= maxParts {
			p.Close()
			return f, BadInput("the form has more than %d parts", maxParts)
		}
		name := p.FormName()
		if !isFilePart(p) || name == CSRFField {
			v, err := io.ReadAll(io.LimitReader(p, maxFieldBytes+1))
			p.Close()
			if err != nil {
				return f, ReadError(err)
			}
			if len(v) > maxFieldBytes {
				return f, BadInput("the field %s is over %d KB", name, maxFieldBytes>>10)
			}
			if i := bounds.InvalidUTF8(string(v)); i >= 0 {
				return f, BadInput("the field %s is not valid UTF-8 at byte %d", name, i)
			}
			f.Fields.Add(name, string(v))
			continue
		}
		u, err := s.storePart(p, check)
		p.Close()
		if err != nil {
			return f, err
		}
		if u.Size == 0 && p.FileName() == "" {
			continue // the browser's empty file input
		}
		f.Files[name] = append(f.Files[name], u)
	}
}

func ReadError(err error) error {
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return ErrTooLarge
	}
	return BadInput("the upload could not be read: %v", err)
}

// storePart streams one file part into the blob store.
func (s *Server) storePart(p *multipart.Part, check FileCheck) (Uploaded, error) {
	name := cleanFileName(p.FileName())
	br := bufio.NewReaderSize(p, 4096)
	head, err := br.Peek(512)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return Uploaded{}, ReadError(err)
	}
	if len(head) == 0 {
		return Uploaded{Name: name}, nil // empty: nothing to store
	}
	if check.First != nil {
		if err := check.First(name, head); err != nil {
			return Uploaded{}, err
		}
	}
	var rd io.Reader = br
	if check.Max > 0 {
		rd = &capped{r: br, left: check.Max, max: check.Max, name: name}
	}
	sha, size, err := s.Store.Blobs().Put(rd)
	if err != nil {
		var c *TooBig
		if errors.As(err, &c) {
			return Uploaded{}, c
		}
		return Uploaded{}, ReadError(err)
	}
	return Uploaded{Name: name, SHA256: sha, Size: size, Type: sniffType(name, head)}, nil
}

// TooBig is a file over its own limit (FileCheck.Max).
type TooBig struct {
	Name string
	max  int64
}

func (e *TooBig) Error() string {
	return fmt.Sprintf("%s is over %s", e.Name, HumanBytes(e.max))
}

// capped fails once more than left bytes are read, so the blob store
// removes the partial file.
type capped struct {
	r    io.Reader
	left int64
	name string
	max  int64
}

func (c *capped) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.left -= int64(n)
	if c.left < 0 {
		return n, &TooBig{c.name, c.max}
	}
	return n, err
}

// sniffType is the file's media type: from its extension when it has a
// known one, else from its first bytes. The browser's own Content-Type
// is not trusted.
func sniffType(name string, head []byte) string {
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); t != "" {
		return strings.SplitN(t, ";", 2)[0]
	}
	return strings.SplitN(http.DetectContentType(head), ";", 2)[0]
}

var UnsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// cleanFileName is the one place an uploaded file's name is made safe:
// its last path element only (a browser may send C:\Users\...), letters,
// digits, dot, dash and underscore, no leading dot or dash, and at most
// bounds.MaxFileName bytes, keeping the extension. Everything downstream
// (the record, the export, the zip, a download's Content-Disposition)
// uses this name.
func cleanFileName(name string) string {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	base = UnsafeFileChars.ReplaceAllString(base, "-")
	base = strings.Trim(base, "-.")
	if base == "" || base == "/" {
		return "file"
	}
	if len(base) > bounds.MaxFileName {
		ext := path.Ext(base)
		if len(ext) > 16 {
			ext = ""
		}
		base = strings.TrimRight(base[:bounds.MaxFileName-len(ext)], "-.") + ext
	}
	return base
}

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
