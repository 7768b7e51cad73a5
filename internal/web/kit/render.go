package kit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"ward/internal/date"
	"ward/internal/store"
)

// pageTemplate is the layout and its partials plus one page's blocks.
type pageTemplate struct{ t *template.Template }

// Page templates define two blocks, "title" and "content"; the layout
// (templates/layout.html) draws the frame around them. Files starting with
// "_" are partials shared by every page.
func mustParseTemplates() map[string]*pageTemplate {
	base := template.New("").Funcs(Funcs)
	partials, _ := fs.Glob(TemplateFS, "templates/_*.html")
	base = template.Must(base.ParseFS(TemplateFS, append([]string{"templates/layout.html"}, partials...)...))
	files, _ := fs.Glob(TemplateFS, "templates/*.html")
	pages := map[string]*pageTemplate{}
	for _, f := range files {
		name := path.Base(f)
		if name == "layout.html" || strings.HasPrefix(name, "_") {
			continue
		}
		t := template.Must(template.Must(base.Clone()).ParseFS(TemplateFS, f))
		pages[name] = &pageTemplate{t}
	}
	pages["_cached"] = &pageTemplate{template.Must(template.Must(base.Clone()).Parse(cachedTemplate))}
	return pages
}

var Funcs = template.FuncMap{
	// when formats an instant for people, in UTC so that every reader of
	// an audit trail sees the same time.
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	// can is for showing or hiding controls: {{if can .Role "editor"}}.
	"can":       AtLeast,
	"kindLabel": kindLabel,
	"add":       func(a, b int) int { return a + b },
	// dated adds ?as_of=DAY (or &as_of=) to a link when day is not "".
	"dated": func(link, day string) string {
		if day == "" {
			return link
		}
		if strings.Contains(link, "?") {
			return link + "&as_of=" + day
		}
		return link + "?as_of=" + day
	},
	// dict passes several values to a partial: {{template "x" (dict "A" 1 "B" 2)}}.
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict needs key, value pairs")
		}
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
	// dateRead says which date a date input's value is read as (the
	// "dateinput" partial): "read as Tuesday, 1 December 2026", or why it
	// is not a date.
	"dateRead": func(v any) string {
		s := strings.TrimSpace(fmt.Sprint(v))
		if s == "" {
			return ""
		}
		d, err := date.ParseInput(s)
		if err != nil {
			return "not a date: write 2026-12-01 or 12/01/2026"
		}
		return "read as " + d.Long()
	},
	// gloss draws a glossary term with its definition on hover:
	// {{gloss "live-phi-gate" "live PHI"}} (glossary.go).
	"gloss":    Gloss,
	"formLink": formLink,
	// contains is strings.Contains: {{if not (contains .Reason .Citation)}}.
	"contains": strings.Contains,
	// evidenceTable is the data of the "_evidence_table" partial, shared by
	// a control's page and the evidence page.
	"evidenceTable": func(slug, csrf string, download, withControls bool, rows []EvidenceRow) EvidenceTable {
		return EvidenceTable{Slug: slug, CSRF: csrf, Download: download, WithControls: withControls, Rows: rows}
	},
}

// kindLabel names a record kind for people, in the plural: a heading.
func kindLabel(kind string) string { return KindNoun(kind, 2) }

// KindNoun names n records of a kind: "1 Vulnerability", "2
// Vulnerabilities", "3 Risk analyses".
func KindNoun(kind string, n int) string {
	if kind == "" {
		return ""
	}
	one := strings.ToUpper(kind[:1]) + strings.ReplaceAll(kind[1:], "_", " ")
	switch kind {
	case store.KindPerson:
		if n == 1 {
			return "Person"
		}
		return "People"
	case store.KindEvidence:
		return "Evidence"
	case store.KindOrganization:
		return "Organization"
	}
	if n == 1 {
		return one
	}
	return plural(one)
}

// plural is an English noun's plural, for the nouns ward names its
// records by: analysis → analyses, vulnerability → vulnerabilities,
// policy → policies, but day → days; otherwise an s.
func plural(noun string) string {
	switch {
	case strings.HasSuffix(noun, "sis"):
		return strings.TrimSuffix(noun, "is") + "es"
	case strings.HasSuffix(noun, "y") && len(noun) > 1 && !strings.ContainsRune("aeiou", rune(noun[len(noun)-2])):
		return strings.TrimSuffix(noun, "y") + "ies"
	case strings.HasSuffix(noun, "s"), strings.HasSuffix(noun, "x"), strings.HasSuffix(noun, "ch"), strings.HasSuffix(noun, "sh"):
		return noun + "es"
	}
	return noun + "s"
}

// View is what the layout renders; a page's own data is in Data.
type View struct {
	User        store.User
	Org         store.Org // zero outside an organization
	Role        string    // the user's role in Org
	Orgs        []store.Membership
	CSRF        string // for forms: <input type="hidden" name="csrf" value="{{$.CSRF}}">
	Nav         []NavLink
	IdleSeconds int // the idle script sends the browser to the login after this
	// Flash confirms the change that led here (flash.go).
	Flash string
	Data  any
}

// NavLink is one entry of an organization's menu.
type NavLink struct {
	Label   string
	Href    string // "" when the page does not exist yet
	Current bool
}

type navItem struct {
	label  string
	suffix string // after /orgs/{slug}
	exists bool
	role   string // the page's declared role: shown to those who hold it
}

// The organization's sections, in the order a program runs. Pages appear
// as links as soon as a route GET /orgs/{org}<suffix> is registered.
var Sections = []struct{ Label, Suffix string }{
	{"Overview", ""},
	{"My tasks", "/my"},
	{"Plan", "/plan"},
	{"Data flows", "/flows"},
	{"Agreements", "/agreements"},
	{"Risks", "/risks"},
	{"Controls", "/controls"},
	{"Frameworks", "/frameworks"},
	{"Evidence", "/evidence"},
	{"Policies", "/policies"},
	{"Trainings", "/trainings"},
	{"People", "/people"},
	{"Incidents", "/incidents"},
	{"Privacy", "/privacy"},
	{"Questionnaires", "/questionnaires"},
	{"Trust center", "/trust/requests"},
	{"Penalties", "/penalties"},
	{"Reports", "/reports"},
	{"Audit trail", "/audit"},
	{"Accounts", "/accounts"},
}

func buildNav(routes []Route) []navItem {
	var nav []navItem
	for _, sec := range Sections {
		it := navItem{label: sec.Label, suffix: sec.Suffix}
		for _, rt := range routes {
			if rt.Method == http.MethodGet && rt.Pattern == "/orgs/{org}"+sec.Suffix && rt.Problem() == "" {
				it.exists, it.role = true, rt.Role
			}
		}
		nav = append(nav, it)
	}
	return nav
}

func (s *Server) view(r *http.Request, data any) View {
	ri := Info(r)
	v := View{User: ri.user, Org: ri.org, Role: ri.role, Data: data, IdleSeconds: int(s.Config.IdleTimeout / time.Second)}
	if ri.Session != nil {
		v.CSRF = ri.Session.CSRF
	}
	if ri.hasOrgs {
		v.Orgs = ri.orgs // read with the session
	} else if ri.user.ID != 0 {
		if ms, err := s.Store.Memberships(r.Context(), ri.user.ID); err == nil {
			v.Orgs = ms
		} else if !IsCanceled(err) {
			s.Log.ErrorContext(r.Context(), "memberships", "err", err)
		}
	}
	if ri.org.ID != 0 {
		base := "/orgs/" + ri.org.Slug
		for _, it := range s.nav {
			if it.exists && !AtLeast(ri.role, it.role) {
				continue // a page the caller may not open (Accounts, for admins)
			}
			if !it.exists && ri.role == store.RoleMember {
				continue // a member sees its own tasks, not the program's plan
			}
			l := NavLink{Label: it.label}
			if it.exists {
				l.Href = base + it.suffix
				l.Current = r.URL.Path == l.Href || (it.suffix != "" && strings.HasPrefix(r.URL.Path, l.Href+"/"))
			}
			v.Nav = append(v.Nav, l)
		}
	}
	return v
}

// Render draws templates/<name> inside the layout with status 200.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, name string, data any) {
	s.RenderStatus(w, r, http.StatusOK, name, data)
}

func (s *Server) RenderStatus(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	// Render to a buffer first, so a template error is a clean 500 and
	// not half a page. The error page itself may be what fails, so the
	// 500 is plain text.
	var buf bytes.Buffer
	err := fmt.Errorf("no template %q", name)
	if p, ok := s.pages[name]; ok {
		if kept, err := s.renderCapture(r, p, status, data); kept {
			if err != nil {
				s.Log.ErrorContext(r.Context(), "render", "template", name, "err", err)
				http.Error(w, "something went wrong on our side; the error is in the server log", http.StatusInternalServerError)
			}
			return
		}
		v := s.view(r, data)
		if status < 300 && v.User.ID != 0 {
			v.Flash = takeFlash(w, r)
		}
		err = p.t.ExecuteTemplate(&buf, "layout", v)
	}
	if err != nil {
		s.Log.ErrorContext(r.Context(), "render", "template", name, "err", err)
		http.Error(w, "something went wrong on our side; the error is in the server log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

type ErrorBody struct {
	Error string `json:"error"`
}

// WriteJSON writes v as indented JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error": "internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}

// Fail answers an error as JSON or as a page.
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, api bool, status int, msg string) {
	if api {
		WriteJSON(w, status, ErrorBody{msg})
		return
	}
	s.RenderStatus(w, r, status, "error.html", errorPage{Status: status, Title: http.StatusText(status), Message: msg})
}

type errorPage struct {
	Status  int
	Title   string
	Message string
}

// ServerError logs err (never shown to the client) and answers 500.
func (s *Server) ServerError(w http.ResponseWriter, r *http.Request, api bool, err error) {
	if IsCanceled(err) {
		return
	}
	if errors.Is(err, store.ErrBusy) {
		// Another writer (a large import) held the database's write lock
		// longer than a write waits: nothing was written, and trying
		// again shortly works. Not a server fault.
		s.Log.WarnContext(r.Context(), "database busy", "method", r.Method, "path", r.URL.Path)
		w.Header().Set("Retry-After", "2")
		s.Fail(w, r, api, http.StatusServiceUnavailable, "the database is busy with another write (a large import, say); nothing was written: try again in a few seconds")
		return
	}
	s.Log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	msg := "something went wrong on our side; the error is in the server log"
	if api {
		WriteJSON(w, http.StatusInternalServerError, ErrorBody{msg})
		return
	}
	s.RenderStatus(w, r, http.StatusInternalServerError, "error.html", errorPage{Status: 500, Title: "Server error", Message: msg})
}

// APIError is fail for JSON handlers.
func APIError(w http.ResponseWriter, status int, msg string) { WriteJSON(w, status, ErrorBody{msg}) }

// formLink reports whether a link opens a form (to create or edit), which
// only editors may open.
func formLink(href string) bool {
	path, _, _ := strings.Cut(href, "?")
	path, _, _ = strings.Cut(path, "#")
	return strings.HasSuffix(path, "/new") || strings.HasSuffix(path, "/edit")
}
