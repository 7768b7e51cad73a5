package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/cli"
)

// An MSP keeps each client practice's workspace in its own folder, with
// its organization.slug, and often has --org or $WARD_ORG set for the
// practice it works on. Applying another practice's folder then must not
// make the chosen organization into that practice (its records retired,
// the other's written in): files that name their organization are applied
// to it or refused, never to another one.
func TestApplyRefusesFilesOfAnotherOrganization(t *testing.T) {
	harbor := filepath.Join(filepath.Dir(cli.DemoDir), "harbor-family-medicine")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	mustWard(t, db, "apply", "-f", cli.DemoDir)
	mustWard(t, db, "apply", "-f", harbor)
	before := fileHash(t, db)

	refused := func(t *testing.T, args ...string) {
		t.Helper()
		code, out, errs := ward(t, db, args...)
		if code != cli.ExitBadInput {
			t.Fatalf("ward %v: exit %d, want 2\n%s%s", args, code, out, errs)
		}
		for _, want := range []string{"organization.yaml:16: organization.slug:", "harbor-family-medicine", "nothing was written"} {
			if !strings.Contains(errs, want) {
				t.Errorf("stderr does not say %q:\n%s", want, errs)
			}
		}
		if fileHash(t, db) != before {
			t.Fatal("the database changed")
		}
	}
	t.Run("--org names another organization", func(t *testing.T) {
		refused(t, "--org", "acme-health", "apply", "-f", harbor)
		refused(t, "--org", "acme-health", "apply", "--dry-run", "-f", harbor)
	})
	t.Run("$WARD_ORG names another organization", func(t *testing.T) {
		t.Setenv("WARD_ORG", "acme-health")
		refused(t, "apply", "-f", harbor)
	})
	t.Run("--org names no organization", func(t *testing.T) {
		refused(t, "--org", "harbor-copy", "apply", "-f", harbor)
		if code, _, errs := ward(t, db, "--org", "harbor-copy", "check"); code != cli.ExitBadInput || !strings.Contains(errs, `no organization "harbor-copy"`) {
			t.Fatalf("the refused apply created an organization: exit %d\n%s", code, errs)
		}
	})
	t.Run("--org names the files' organization", func(t *testing.T) {
		if out := mustWard(t, db, "--org", "harbor-family-medicine", "apply", "-f", harbor); !strings.Contains(out, "harbor-family-medicine: no changes") {
			t.Fatalf("apply: %s", out)
		}
	})
	// Files that give no slug take the organization --org names, as
	// before: that is how they are applied under a slug of one's choice.
	t.Run("files without a slug", func(t *testing.T) {
		ws := filepath.Join(dir, "noslug")
		if err := os.CopyFS(ws, os.DirFS(harbor)); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(ws, "organization.yaml")
		raw, _ := os.ReadFile(p)
		os.WriteFile(p, []byte(strings.Replace(string(raw), "  slug: harbor-family-medicine\n", "", 1)), 0o644)
		if out := mustWard(t, db, "--org", "harbor-copy", "apply", "-f", ws); !strings.Contains(out, "harbor-copy: ") {
			t.Fatalf("apply: %s", out)
		}
		if out := mustWard(t, db, "--org", "harbor-copy", "export", "-o", filepath.Join(dir, "out")); !strings.Contains(out, "harbor-copy") {
			t.Fatalf("export: %s", out)
		}
	})
}

// ward init --org SLUG sets the organization up under that slug, and the
// files it writes say so, so that applying them again (with --org or
// without) reaches the same organization.
func TestInitWithOrgWritesThatSlug(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "ward.db")
	ws := filepath.Join(dir, "workspace")
	if code, out, errs := runWard(t, initAnswers, "--db", db, "--org", "brightline", "init", "-o", ws); code != 0 {
		t.Fatalf("init: exit %d\n%s\n%s", code, out, errs)
	}
	raw, _ := os.ReadFile(filepath.Join(ws, "organization.yaml"))
	if !strings.Contains(string(raw), "slug: brightline\n") {
		t.Errorf("organization.yaml does not name the organization init made:\n%s", raw)
	}
	for _, args := range [][]string{{"apply", "-f", ws}, {"--org", "brightline", "apply", "-f", ws}} {
		if code, out, errs := runWard(t, "", append([]string{"--db", db}, args...)...); code != 0 || !strings.Contains(out, "brightline: no changes") {
			t.Errorf("ward %v: exit %d\n%s%s", args, code, out, errs)
		}
	}
}

// ward demo seeds both of its organizations whatever $WARD_ORG says.
func TestDemoIgnoresWardOrg(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	t.Setenv("WARD_ORG", "acme-health")
	dir := t.TempDir()
	out := mustWard(t, filepath.Join(dir, "unused.db"), "demo", "--dir", dir, "--no-serve")
	if !strings.Contains(out, "admin of Acme Health and Harbor Family Medicine") {
		t.Errorf("demo output:\n%s", out)
	}
	db := filepath.Join(dir, "ward.db")
	for _, org := range []string{"acme-health", "harbor-family-medicine"} {
		mustWard(t, db, "--org", org, "audit", "verify")
	}
}
