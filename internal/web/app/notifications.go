package app

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"ward/internal/auth"
	"ward/internal/date"
	"ward/internal/notify"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/records"
)

// Notifications (issue 15): a person's notification preferences and
// calendar feeds (/orgs/{org}/notifications, any member), the
// organization's feeds, webhooks and delivery log (admins), and the feed
// itself, /cal/{token}.ics, which the token alone opens (a calendar app
// cannot log in). Feed tokens are random, stored as their SHA-256 only,
// shown once, and revocable; a revoked token, or one whose person no
// longer belongs to the organization, answers 404.

func init() {
	kit.Register(kit.Route{Method: "GET", Pattern: "/cal/{token}", Role: kit.Public, Handler: calFeed})
	for _, org := range []string{"/orgs/{org}", "/api/v1/orgs/{org}"} {
		base, my := org+"/notifications", org+"/my/notifications"
		kit.Register(
			kit.Route{Method: "GET", Pattern: base, Role: store.RoleMember, Handler: notificationsPage},
			// A person's own settings and feeds: their changes, under /my/.
			kit.Route{Method: "POST", Pattern: my + "/prefs", Role: store.RoleMember, Handler: notifyPrefsSave, Self: true},
			kit.Route{Method: "POST", Pattern: my + "/calendar", Role: store.RoleMember, Handler: calCreate, Self: true},
			kit.Route{Method: "POST", Pattern: my + "/calendar/{id}/revoke", Role: store.RoleMember, Handler: calRevoke, Self: true},
			kit.Route{Method: "POST", Pattern: base + "/org-calendar", Role: store.RoleAdmin, Handler: calCreate},
			kit.Route{Method: "POST", Pattern: base + "/org-calendar/{id}/revoke", Role: store.RoleAdmin, Handler: calRevoke},
			kit.Route{Method: "GET", Pattern: base + "/log", Role: store.RoleAdmin, Handler: deliveryLog},
		)
	}
}

// NotificationsView is the notifications page and its JSON.
type NotificationsView struct {
	Prefs notify.Prefs `json:"prefs"`
	// Kinds are the item kinds one may watch.
	Kinds []string `json:"kinds"`
	// Calendars are the caller's feed tokens in this organization.
	Calendars []store.CalToken `json:"calendars"`
	// OrgCalendars, Webhooks: admins only.
	OrgCalendars []store.CalToken `json:"org_calendars,omitempty"`
	Webhooks     []store.Webhook  `json:"webhooks,omitempty"`
	// NewFeed is the URL of a feed just created: shown once.
	NewFeed  string          `json:"feed_url,omitempty"`
	Watching map[string]bool `json:"-"`
	Admin    bool            `json:"-"`
	Member   bool            `json:"-"`
	Done     string          `json:"-"`
}

func notificationsView(s *kit.Server, r *http.Request) (NotificationsView, error) {
	ctx := r.Context()
	u := kit.CurrentUser(r)
	v := NotificationsView{Kinds: notify.ItemKinds, Admin: kit.AtLeast(kit.Role(r), store.RoleAdmin), Member: kit.Role(r) == store.RoleMember}
	raw, err := s.Store.NotifyPrefs(ctx, u.Email)
	if err != nil {
		return v, err
	}
	if raw != "" {
		json.Unmarshal([]byte(raw), &v.Prefs)
	}
	if v.Prefs.Watch == nil {
		v.Prefs.Watch = []string{}
	}
	v.Watching = map[string]bool{}
	for _, k := range v.Prefs.Watch {
		v.Watching[k] = true
	}
	if v.Calendars, err = s.Org(r).CalTokens(ctx, u.ID); err != nil {
		return v, err
	}
	if v.Admin {
		if v.OrgCalendars, err = s.Org(r).CalTokens(ctx, 0); err != nil {
			return v, err
		}
		if v.Webhooks, err = s.Org(r).Webhooks(ctx, true); err != nil {
			return v, err
		}
	}
	return v, nil
}

func showNotifications(s *kit.Server, w http.ResponseWriter, r *http.Request, status int, done, feed string) {
	api := kit.IsAPIPath(r)
	v, err := notificationsView(s, r)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	v.Done, v.NewFeed = done, feed
	if api {
		kit.WriteJSON(w, status, v)
		return
	}
	s.RenderStatus(w, r, status, "notifications.html", v)
}

// notificationsPage is GET /orgs/{org}/notifications.
func notificationsPage(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	showNotifications(s, w, r, http.StatusOK, "", "")
}

// notifyPrefsSave is POST .../my/notifications/prefs: the form's checkboxes
// (digest, alerts, watch), or notify.Prefs as JSON. A workforce member
// (role member) sees only their own tasks, so may watch nothing.
func notifyPrefsSave(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := kit.IsAPIPath(r)
	var p notify.Prefs
	if api {
		if !records.ReadJSONBody(w, r, &p, "the preferences {no_digest, no_alerts, watch}") {
			return
		}
	} else {
		p.NoDigest = r.PostFormValue("digest") == ""
		p.NoAlerts = r.PostFormValue("alerts") == ""
		p.Watch = r.PostForm["watch"]
	}
	if p.Watch == nil {
		p.Watch = []string{}
	}
	for _, k := range p.Watch {
		if k != "all" && !slices.Contains(notify.ItemKinds, k) {
			s.Fail(w, r, api, http.StatusUnprocessableEntity, "watch: "+strconv.Quote(k)+" is not one of all, "+strings.Join(notify.ItemKinds, ", ")+"; nothing was saved")
			return
		}
	}
	if len(p.Watch) > 0 && kit.Role(r) == store.RoleMember {
		s.Fail(w, r, api, http.StatusForbidden, "a workforce member's notifications are their own tasks; watching other people's items needs the viewer role")
		return
	}
	b, _ := json.Marshal(p)
	u := kit.CurrentUser(r)
	if err := s.Store.SetNotifyPrefs(r.Context(), u.Email, u.Email, string(b)); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	showNotifications(s, w, r, http.StatusOK, "Your notification settings are saved.", "")
}

// orgFeed reports whether the request is about the organization's feeds
// (admins) rather than the caller's own.
func orgFeed(r *http.Request) bool { return strings.Contains(r.URL.Path, "/org-calendar") }

// calCreate makes a feed token and shows its URL once.
func calCreate(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := kit.IsAPIPath(r)
	tok, err := auth.NewToken()
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	u := kit.CurrentUser(r)
	uid := u.ID
	what := "Your calendar feed"
	if orgFeed(r) {
		uid, what = 0, "The organization's calendar feed"
	}
	if _, err := s.Org(r).CreateCalToken(r.Context(), u.Email, uid, auth.TokenHash(tok)); err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	status := http.StatusOK
	if api {
		status = http.StatusCreated
	}
	showNotifications(s, w, r, status, what+" is ready: add its address to your calendar app as a subscription. It is shown only now.", absURL(s, r, "/cal/"+tok+".ics"))
}

// calRevoke revokes a feed token: the caller's own, or (admins) the
// organization's.
func calRevoke(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := kit.IsAPIPath(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.Fail(w, r, api, http.StatusNotFound, "no such calendar feed")
		return
	}
	u := kit.CurrentUser(r)
	uid := u.ID
	if orgFeed(r) {
		uid = 0
	}
	if err := s.Org(r).RevokeCalToken(r.Context(), u.Email, uid, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.Fail(w, r, api, http.StatusNotFound, "no such calendar feed, or it is already revoked")
			return
		}
		s.ServerError(w, r, api, err)
		return
	}
	showNotifications(s, w, r, http.StatusOK, "The calendar feed is revoked: its address answers 404 from now on.", "")
}

// absURL is path on this server, as the browser reached it.
func absURL(s *kit.Server, r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil || s.Config.Secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// DeliveryLog is the delivery log page and its JSON.
type DeliveryLog struct {
	Deliveries []store.Outbound `json:"deliveries"`
}

// deliveryLog is GET .../notifications/log: the outbox, newest first.
func deliveryLog(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	api := kit.IsAPIPath(r)
	log, err := s.Store.Outbox(r.Context(), kit.CurrentOrg(r).ID, 500)
	if err != nil {
		s.ServerError(w, r, api, err)
		return
	}
	if api {
		kit.WriteJSON(w, http.StatusOK, DeliveryLog{log})
		return
	}
	s.Render(w, r, "notify_log.html", DeliveryLog{log})
}

// calFeed is GET /cal/{token}.ics: every dated obligation of the
// organization (its feed) or of the person (theirs), as of today.
func calFeed(s *kit.Server, w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tok, ok := strings.CutSuffix(r.PathValue("token"), ".ics")
	notFound := func() { http.Error(w, "no such calendar feed", http.StatusNotFound) }
	if !ok || tok == "" {
		notFound()
		return
	}
	t, err := s.Store.CalTokenByHash(ctx, auth.TokenHash(tok))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.Log.ErrorContext(r.Context(), "calendar feed", "err", err)
		}
		notFound()
		return
	}
	org, err := s.Store.OrgByID(ctx, t.OrgID)
	if err != nil {
		notFound()
		return
	}
	var email string
	var prefs notify.Prefs
	if t.UserID != 0 {
		u, err := s.Store.UserByID(ctx, t.UserID)
		if err != nil || u.Disabled {
			notFound()
			return
		}
		rl, err := s.Store.RoleIn(ctx, u.ID, org.ID)
		if err != nil || rl == "" {
			notFound()
			return
		}
		email = u.Email
		if raw, _ := s.Store.NotifyPrefs(ctx, u.Email); raw != "" && rl != store.RoleMember {
			json.Unmarshal([]byte(raw), &prefs)
		}
	}
	ws, err := s.Store.Org(org).Workspace(ctx)
	if err != nil {
		s.Log.ErrorContext(r.Context(), "calendar feed", "err", err)
		http.Error(w, "something went wrong on our side", http.StatusInternalServerError)
		return
	}
	asOf := date.Of(s.Now().UTC())
	obs := notify.Obligations(ws, asOf, org.Slug)
	name := "ward: " + org.Name
	if email != "" {
		obs = notify.ForPerson(obs, email, prefs)
		name += " (" + email + ")"
	}
	feed := notify.Feed{Name: name, Org: org.Slug, BaseURL: absURL(s, r, ""), AsOf: asOf, Items: obs}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(feed.ICS())
}
