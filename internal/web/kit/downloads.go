package kit

import (
	"mime"
	"net/http"
	"strings"
)

// Audited downloads. Downloading evidence, a signed BAA, the request
// list, the evidence bundle, an OSCAL document, the whole workspace or
// the audit trail itself is recorded on the organization's audit trail
// (HIPAA 164.312(b): activity that can be reviewed). A write to the trail
// is a change, and changes are POSTs carrying the session's CSRF token:
// so no link, image, redirect or script on another site can make a
// logged-in browser add an entry, which a GET could (a top-level
// navigation carries the SameSite=Lax cookie).
//
// Each download therefore answers:
//   - POST on the page's address (Route.Export): the file, recorded;
//   - GET on the page's address: a page with the download button (a small
//     form), so links and bookmarks keep working and nothing is recorded
//     until the person presses it;
//   - POST on the API's address: the file, recorded (a script sends
//     Authorization: Bearer, or its session's X-CSRF-Token);
//   - GET on the API's address: 405, saying to POST.

// Download is one audited download's addresses.
type Download struct {
	Page, API string // GET addresses (and POST, unless post is set)
	// Post is the POST suffix when the page's own POST is taken (an
	// agreement's file is uploaded by POST .../file).
	Post    string
	Role    string
	What    string // for the confirm page: "the evidence file"
	Handler HandlerFunc
}

func RegisterDownloads(ds ...Download) {
	for _, d := range ds {
		d := d
		Register(
			Route{Method: "GET", Pattern: d.Page, Role: d.Role, Handler: func(s *Server, w http.ResponseWriter, r *http.Request) { s.downloadPage(w, r, d) }},
			Route{Method: "POST", Pattern: d.Page + d.Post, Role: d.Role, Handler: d.Handler, Export: true},
			Route{Method: "GET", Pattern: d.API, Role: d.Role, Handler: func(s *Server, w http.ResponseWriter, r *http.Request) { s.DownloadByGET(w, r, d) }},
			Route{Method: "POST", Pattern: d.API + d.Post, Role: d.Role, Handler: d.Handler, Export: true},
		)
	}
}

// DownloadPage is the page a GET of a download's address shows.
type DownloadPage struct {
	What   string
	Action string // where the form posts, with the query kept
}

func (s *Server) downloadPage(w http.ResponseWriter, r *http.Request, d Download) {
	action := r.URL.Path + d.Post
	if q := r.URL.RawQuery; q != "" {
		action += "?" + q
	}
	s.Render(w, r, "download.html", DownloadPage{What: d.What, Action: action})
}

func (s *Server) DownloadByGET(w http.ResponseWriter, r *http.Request, d Download) {
	w.Header().Set("Allow", "POST")
	target := r.URL.Path + d.Post
	WriteJSON(w, http.StatusMethodNotAllowed, ErrorBody{"POST to " + target + " (keeping the query): a download of " + strings.TrimPrefix(d.What, "the ") +
		" is recorded on the audit trail, and only a POST may write to it"})
}

// servedTypes are the types an uploaded file keeps when it is served:
// images and PDF, and documents a browser never runs (text, CSV, office
// files, archives; with nosniff a browser will not run them as a script).
// Everything else an upload claims to be (text/html, a script,
// image/svg+xml, which can hold a script, XML) is served as bytes.
var servedTypes = map[string]bool{
	"application/pdf": true, "image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"text/plain": true, "text/csv": true, "application/json": true, "application/zip": true,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         true,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   true,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": true,
	"application/msword": true, "application/vnd.ms-excel": true,
}

// ServeAsFile sets the headers of an uploaded file's download: always an
// attachment, never sniffed, sandboxed, and a type that cannot execute
// unless it is an image or a PDF (issue 20: an uploaded .js was served as
// a same-origin script).
func ServeAsFile(h http.Header, typ, name string) {
	if !servedTypes[typ] {
		typ = "application/octet-stream"
	}
	h.Set("Content-Type", typ)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
}
