package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ward/internal/cli"
)

// initAnswers are the answers a newcomer types, one a line, in the order
// ward init asks: a business associate selling to clinics, SOC 2 Type II,
// one officer for both roles, two systems.
var initAnswers = strings.Join([]string{
	"Brightline Health", // name
	"2027-01-04",        // program start
	"y", "y", "n", "y",  // the four applicability questions
	"",                                      // role: the default, business-associate
	"Ana Ruiz",                              // privacy officer
	"maybe",                                 // not an e-mail: asked again
	"ana@brightline.example",                // privacy officer's e-mail
	"",                                      // security officer: the same person
	"",                                      // and the same address
	"",                                      // SOC 2: the default, type2
	"2027-04-01",                            // observation start
	"",                                      // months: the default
	"Patient API", "", "AWS", "y", "y", "y", // service (default kind), vendor, PHI, live, encrypted
	"Reminders", "saas", "Twilio", "y", "n", "n",
	"", // done
}, "\n") + "\n"

func runWard(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestInitWithPipedAnswersMakesAWorkspaceCheckAndPlanAccept(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "ward.db")
	ws := filepath.Join(dir, "workspace")

	// A database path with no file yet says how to begin, and leaves no
	// file there for ward init to find.
	for _, cmd := range [][]string{{"plan"}, {"user", "add", "ana@brightline.example", "--role", "admin"}} {
		code, _, errs := runWard(t, "", append([]string{"--db", db}, cmd...)...)
		if code != cli.ExitBadInput || !strings.Contains(errs, "run 'ward init'") || !strings.Contains(errs, "ward apply -f") {
			t.Errorf("ward %s on a new path: exit %d, %s", cmd[0], code, errs)
		}
		if _, err := os.Stat(filepath.Join(dir, "ward.db")); !os.IsNotExist(err) {
			t.Errorf("ward %s made the database file (%v)", cmd[0], err)
		}
	}

	code, out, errs := runWard(t, initAnswers, "--db", db, "init", "-o", ws)
	if code != 0 {
		t.Fatalf("init: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "please give an e-mail address") {
		t.Errorf("an answer that is not an e-mail address is asked again:\n%s", out)
	}
	if !strings.Contains(out, "organization brightline-health") {
		t.Errorf("init says what it created:\n%s", out)
	}
	raw, err := os.ReadFile(filepath.Join(ws, "organization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Written by `ward init`", "name: Brightline Health", "roles:\n    - business-associate", "handles_phi: true", "enterprise_health_systems: false",
		"privacy: ana@brightline.example", "security: ana@brightline.example", "type: type2", "observation_start: 2027-04-01", "observation_months: 3"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("organization.yaml lacks %q:\n%s", want, raw)
		}
	}

	// The database holds what the files say: apply changes nothing.
	if code, out, errs := runWard(t, "", "--db", db, "apply", "-f", ws); code != 0 || !strings.Contains(out, "no changes") {
		t.Errorf("apply of the written workspace: exit %d %s %s", code, out, errs)
	}

	// ward check accepts it: findings (exit 1), not bad input (exit 2).
	code, out, errs = runWard(t, "", "--db", db, "check", "--as-of", "2027-01-04", "--format", "json")
	if code != cli.ExitFindings {
		t.Fatalf("check: exit %d, want 1 (a new program has gaps)\n%s\n%s", code, out, errs)
	}
	var res struct {
		Findings []struct{ Rule, Subject string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Rule+" "+f.Subject)
	}
	for _, want := range []string{
		"baa.downstream.missing aws",    // PHI reaches AWS with no BAA, 164.308(b)
		"baa.downstream.missing twilio", // and Twilio
		"risk-analysis.missing organization",
		"storage.unencrypted reminders",
	} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("check: want %q among\n%s", want, strings.Join(got, "\n"))
		}
	}

	// ward plan accepts it and plans from the answers.
	code, out, errs = runWard(t, "", "--db", db, "plan", "--as-of", "2027-01-04", "--format", "json")
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, errs)
	}
	var p struct {
		Start      string `json:"start"`
		Milestones []struct {
			ID string `json:"id"`
		} `json:"milestones"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("plan json: %v\n%s", err, out)
	}
	var ids []string
	for _, m := range p.Milestones {
		ids = append(ids, m.ID)
	}
	for _, want := range []string{"risk-analysis", "execute-baas", "soc2-type2-observation"} {
		if !strings.Contains(strings.Join(ids, " "), want) {
			t.Errorf("plan milestones %v lack %s", ids, want)
		}
	}

	// Now a user can be added, and init does not run twice over a folder
	// or an organization.
	if code, _, errs := runWard(t, "", "--db", db, "user", "add", "ana@brightline.example", "--role", "admin"); code != 0 {
		t.Errorf("user add after init: %d %s", code, errs)
	}
	if code, _, errs := runWard(t, initAnswers, "--db", db, "init", "-o", ws); code != cli.ExitBadInput || !strings.Contains(errs, "already holds workspace files") {
		t.Errorf("init over an existing workspace: exit %d %s", code, errs)
	}
	if code, _, errs := runWard(t, initAnswers, "--db", db, "init", "-o", filepath.Join(dir, "again")); code != cli.ExitBadInput || !strings.Contains(errs, "already holds the organization brightline-health") {
		t.Errorf("init of an organization the database holds: exit %d %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "again")); !os.IsNotExist(err) {
		t.Errorf("a refused init wrote %s", filepath.Join(dir, "again"))
	}
}

func TestInitStopsAtTheEndOfInputWritingNothing(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "ward.db")
	ws := filepath.Join(dir, "workspace")
	code, _, errs := runWard(t, "Brightline Health\n2027-01-04\ny\n", "--db", db, "init", "-o", ws)
	if code != cli.ExitBadInput || !strings.Contains(errs, "nothing was written") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(ws); !os.IsNotExist(err) {
		t.Errorf("%s was written", ws)
	}
	if code, _, errs := runWard(t, "", "--db", db, "plan"); code != cli.ExitBadInput || !strings.Contains(errs, "holds no organization yet") {
		t.Errorf("the database holds an organization after a stopped init: %d %s", code, errs)
	}
}

// ward serve on a database without any account prints a one-time setup
// link; only that link opens the first-run page.
func TestServeOnAnEmptyDatabasePrintsTheSetupLink(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	out, errs := &cli.SyncBuffer{}, &cli.SyncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, []string{"--db", "sqlite:" + filepath.Join(dir, "ward.db"), "serve", "--addr", "127.0.0.1:0"}, strings.NewReader(""), out, errs)
	}()
	defer func() {
		cancel()
		<-done
	}()
	link := regexp.MustCompile(`(http://127\.0\.0\.1:\d+)/setup\?token=([A-Za-z0-9_-]+)`)
	var m []string
	for deadline := time.Now().Add(30 * time.Second); m == nil; {
		if m = link.FindStringSubmatch(out.String()); m == nil {
			if time.Now().After(deadline) {
				t.Fatalf("no setup link printed:\n%s\n%s", out.String(), errs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if !strings.Contains(out.String(), "set up your organization") {
		t.Errorf("on a database without an organization, the link sets one up:\n%s", out.String())
	}
	get := func(u string) int {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(m[0]); code != http.StatusOK {
		t.Errorf("GET the printed link: %d", code)
	}
	if code := get(m[1] + "/setup"); code != http.StatusForbidden {
		t.Errorf("GET /setup without the token: %d, want 403", code)
	}
	if strings.Contains(errs.String(), m[2]) {
		t.Errorf("the setup token reached the log:\n%s", errs.String())
	}
}

// TestInitForACoveredEntityAsksNoSOC2Target: a covered entity providing
// care gets HIPAA only, and ward plan says SOC 2 does not apply to it
// (rule 5), even when buyers ask. ward init does not ask it for a SOC 2
// target; it says why, and writes none, so plan and init agree.
func TestInitForACoveredEntityAsksNoSOC2Target(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "ward.db")
	ws := filepath.Join(dir, "workspace")
	answers := strings.Join([]string{
		"Riverside Family Practice", "2027-01-04",
		"y", "n", "n", "y", // PHI; sells to no covered entity; no health systems; buyers ask for SOC 2
		"",                                // role: the default, covered-entity
		"Mo Diaz", "mo@riverside.example", // privacy officer
		"", "", // security officer: the same person
		"EHR", "saas", "Epic", "y", "y", "y",
		"",
	}, "\n") + "\n"
	code, out, errs := runWard(t, answers, "--db", db, "init", "-o", ws)
	if code != 0 {
		t.Fatalf("init: exit %d\n%s\n%s", code, out, errs)
	}
	if strings.Contains(out, "Which SOC 2 report") {
		t.Errorf("init asks a covered entity for a SOC 2 target:\n%s", out)
	}
	if !strings.Contains(out, "SOC 2 does not apply to providing care") {
		t.Errorf("init does not say why it asks no SOC 2 target:\n%s", out)
	}
	raw, err := os.ReadFile(filepath.Join(ws, "organization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"roles:\n    - covered-entity", "type: none"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("organization.yaml lacks %q:\n%s", want, raw)
		}
	}
	if strings.Contains(string(raw), "observation_") {
		t.Errorf("a covered entity's workspace has a Type II window:\n%s", raw)
	}
	code, out, errs = runWard(t, "", "--db", db, "plan", "--as-of", "2027-01-04", "--format", "json")
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, errs)
	}
	var p struct {
		Frameworks []struct {
			ID      string `json:"id"`
			Applies bool   `json:"applies"`
		} `json:"frameworks"`
		Milestones []struct {
			ID string `json:"id"`
		} `json:"milestones"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("plan json: %v\n%s", err, out)
	}
	for _, f := range p.Frameworks {
		if f.ID == "soc2" && f.Applies {
			t.Errorf("plan: SOC 2 applies to a covered entity")
		}
	}
	for _, m := range p.Milestones {
		if strings.HasPrefix(m.ID, "soc2") {
			t.Errorf("plan has a SOC 2 milestone %s for a covered entity", m.ID)
		}
	}
}
