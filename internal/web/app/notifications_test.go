package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/arran4/golang-ical"
	"ward/internal/date"
	"ward/internal/notify"
	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// feedEvents fetches a feed without any session, as a calendar app
// does, and parses it with an independent iCalendar library.
func feedEvents(t *testing.T, url string) (map[string]time.Time, []byte, int) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, body, resp.StatusCode
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("feed Content-Type %q", ct)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("golang-ical cannot parse the feed: %v\n%s", err, body)
	}
	out := map[string]time.Time{}
	for _, ev := range cal.Events() {
		start, err := ev.GetAllDayStartAt()
		if err != nil {
			t.Fatalf("event %s: %v", ev.Id(), err)
		}
		if _, dup := out[ev.Id()]; dup {
			t.Errorf("UID %s twice in the feed", ev.Id())
		}
		if ev.GetProperty(ics.ComponentPropertySummary) == nil {
			t.Errorf("event %s has no SUMMARY", ev.Id())
		}
		out[ev.Id()] = start
	}
	return out, body, resp.StatusCode
}

// TestCalendarFeed: the organization's feed holds every dated obligation
// (breach notices, BAA expiries, evidence occurrences, risk treatments,
// policy reviews, acknowledgements, training, milestones) on its date
// with a stable UID, read by golang-ical; two fetches agree; a person's
// feed holds what they own; a revoked address answers 404.
func TestCalendarFeed(t *testing.T) {
	day := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	e := webtest.NewEnv(t, kit.Config{Now: func() time.Time { return day }})
	ws := e.SeedDemo()
	raj := e.AddUser("raj@acme-health.example", "Raj", e.OrgA, store.RoleEditor)
	admin := e.Users[store.RoleAdmin].User

	r := e.APIPost(admin, "/api/v1/orgs/"+webtest.SlugA+"/notifications/org-calendar", "")
	var v struct {
		FeedURL      string           `json:"feed_url"`
		OrgCalendars []store.CalToken `json:"org_calendars"`
	}
	if r.StatusCode != http.StatusCreated || json.Unmarshal([]byte(r.Body), &v) != nil || !strings.HasSuffix(v.FeedURL, ".ics") {
		t.Fatalf("create the organization's feed: %d %s", r.StatusCode, r.Body)
	}
	got, first, code := feedEvents(t, v.FeedURL)
	if code != http.StatusOK {
		t.Fatalf("feed: %d", code)
	}
	want := notify.Obligations(ws, date.Of(day), webtest.SlugA)
	kinds := map[string]bool{}
	for _, o := range want {
		uid := o.UID + "@" + webtest.SlugA + ".ward"
		start, ok := got[uid]
		if !ok {
			t.Errorf("%s %s due %s is not in the feed (UID %s)", o.Kind, o.Subject, o.Due, uid)
			continue
		}
		if start.Format(time.DateOnly) != o.Due.String() {
			t.Errorf("%s: on %s in the feed, due %s", uid, start.Format(time.DateOnly), o.Due)
		}
		kinds[o.Kind] = true
	}
	if len(got) != len(want) {
		t.Errorf("the feed has %d events, want %d", len(got), len(want))
	}
	for _, k := range notify.ItemKinds {
		if !kinds[k] && k != notify.KindPrivacyRequest { // a business associate has none
			t.Errorf("no %s in the demo's feed", k)
		}
	}
	if _, ok := got["breach-notice/inc-2026-001/covered-entity:lakeside-cardiology@"+webtest.SlugA+".ward"]; !ok {
		t.Errorf("the breach notice to the covered entity (164.410) is missing: %v", keys(got))
	}
	_, second, _ := feedEvents(t, v.FeedURL)
	if !bytes.Equal(first, second) {
		t.Error("two fetches of the feed on one day differ")
	}

	// Raj's own feed: what he owns, nothing else.
	r = e.APIPost(raj.User, "/api/v1/orgs/"+webtest.SlugA+"/my/notifications/calendar", "")
	var mine struct {
		FeedURL string `json:"feed_url"`
	}
	json.Unmarshal([]byte(r.Body), &mine)
	own, _, code := feedEvents(t, mine.FeedURL)
	if code != http.StatusOK || len(own) == 0 {
		t.Fatalf("raj's feed: %d, %d events", code, len(own))
	}
	wantOwn := notify.ForPerson(want, "raj@acme-health.example", notify.Prefs{})
	if len(own) != len(wantOwn) {
		t.Errorf("raj's feed has %d events, want the %d he owns", len(own), len(wantOwn))
	}
	if _, ok := own["risk-due/r-laptop-loss@"+webtest.SlugA+".ward"]; !ok {
		t.Errorf("raj's feed lacks his risk treatment r-laptop-loss")
	}

	// Revoke the organization's feed: 404 from then on.
	r = e.APIPost(admin, "/api/v1/orgs/"+webtest.SlugA+"/notifications/org-calendar/"+itoa64(v.OrgCalendars[0].ID)+"/revoke", "")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.StatusCode, r.Body)
	}
	if _, _, code := feedEvents(t, v.FeedURL); code != http.StatusNotFound {
		t.Errorf("a revoked feed answers %d, want 404", code)
	}
	if _, _, code := feedEvents(t, e.HTTP.URL+"/cal/not-a-token.ics"); code != http.StatusNotFound {
		t.Errorf("an unknown feed answers %d, want 404", code)
	}
	// The person's feed still works; raj cannot revoke the org's.
	if _, _, code := feedEvents(t, mine.FeedURL); code != http.StatusOK {
		t.Errorf("raj's feed after the org's was revoked: %d", code)
	}
	// Everything is on the organization's trail.
	log, err := e.Store.Org(e.OrgA).AuditAll(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range log {
		if strings.HasPrefix(a.Action, "calendar.token.") {
			n++
			// By the logged-in account, named as every other change
			// made in the web app names it: its e-mail address.
			if a.Actor != admin.Email && a.Actor != raj.User.Email {
				t.Errorf("%s by %q, want the e-mail of the account that made it (%s or %s)", a.Action, a.Actor, admin.Email, raj.User.Email)
			}
		}
	}
	if n != 3 {
		t.Errorf("%d calendar token events on the trail, want 3 (two made, one revoked)", n)
	}
}

// TestNotifyPrefsAPI: an unknown kind is refused with 422 and nothing
// saved; a viewer may watch kinds; a workforce member may not; the
// delivery log is JSON for admins.
func TestNotifyPrefsAPI(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	viewer := e.Users[store.RoleViewer].User
	base := "/api/v1/orgs/" + webtest.SlugA + "/notifications"
	my := "/api/v1/orgs/" + webtest.SlugA + "/my/notifications"
	if r := e.APIPost(viewer, my+"/prefs", `{"watch": ["bogus"]}`); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an unknown kind: %d %s", r.StatusCode, r.Body)
	}
	if r := e.APIPost(viewer, my+"/prefs", `{"no_digest": true, "watch": ["risk-due"]}`); r.StatusCode != http.StatusOK {
		t.Fatalf("save: %d %s", r.StatusCode, r.Body)
	}
	var v struct {
		Prefs notify.Prefs `json:"prefs"`
	}
	r := e.APIGet(viewer, base)
	json.Unmarshal([]byte(r.Body), &v)
	if !v.Prefs.NoDigest || len(v.Prefs.Watch) != 1 || v.Prefs.Watch[0] != "risk-due" {
		t.Errorf("saved prefs read back as %+v (%s)", v.Prefs, r.Body)
	}
	if trail, err := e.Store.AccountLog(t.Context(), viewer.Email, 1, 0); err != nil || len(trail) != 1 || trail[0].Action != "notify.prefs" || trail[0].Actor != viewer.Email {
		t.Errorf("the saved preferences on the accounts' trail: %+v %v, want notify.prefs by %s", trail, err, viewer.Email)
	}
	if r := e.APIPost(e.Users[store.RoleMember].User, my+"/prefs", `{"watch": ["all"]}`); r.StatusCode != http.StatusForbidden {
		t.Errorf("a member watching everything: %d", r.StatusCode)
	}
	if r := e.APIGet(e.Users[store.RoleAdmin].User, base+"/log"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"deliveries"`) {
		t.Errorf("delivery log: %d %s", r.StatusCode, r.Body)
	}
}

func keys(m map[string]time.Time) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func itoa64(n int64) string { return jsonNum(n) }

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

var formAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)

// TestNotificationsPageForms: the page's own forms work as a browser
// sends them: a member turns the digest off and makes a feed, whose
// address the page then shows once and which opens.
func TestNotificationsPageForms(t *testing.T) {
	e := webtest.NewEnv(t, kit.Config{})
	member := e.Users[store.RoleMember]
	c, _ := e.Login(member)
	page := e.Get(c, "/orgs/"+webtest.SlugA+"/notifications")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("page: %d", page.StatusCode)
	}
	csrf := webtest.FormToken(t, page.Body)
	var actions []string
	for _, m := range formAction.FindAllStringSubmatch(page.Body, -1) {
		actions = append(actions, m[1])
	}
	prefs, feed := "/orgs/"+webtest.SlugA+"/my/notifications/prefs", "/orgs/"+webtest.SlugA+"/my/notifications/calendar"
	if !slices.Contains(actions, prefs) || !slices.Contains(actions, feed) || slices.ContainsFunc(actions, func(a string) bool { return strings.Contains(a, "org-calendar") }) {
		t.Fatalf("a member's page has the forms %v", actions)
	}
	if strings.Contains(page.Body, `name="watch"`) {
		t.Error("a member is offered kinds to watch")
	}
	r := e.PostForm(c, prefs, url.Values{"csrf": {csrf}, "alerts": {"on"}})
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "saved") {
		t.Fatalf("save: %d %.300s", r.StatusCode, r.Body)
	}
	raw, _ := e.Store.NotifyPrefs(t.Context(), member.Email)
	var p notify.Prefs
	json.Unmarshal([]byte(raw), &p)
	if !p.NoDigest || p.NoAlerts {
		t.Errorf("saved %s, want the digest off and alerts on", raw)
	}
	r = e.PostForm(c, feed, url.Values{"csrf": {csrf}})
	m := regexp.MustCompile(`value="(http[^"]+\.ics)"`).FindStringSubmatch(r.Body)
	if r.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("new feed: %d %.500s", r.StatusCode, r.Body)
	}
	if _, _, code := feedEvents(t, m[1]); code != http.StatusOK {
		t.Errorf("the new feed answers %d", code)
	}
	if again := e.Get(c, "/orgs/"+webtest.SlugA+"/notifications"); strings.Contains(again.Body, m[1]) {
		t.Error("the feed address is shown again after it was made")
	}
}
