package kit

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/singleflight"
	"ward/internal/audit"
)

// pageCache keeps what the heavy routes send — a page's title and
// content (not the layout around them) or an API's JSON body — under
// the organization's audit head, the effective as-of date, the caller's
// role, the path and the whole query (issue 21): a request that finds
// its key serves bytes instead of rendering thousands of rows again.
//
// Exact under change for the same reason as wsCache: every change,
// whoever makes it, moves the audit head in its transaction, and the key
// holds the head read at the start of the request; what is stored under
// it was computed after that read, so it is never older than the key.
// The date is in the key because a page without ?as_of= is today's.
//
// Nothing of the person is kept: the layout (their name, their
// organizations, the flash message, the menu) is drawn for each
// request, and the content is rendered with a placeholder where the CSRF
// token goes (forms, download buttons), replaced by the session's own
// token as it is served. Routes whose content names the person (my
// tasks, notifications, the account) are not cached.
//
// Concurrent misses of one key compute it once (single flight). The
// cache holds up to maxBytes in all, dropping the entry used least
// recently; an entry over a quarter of that is not kept.
type pageCache struct {
	Mu       sync.Mutex
	m        map[string]*pageEntry
	bytes    int
	maxBytes int
	tick     uint64
	flight   singleflight.Group
	// Hits and misses count lookups, for tests.
	Hits, misses int
}

type pageEntry struct {
	org  int64
	head audit.Head
	// A page: its "title" and "content" blocks as rendered. An API:
	// body, with contentType.
	page *cachedContent
	body []byte
	// header is what the handler set (Content-Type, an ETag), sent again
	// with the kept answer.
	header      http.Header
	contentType string
	// gz is body compressed, when it is large: sent to clients that
	// accept gzip. Only JSON is compressed: a page carries the CSRF
	// token beside text a request can choose (BREACH).
	gz   []byte
	size int
	used uint64
}

// cachedContent is what the "_cached" page template draws inside the
// layout.
type cachedContent struct {
	Title template.HTML
	// parts are the content split where the CSRF token goes.
	parts [][]byte
	size  int
}

// defaultPageCacheBytes bounds the cache: a few hundred pages of the
// large organization's size.
const defaultPageCacheBytes = 64 << 20

// CSRFPlaceholder stands for the CSRF token in cached content: letters
// and digits only (every escaper leaves it as it is), random per process
// so that no record's text can be taken for it.
var CSRFPlaceholder = func() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "wardcsrf" + hex.EncodeToString(b)
}()

func (c *pageCache) get(key string) *pageEntry {
	c.Mu.Lock()
	defer c.Mu.Unlock()
	e := c.m[key]
	if e == nil {
		c.misses++
		return nil
	}
	c.Hits++
	c.tick++
	e.used = c.tick
	return e
}

func (c *pageCache) put(key string, e *pageEntry) {
	c.Mu.Lock()
	defer c.Mu.Unlock()
	limit := c.maxBytes
	if limit == 0 {
		limit = defaultPageCacheBytes
	}
	if e.size > limit/4 {
		return
	}
	if c.m == nil {
		c.m = map[string]*pageEntry{}
	}
	// An organization's older heads are never asked for again.
	for k, old := range c.m {
		if e.org != 0 && old.org == e.org && old.head.Seq < e.head.Seq {
			c.bytes -= old.size
			delete(c.m, k)
		}
	}
	if old, ok := c.m[key]; ok {
		c.bytes -= old.size
		delete(c.m, key)
	}
	for c.bytes+e.size > limit && len(c.m) > 0 {
		var oldest string
		at := ^uint64(0)
		for k, x := range c.m {
			if x.used < at {
				oldest, at = k, x.used
			}
		}
		c.bytes -= c.m[oldest].size
		delete(c.m, oldest)
	}
	c.tick++
	e.used = c.tick
	c.m[key] = e
	c.bytes += e.size
}

// captureKey marks a request whose handler runs to fill the cache:
// RenderStatus then renders the page's blocks into the capture instead
// of the layout into the response.
type captureKey struct{}

// capture records a handler's answer for the cache.
type capture struct {
	h      http.Header
	status int
	buf    bytes.Buffer
	page   *cachedContent
}

func (c *capture) Header() http.Header { return c.h }
func (c *capture) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.buf.Write(p)
}
func (c *capture) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func capturing(r *http.Request) *capture {
	c, _ := r.Context().Value(captureKey{}).(*capture)
	return c
}

// renderCapture renders a page's title and content for the cache, with
// the CSRF placeholder; false when r is not filling the cache.
func (s *Server) renderCapture(r *http.Request, p *pageTemplate, status int, data any) (bool, error) {
	c := capturing(r)
	if c == nil || status != http.StatusOK {
		return false, nil
	}
	v := View{Org: CurrentOrg(r), Role: Role(r), CSRF: CSRFPlaceholder, Data: data}
	var title, body bytes.Buffer
	if err := p.t.ExecuteTemplate(&title, "title", v); err != nil {
		return true, err
	}
	if err := p.t.ExecuteTemplate(&body, "content", v); err != nil {
		return true, err
	}
	c.status = http.StatusOK
	c.page = &cachedContent{Title: template.HTML(title.String()), parts: bytes.Split(body.Bytes(), []byte(CSRFPlaceholder)), size: title.Len() + body.Len()}
	return true, nil
}

// CachedGET serves h's answer from the page cache when the request's key
// is there, and fills it otherwise. h must answer from the
// organization's state, the date, the role and the query only: nothing
// of the person but the CSRF token.
func CachedGET(h HandlerFunc) HandlerFunc {
	return func(s *Server, w http.ResponseWriter, r *http.Request) {
		org := CurrentOrg(r)
		asOf, err := s.RequestAsOf(r)
		if org.ID == 0 || err != nil || r.Method != http.MethodGet {
			h(s, w, r) // answers the bad date itself
			return
		}
		e, err := s.cachedEntry(r.Context(), org)
		if err != nil || e.head.Seq == 0 {
			h(s, w, r)
			return
		}
		key := strconv.FormatInt(org.ID, 10) + " " + strconv.FormatInt(e.head.Seq, 10) + " " + e.head.Hash + " " +
			asOf.String() + " " + Role(r) + " " + r.URL.Path + "?" + r.URL.Query().Encode()
		s.ServeKept(w, r, key, org.ID, e.head, h)
	}
}

// ServeKept serves the answer kept under key, or runs h to make it and
// keeps it when it is a 200. key must hold everything h's answer depends
// on but the CSRF token and the layout: h must not draw anything of the
// person that the key does not name. org and head (zero when the answer
// is not one organization's) let a newer head of org drop the older
// one's answers.
func (s *Server) ServeKept(w http.ResponseWriter, r *http.Request, key string, org int64, head audit.Head, h HandlerFunc) {
	pe := s.Pc.get(key)
	var own *capture
	if pe == nil {
		v, _, _ := s.Pc.flight.Do(key, func() (any, error) {
			if pe := s.Pc.get(key); pe != nil {
				return pe, nil
			}
			c := &capture{h: http.Header{}}
			// One computation serves every caller waiting on it: one
			// going away must not fail the others.
			ctx := context.WithValue(context.WithoutCancel(r.Context()), captureKey{}, c)
			h(s, c, r.WithContext(ctx))
			own = c
			if c.status != http.StatusOK {
				return nil, nil
			}
			pe := &pageEntry{org: org, head: head, page: c.page, header: c.h.Clone()}
			if c.page != nil {
				pe.size = c.page.size
			} else {
				pe.body, pe.contentType = c.buf.Bytes(), c.h.Get("Content-Type")
				if len(pe.body) >= GzipFrom && strings.HasPrefix(pe.contentType, "application/json") {
					pe.gz = gzipped(pe.body)
				}
				pe.size = len(pe.body) + len(pe.gz)
			}
			s.Pc.put(key, pe)
			return pe, nil
		})
		pe, _ = v.(*pageEntry)
	}
	switch {
	case pe != nil:
		s.serveCached(w, r, pe)
	case own != nil:
		// This request's own answer, not one to keep (an error
		// page, a redirect): the layout, if any, is not in it, so
		// a page is rendered again for this person.
		if own.page != nil || own.status == 0 {
			h(s, w, r)
			return
		}
		for k, v := range own.h {
			w.Header()[k] = v
		}
		w.WriteHeader(own.status)
		w.Write(own.buf.Bytes())
	default:
		h(s, w, r) // another request's answer was not kept
	}
}

// serveCached writes a kept answer: an API's body as it is, a page inside
// this request's layout with this session's CSRF token. The layout is
// rendered around a marker and the kept content written in its place,
// piece by piece around the token, so a large page is not copied again.
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request, pe *pageEntry) {
	for k, v := range pe.header {
		w.Header()[k] = append([]string(nil), v...) // the kept one is shared
	}
	if pe.page == nil {
		h := w.Header()
		h.Set("Content-Type", pe.contentType)
		body := pe.body
		if pe.gz != nil {
			h.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r) {
				h.Set("Content-Encoding", "gzip")
				body = pe.gz
			}
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body)
		return
	}
	v := s.view(r, cachedContent{Title: pe.page.Title})
	if v.User.ID != 0 {
		v.Flash = takeFlash(w, r)
	}
	var buf bytes.Buffer
	if err := s.pages["_cached"].t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.Log.ErrorContext(r.Context(), "render", "template", "_cached", "err", err)
		http.Error(w, "something went wrong on our side; the error is in the server log", http.StatusInternalServerError)
		return
	}
	head, tail, _ := bytes.Cut(buf.Bytes(), []byte(contentMarker))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(head)
	csrf := []byte(v.CSRF)
	for i, part := range pe.page.parts {
		if i > 0 {
			w.Write(csrf)
		}
		w.Write(part)
	}
	w.Write(tail)
}

// GzipFrom is the size from which a kept JSON answer is also kept
// compressed: the flows API of issue 21's organization is megabytes.
const GzipFrom = 64 << 10

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// acceptsGzip reports whether the request's Accept-Encoding names gzip
// without q=0.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(strings.TrimSpace(name), "gzip") {
				q := strings.ReplaceAll(params, " ", "")
				return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
			}
		}
	}
	return false
}

// contentMarker is where the layout of a kept page takes its content.
var contentMarker = "wardcontent" + CSRFPlaceholder[len("wardcsrf"):]

// HTML is the "_cached" template's content: the marker serveCached
// replaces.
func (c cachedContent) HTML() template.HTML { return template.HTML(contentMarker) }

// cachedTemplate draws kept content inside the layout.
const cachedTemplate = `{{define "title"}}{{.Data.Title}}{{end}}{{define "content"}}{{.Data.HTML}}{{end}}`
