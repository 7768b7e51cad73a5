package public

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"

	"ward/internal/auth"
	"ward/internal/date"
	"ward/internal/notify"
	"ward/internal/plan"
	"ward/internal/store"
	"ward/internal/trust"
	"ward/internal/web/kit"
	"ward/internal/workspace"
)

// The public trust center (issue 16): /trust/{slug} answers with no
// login, for an organization that enabled it (organization.trust), and
// shows only the sections it made public. Everything else under /trust —
// an organization that does not exist, one without a trust center, a
// section or a document that is not public, a request id that was never
// issued — answers the same 404, so nothing tells them apart.
//
// The pages carry no script, so their CSP allows none; they set their own
// cache headers: the page, its JSON twin and the feed may be kept by any
// cache but must be revalidated on every use (an ETag of the content, 304
// when unchanged), so a section made private or a subprocessor added is
// seen at once; the forms and downloads are kept by nobody.

func init() {
	kit.Register(
		kit.Route{Method: "GET", Pattern: "/trust/{slug}", Role: kit.Public, Handler: trustPage},
		kit.Route{Method: "GET", Pattern: "/api/v1/trust/{slug}", Role: kit.Public, Handler: trustPageAPI},
		kit.Route{Method: "GET", Pattern: "/trust/{slug}/subprocessors.atom", Role: kit.Public, Handler: trustFeed},
		kit.Route{Method: "GET", Pattern: "/trust/{slug}/subscribe", Role: kit.Public, Handler: trustSubscribeForm},
		kit.Route{Method: "POST", Pattern: "/trust/{slug}/subscribe", Role: kit.Public, Handler: trustSubscribe},
		kit.Route{Method: "GET", Pattern: "/trust/{slug}/confirm/{token}", Role: kit.Public, Handler: trustConfirmForm},
		kit.Route{Method: "POST", Pattern: "/trust/{slug}/confirm/{token}", Role: kit.Public, Handler: trustConfirm},
		kit.Route{Method: "GET", Pattern: "/trust/{slug}/documents/{doc}", Role: kit.Public, Handler: trustRequestForm},
		kit.Route{Method: "POST", Pattern: "/trust/{slug}/documents/{doc}", Role: kit.Public, Handler: trustRequest},
		kit.Route{Method: "GET", Pattern: "/trust/{slug}/download/{id}/{token}", Role: kit.Public, Handler: trustDownloadPage},
		kit.Route{Method: "POST", Pattern: "/trust/{slug}/download/{id}/{token}", Role: kit.Public, Handler: trustDownload},
	)
}

// TrustCSP is the trust center's Content-Security-Policy: its stylesheet
// and nothing else, no script at all.
const TrustCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// TrustCache: anyone may keep the public page and feed, and must ask
// again (If-None-Match) before using a kept copy.
const TrustCache = "public, no-cache"

// trustPublic answers a public page's body with its ETag, or 304 when the
// client's copy is current.
func trustPublic(w http.ResponseWriter, r *http.Request, contentType string, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	trustHeaders(w, TrustCache)
	w.Header().Set("ETag", etag)
	for _, m := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if strings.TrimSpace(m) == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", contentType)
	w.Write(body)
}

//go:embed templates/trust/*.html
var trustFS embed.FS

var trustTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	"when":    kit.Funcs["when"],
	"docKind": trust.KindLabel,
	"statusLabel": func(s string) string {
		switch s {
		case trust.StatusInPlace:
			return "In place"
		case trust.StatusInProgress:
			return "In progress"
		case trust.StatusReport:
			return "Report available"
		case trust.StatusPlanned:
			return "Planned"
		}
		return "Not planned"
	},
}).ParseFS(trustFS, "templates/trust/layout.html"))

var trustPageTemplates = func() map[string]*template.Template {
	m := map[string]*template.Template{}
	for _, n := range []string{"page", "request", "subscribe", "confirm", "download", "error"} {
		m[n] = template.Must(template.Must(trustTemplates.Clone()).ParseFS(trustFS, "templates/trust/"+n+".html"))
	}
	return m
}()

// trustView is what every trust template receives.
type trustView struct {
	Org, Slug, Contact, Feed string
	AsOf                     date.Date
	Page                     trust.Page

	Doc                  *workspace.TrustDocument
	Token                string // the form's double-submit token
	Name, Email, Company string
	Accepted, Done, PDF  bool
	Errors               map[string]string
	Error                string
	Hours, NoticeDays    int
	NDA                  string
	Request              trust.Request
	LinkToken            string
	Title, Message       string
	// NoMail: ward sends no e-mail (no --smtp-url), so no subscription
	// can be confirmed.
	NoMail bool
}

func trustHeaders(w http.ResponseWriter, cache string) {
	w.Header().Set("Content-Security-Policy", TrustCSP)
	w.Header().Set("Cache-Control", cache)
}

func trustRender(s *kit.Server, w http.ResponseWriter, r *http.Request, status int, name string, v trustView) {
	buf, ok := trustHTML(s, w, r, name, v)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func trustHTML(s *kit.Server, w http.ResponseWriter, r *http.Request, name string, v trustView) (*bytes.Buffer, bool) {
	var buf bytes.Buffer
	if err := trustPageTemplates[name].ExecuteTemplate(&buf, "trust_layout", v); err != nil {
		s.Log.ErrorContext(r.Context(), "render", "template", "trust/"+name, "err", err)
		http.Error(w, "something went wrong on our side; the error is in the server log", http.StatusInternalServerError)
		return nil, false
	}
	return &buf, true
}

// MsgNoTrust is the one answer for anything under /trust that is not
// public.
const MsgNoTrust = "There is no trust center at this address."

func trustNotFound(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	trustHeaders(w, "no-store")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		kit.APIError(w, http.StatusNotFound, MsgNoTrust)
		return
	}
	trustRender(s, w, r, http.StatusNotFound, "error", trustView{Title: "Not found", Message: MsgNoTrust})
}

// trustLoad is the organization behind {slug} when its trust center is
// enabled; it has answered (404 or 500) when ok is false.
func trustLoad(s *kit.Server, w http.ResponseWriter, r *http.Request) (o *store.OrgStore, ws *workspace.Workspace, v trustView, ok bool) {
	o, ws, err := s.Store.TrustWorkspace(r.Context(), r.PathValue("slug"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		trustNotFound(s, w, r)
		return nil, nil, v, false
	case err != nil:
		trustHeaders(w, "no-store")
		s.ServerError(w, r, strings.HasPrefix(r.URL.Path, "/api/"), err)
		return nil, nil, v, false
	}
	t := ws.Organization.Trust
	v = trustView{Org: ws.Organization.Name, Slug: o.Info().Slug, Contact: t.Contact, AsOf: date.Of(s.Now().UTC()),
		Hours: t.Hours(), NoticeDays: t.SubprocessorNoticeDays, NDA: trust.NDA}
	if t.Shows(workspace.TrustSubprocessors) {
		v.Feed = "/trust/" + v.Slug + "/subprocessors.atom"
	}
	return o, ws, v, true
}

func trustBuild(s *kit.Server, r *http.Request, o *store.OrgStore, ws *workspace.Workspace, asOf date.Date) (trust.Page, error) {
	changes, err := o.SubprocessorChanges(r.Context())
	if err != nil {
		return trust.Page{}, err
	}
	p := plan.Build(ws, ws.Organization.ProgramStart, asOf, plan.Status{})
	pg := trust.Build(ws, p, changes, asOf)
	pg.Slug = o.Info().Slug
	return pg, nil
}

func trustPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	o, ws, v, ok := trustLoad(s, w, r)
	if !ok {
		return
	}
	pg, err := trustBuild(s, r, o, ws, v.AsOf)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	v.Page = pg
	if buf, ok := trustHTML(s, w, r, "page", v); ok {
		trustPublic(w, r, "text/html; charset=utf-8", buf.Bytes())
	}
}

// trustPageAPI is the page as JSON: the same sections, no more.
func trustPageAPI(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	o, ws, v, ok := trustLoad(s, w, r)
	if !ok {
		return
	}
	pg, err := trustBuild(s, r, o, ws, v.AsOf)
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	b, err := json.MarshalIndent(pg, "", "  ")
	if err != nil {
		s.ServerError(w, r, true, err)
		return
	}
	trustPublic(w, r, "application/json; charset=utf-8", append(b, '\n'))
}

func trustFeed(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	o, ws, v, ok := trustLoad(s, w, r)
	if !ok {
		return
	}
	if !ws.Organization.Trust.Shows(workspace.TrustSubprocessors) {
		trustNotFound(s, w, r)
		return
	}
	pg, err := trustBuild(s, r, o, ws, v.AsOf)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	var buf bytes.Buffer
	if err := trust.WriteAtom(&buf, pg, s.BaseURL(r)+"/trust/"+v.Slug); err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	trustPublic(w, r, "application/atom+xml; charset=utf-8", buf.Bytes())
}

// The trust center's forms have no session to bind a CSRF token to: a
// double-submit cookie, as the login form's.
const trustCookie = "ward_trust"

func trustFormToken(s *kit.Server, w http.ResponseWriter) (string, error) {
	tok, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	http.SetCookie(w, &http.Cookie{Name: trustCookie, Value: tok, Path: "/trust/", HttpOnly: true,
		Secure: s.Config.Secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	return tok, nil
}

// trustForm reads a small form and checks its token; false: it answered
// or the token was wrong (then v.Error says so and the caller shows the
// form again).
func trustForm(s *kit.Server, w http.ResponseWriter, r *http.Request) (tokenOK bool, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return false, err
	}
	c, cerr := r.Cookie(trustCookie)
	return cerr == nil && c.Value != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get(kit.CSRFField))) == 1, nil
}

// Rate limits of the public forms, per client address over loginWindow:
// document requests and subscriptions are cheap to send and each writes
// a record and the audit trail.
const (
	MaxTrustRequestsPerIP   = 5
	maxTrustRequestsPerMail = 3
	maxTrustSubscribesPerIP = 10
	// A confirmation mail goes to the address typed: at most this many
	// to one address in the window, whoever asks.
	maxTrustSubscribesPerMail = 3
)

func trustThrottled(s *kit.Server, w http.ResponseWriter, r *http.Request, keys ...kit.LimitKey) bool {
	now := s.Now()
	if blocked, wait := s.TrustLimit.Blocked(r.Context(), now, keys...); blocked {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
		return true
	}
	s.TrustLimit.Fail(r.Context(), now, keys...)
	return false
}

// trustFormFlow is what the trust center's form pages share: the
// organization is loaded, check says whether this form exists there (it
// answered when not), nothing is kept by caches; a GET shows the form
// name with a fresh double-submit token; a POST reads the form and hands
// it to post with whether its token was right, and again, which shows the
// form once more with msg and a fresh token.
func trustFormFlow(s *kit.Server, w http.ResponseWriter, r *http.Request, name string,
	check func(o *store.OrgStore, ws *workspace.Workspace, v *trustView) bool,
	post func(o *store.OrgStore, ws *workspace.Workspace, v *trustView, tokenOK bool, again func(status int, msg string))) {
	o, ws, v, ok := trustLoad(s, w, r)
	if !ok || !check(o, ws, &v) {
		return
	}
	trustHeaders(w, "no-store")
	again := func(status int, msg string) {
		v.Error = msg
		var err error
		if v.Token, err = trustFormToken(s, w); err != nil {
			s.ServerError(w, r, false, err)
			return
		}
		trustRender(s, w, r, status, name, v)
	}
	if r.Method != http.MethodPost {
		again(http.StatusOK, "")
		return
	}
	tokenOK, err := trustForm(s, w, r)
	if err != nil {
		again(http.StatusBadRequest, "The form could not be read. Please try again.")
		return
	}
	post(o, ws, &v, tokenOK, again)
}

// trustSubscribable: the subscription forms exist where the
// subprocessors are public.
func trustSubscribable(s *kit.Server, w http.ResponseWriter, r *http.Request) func(*store.OrgStore, *workspace.Workspace, *trustView) bool {
	return func(o *store.OrgStore, ws *workspace.Workspace, v *trustView) bool {
		if !ws.Organization.Trust.Shows(workspace.TrustSubprocessors) {
			trustNotFound(s, w, r)
			return false
		}
		v.NoMail = !s.Config.Mail
		return true
	}
}

func trustSubscribeForm(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	trustFormFlow(s, w, r, "subscribe", trustSubscribable(s, w, r), nil)
}

// msgNoMail: without --smtp-url no confirmation can be sent, so no
// address can subscribe.
const msgNoMail = "This trust center cannot confirm e-mail subscriptions (it sends no e-mail). Follow the Atom feed instead."

// trustSubscribe is the first half of the double opt-in: the address is
// kept as pending and mailed a confirmation link (through the notifier's
// outbox) that works once, for store.SubscriptionTTL; notices go only to
// confirmed addresses. The answer is the same whether the address was
// new, pending or confirmed already, so the form tells no one who is
// subscribed.
func trustSubscribe(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	trustFormFlow(s, w, r, "subscribe", trustSubscribable(s, w, r), func(o *store.OrgStore, _ *workspace.Workspace, v *trustView, tokenOK bool, again func(int, string)) {
		v.Email = strings.TrimSpace(r.PostForm.Get("email"))
		if v.NoMail {
			again(http.StatusServiceUnavailable, msgNoMail)
			return
		}
		if !tokenOK {
			again(http.StatusBadRequest, "The form expired. Please send it again.")
			return
		}
		if trustThrottled(s, w, r, kit.LimitKey{Key: "trust-sub:" + s.ClientIP(r), Max: maxTrustSubscribesPerIP},
			kit.LimitKey{Key: "trust-sub-mail:" + strings.ToLower(v.Email), Max: maxTrustSubscribesPerMail}) {
			again(http.StatusTooManyRequests, "Too many subscriptions from your address. Please try again later.")
			return
		}
		if errs := trust.CheckRequest("-", v.Email, "-", true); errs["email"] != "" {
			again(http.StatusUnprocessableEntity, errs["email"])
			return
		}
		tok, err := auth.NewToken()
		if err != nil {
			s.ServerError(w, r, false, err)
			return
		}
		ctx, email := r.Context(), strings.ToLower(v.Email)
		expires := s.Now().Add(store.SubscriptionTTL)
		_, err = o.Subscribe(ctx, "subscriber:"+email, email, auth.TokenHash(tok), expires)
		switch {
		case errors.Is(err, store.ErrNoChange):
			// Confirmed already: nothing to send, the same answer.
		case err != nil:
			s.ServerError(w, r, false, err)
			return
		default:
			link := s.LinkBase(r) + "/trust/" + v.Slug + "/confirm/" + tok
			text := fmt.Sprintf("Someone, probably you, asked for an e-mail at %s whenever %s adds, removes or changes a subprocessor.\n\nTo start these notices, open this link (it works once, until %s UTC):\n\n%s\n\nIf you did not ask, ignore this e-mail: nothing is sent to you unless the link is opened.\n",
				email, v.Org, expires.UTC().Format("2006-01-02 15:04"), link)
			key := "trust-confirm:" + auth.TokenHash(tok)[:16]
			if _, err := notify.QueueMail(ctx, s.Store, o.Info().ID, key, email, "trust-confirmation", "Confirm your subprocessor notices from "+v.Org, text); err != nil {
				s.ServerError(w, r, false, err)
				return
			}
		}
		v.Done = true
		trustRender(s, w, r, http.StatusOK, "subscribe", *v)
	})
}

// trustConfirmForm is the confirmation link's page: a button, so that a
// mail scanner that opens links confirms nothing.
func trustConfirmForm(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	trustFormFlow(s, w, r, "confirm", trustLinkCheck(s, w, r), nil)
}

func trustConfirm(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	trustFormFlow(s, w, r, "confirm", trustLinkCheck(s, w, r), func(o *store.OrgStore, _ *workspace.Workspace, v *trustView, tokenOK bool, again func(int, string)) {
		if !tokenOK {
			again(http.StatusBadRequest, "The page expired. Please press the button again.")
			return
		}
		sub, err := o.ConfirmSubscription(r.Context(), auth.TokenHash(r.PathValue("token")))
		if status, msg := confirmProblem(err, v.Org); status != 0 {
			v.Error, v.LinkToken = msg, ""
			trustRender(s, w, r, status, "confirm", *v)
			return
		}
		if err != nil {
			s.ServerError(w, r, false, err)
			return
		}
		s.Log.InfoContext(r.Context(), "trust subscription confirmed", "org", v.Slug)
		v.Email, v.Done = sub.Email, true
		trustRender(s, w, r, http.StatusOK, "confirm", *v)
	})
}

// trustLinkCheck: the confirmation pages exist where the subprocessors
// are public, for a link issued there (404 otherwise); a used or expired
// link answers 410 with a page that says which.
func trustLinkCheck(s *kit.Server, w http.ResponseWriter, r *http.Request) func(*store.OrgStore, *workspace.Workspace, *trustView) bool {
	return func(o *store.OrgStore, ws *workspace.Workspace, v *trustView) bool {
		if !ws.Organization.Trust.Shows(workspace.TrustSubprocessors) {
			trustNotFound(s, w, r)
			return false
		}
		email, err := o.SubscriptionLink(r.Context(), auth.TokenHash(r.PathValue("token")))
		if errors.Is(err, store.ErrNotFound) {
			trustNotFound(s, w, r)
			return false
		}
		if status, msg := confirmProblem(err, v.Org); status != 0 {
			trustHeaders(w, "no-store")
			v.Error = msg
			trustRender(s, w, r, status, "confirm", *v)
			return false
		}
		if err != nil {
			s.ServerError(w, r, false, err)
			return false
		}
		v.Email, v.LinkToken = email, r.PathValue("token")
		return true
	}
}

// confirmProblem is the answer for a confirmation link that cannot be
// used (0 when it can).
func confirmProblem(err error, org string) (int, string) {
	switch {
	case errors.Is(err, store.ErrConfirmUsed):
		return http.StatusGone, "This confirmation link was already used: each link works once. If it was you, your subscription is confirmed."
	case errors.Is(err, store.ErrConfirmExpired):
		return http.StatusGone, fmt.Sprintf("This confirmation link has expired (links work for %s). Subscribe again to get a new one.", kit.HumanDuration(store.SubscriptionTTL))
	case errors.Is(err, store.ErrNotFound):
		return http.StatusGone, "This subscription was ended by " + org + " meanwhile. Subscribe again if you still want the notices."
	}
	return 0, ""
}

// trustDoc is the public document {doc}; it answered 404 when ok is false.
func trustDoc(s *kit.Server, w http.ResponseWriter, r *http.Request, ws *workspace.Workspace) (*workspace.TrustDocument, bool) {
	d := trust.PublicDocument(ws, r.PathValue("doc"))
	if d == nil {
		trustNotFound(s, w, r)
		return nil, false
	}
	return d, true
}

// trustDocCheck: the request forms exist for the public documents.
func trustDocCheck(s *kit.Server, w http.ResponseWriter, r *http.Request) func(*store.OrgStore, *workspace.Workspace, *trustView) bool {
	return func(o *store.OrgStore, ws *workspace.Workspace, v *trustView) bool {
		var ok bool
		v.Doc, ok = trustDoc(s, w, r, ws)
		return ok
	}
}

func trustRequestForm(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	trustFormFlow(s, w, r, "request", trustDocCheck(s, w, r), nil)
}

func trustRequest(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	trustFormFlow(s, w, r, "request", trustDocCheck(s, w, r), func(o *store.OrgStore, _ *workspace.Workspace, v *trustView, tokenOK bool, again func(int, string)) {
		f := r.PostForm
		v.Name, v.Email, v.Company = strings.TrimSpace(f.Get("name")), strings.TrimSpace(f.Get("email")), strings.TrimSpace(f.Get("company"))
		v.Accepted = f.Get("nda") == "accept"
		if !tokenOK {
			again(http.StatusBadRequest, "The form expired. Please send it again.")
			return
		}
		if trustThrottled(s, w, r, kit.LimitKey{Key: "trust-req:" + s.ClientIP(r), Max: MaxTrustRequestsPerIP},
			kit.LimitKey{Key: "trust-req-mail:" + strings.ToLower(v.Email), Max: maxTrustRequestsPerMail}) {
			again(http.StatusTooManyRequests, "Too many requests from your address. Please try again later.")
			return
		}
		if v.Errors = trust.CheckRequest(v.Name, v.Email, v.Company, v.Accepted); len(v.Errors) > 0 {
			again(http.StatusUnprocessableEntity, "Please correct the fields below.")
			return
		}
		id := make([]byte, 8)
		rand.Read(id)
		req := trust.Request{ID: "tr-" + hex.EncodeToString(id), Document: v.Doc.ID, Name: v.Name, Email: v.Email, Company: v.Company,
			NDA: trust.NDAVersion(), Requested: s.Now().UTC(), Status: trust.RequestPending}
		if err := o.AddTrustRequest(r.Context(), "requester:"+strings.ToLower(v.Email), req); err != nil {
			s.ServerError(w, r, false, err)
			return
		}
		v.Done = true
		trustRender(s, w, r, http.StatusOK, "request", *v)
	})
}

// trustLink finds the request a download link names, checking its token;
// it answered when ok is false: 404 for anything not issued, 410 for a
// link used or expired.
func trustLink(s *kit.Server, w http.ResponseWriter, r *http.Request, o *store.OrgStore, ws *workspace.Workspace, v *trustView) bool {
	req, _, err := o.TrustRequest(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && (req.TokenHash == "" ||
		subtle.ConstantTimeCompare([]byte(req.TokenHash), []byte(trust.TokenHash(r.PathValue("token")))) != 1)) {
		trustNotFound(s, w, r)
		return false
	}
	if err != nil {
		s.ServerError(w, r, false, err)
		return false
	}
	d := trust.PublicDocument(ws, req.Document)
	if d == nil {
		trustNotFound(s, w, r)
		return false
	}
	v.Doc, v.Request, v.LinkToken = d, req, r.PathValue("token")
	trustHeaders(w, "no-store")
	switch req.State(s.Now()) {
	case trust.RequestDownloaded:
		v.Error = "This link was already used: each link works once. Ask " + v.Org + " for a new one."
		trustRender(s, w, r, http.StatusGone, "download", *v)
		return false
	case trust.RequestExpired:
		v.Error = "This link has expired. Ask " + v.Org + " for a new one."
		trustRender(s, w, r, http.StatusGone, "download", *v)
		return false
	case trust.RequestApproved:
		return true
	}
	trustNotFound(s, w, r)
	return false
}

func trustDownloadPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	o, ws, v, ok := trustLoad(s, w, r)
	if !ok || !trustLink(s, w, r, o, ws, &v) {
		return
	}
	var err error
	if v.Token, err = trustFormToken(s, w); err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	_, typ, _ := documentFile(ws, v.Doc)
	v.PDF = typ == "application/pdf"
	trustRender(s, w, r, http.StatusOK, "download", v)
}

// documentFile is the blob, content type and file name of a document.
func documentFile(ws *workspace.Workspace, d *workspace.TrustDocument) (sha, typ, name string) {
	path := d.File
	sha = d.SHA256
	if d.Evidence != "" {
		for _, e := range ws.Evidence {
			if e.ID == d.Evidence {
				sha, typ, path = e.SHA256, e.Type, e.File
			}
		}
	}
	base := path[strings.LastIndex(path, "/")+1:]
	ext := ""
	if i := strings.LastIndex(base, "."); i >= 0 {
		ext = strings.ToLower(base[i:])
	}
	if typ == "" || ext == ".pdf" {
		switch ext {
		case ".pdf":
			typ = "application/pdf"
		case ".txt", ".md":
			typ = "text/plain"
		default:
			typ = "application/octet-stream"
		}
	}
	return sha, typ, d.ID + ext
}

func trustDownload(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	o, ws, v, ok := trustLoad(s, w, r)
	if !ok {
		return
	}
	tokenOK, err := trustForm(s, w, r)
	if !trustLink(s, w, r, o, ws, &v) {
		return
	}
	if err != nil || !tokenOK {
		v.Error = "The page expired. Open the link again."
		trustRender(s, w, r, http.StatusBadRequest, "download", v)
		return
	}
	sha, typ, name := documentFile(ws, v.Doc)
	if sha == "" {
		s.ServerError(w, r, false, errors.New("trust document "+v.Doc.ID+" has no stored file"))
		return
	}
	rc, err := s.Store.Blobs().Open(sha)
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	body, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		s.ServerError(w, r, false, err)
		return
	}
	// The stamp is made before the link is spent, so a file that cannot
	// be stamped leaves the link as it was.
	if typ == "application/pdf" {
		stamp := trust.StampText(v.Request, v.Org, s.Now())
		if body, err = trust.Stamp(body, stamp); err != nil {
			s.ServerError(w, r, false, err)
			return
		}
	}
	req, err := o.UseTrustLink(r.Context(), v.Request.ID, v.LinkToken, s.Now())
	switch {
	case errors.Is(err, store.ErrLinkUsed), errors.Is(err, store.ErrLinkExpired):
		v.Error = err.Error() + "."
		trustRender(s, w, r, http.StatusGone, "download", v)
		return
	case errors.Is(err, store.ErrNotFound):
		trustNotFound(s, w, r)
		return
	case err != nil:
		s.ServerError(w, r, false, err)
		return
	}
	_ = req
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}
