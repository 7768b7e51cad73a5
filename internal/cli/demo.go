package cli

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ward/examples"
	"ward/internal/auth"
	"ward/internal/date"
	"ward/internal/store"
)

func init() {
	var f serveFlags
	var dir string
	var noServe bool
	Register(&Command{
		Name:    "demo",
		Creates: true,
		Args:    "[--dir DIR] [--addr HOST:PORT] [--no-serve]",
		Summary: "seed the demo organizations (a business associate and a covered-entity practice) into a fresh SQLite database and serve them",
		Flags: func(fs *flag.FlagSet) {
			f.bind(fs)
			fs.StringVar(&dir, "dir", "", "folder for the demo database and workspace (default: a new temporary folder)")
			fs.BoolVar(&noServe, "no-serve", false, "seed and exit without serving")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if err := checkIdle(f.idle); err != nil {
				return err
			}
			d, err := seedDemo(ctx, env, dir)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "demo database: %s\ndemo workspaces: %s\n", d.db, strings.Join(d.workspaces, ", "))
			if noServe {
				printLogins(env, "", d)
				return nil
			}
			s, err := env.Store(ctx)
			if err != nil {
				return err
			}
			return serve(ctx, env, s, f, func(url string) { printLogins(env, url, d) })
		},
	})
}

type demoSeed struct {
	db         string
	workspaces []string
	logins     [][3]string // email, role, password
}

// demoOrgs are the demo's organizations: Acme Health, the business
// associate built with a gap for every rule, and Harbor Family Medicine,
// a covered-entity practice (run by an MSP) that shows the Privacy Rule
// clocks. The demo admin belongs to both, so the home page is the MSP
// overview; the demo auditor sees Acme Health only.
var demoOrgs = []struct {
	dir string
	fs  fs.FS
}{
	{"acme-health", examples.AcmeHealth},
	{"harbor-family-medicine", examples.HarborFamilyMedicine},
}

func printLogins(env *Env, url string, d demoSeed) {
	if url != "" {
		fmt.Fprintf(env.Stdout, "\nward demo is running: open %s\n", url)
	}
	for _, l := range d.logins {
		fmt.Fprintf(env.Stdout, "  log in as %-28s password %s   (%s)\n", l[0], l[2], l[1])
	}
	if url != "" {
		// Acme Health opts in to the public trust center: no login.
		fmt.Fprintf(env.Stdout, "  Acme Health's public trust center: %s/trust/acme-health (no login)\n", strings.TrimRight(url, "/"))
		fmt.Fprintln(env.Stdout, "Press Ctrl-C to stop.")
	}
}

// seedDemo writes the embedded demo workspaces to a fresh folder, applies
// each through the same path as `ward apply`, and creates demo logins.
func seedDemo(ctx context.Context, env *Env, dir string) (demoSeed, error) {
	var err error
	if dir == "" {
		dir, err = os.MkdirTemp("", "ward-demo-")
		if err != nil {
			return demoSeed{}, err
		}
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return demoSeed{}, err
	}
	d := demoSeed{db: filepath.Join(dir, "ward.db")}
	if _, err := os.Stat(d.db); err == nil {
		return demoSeed{}, BadInput("%s already exists: the demo needs a fresh folder", d.db)
	}
	env.DB = "sqlite:" + d.db
	// Each demo workspace names its organization: $WARD_ORG, set for
	// another database, must not send both into one.
	env.OrgSlug = ""
	var orgs []store.Org
	for _, o := range demoOrgs {
		ws := filepath.Join(dir, o.dir)
		if err := copyFS(o.fs, o.dir, ws); err != nil {
			return demoSeed{}, err
		}
		_, org, err := ApplyPath(ctx, env, ws, "demo", false)
		if err != nil {
			return demoSeed{}, err
		}
		d.workspaces = append(d.workspaces, ws)
		orgs = append(orgs, org)
	}
	s, err := env.Store(ctx)
	if err != nil {
		return demoSeed{}, err
	}
	for _, l := range []struct {
		email, name, role string
		orgs              []store.Org
	}{
		{"admin@acme-health.example", "Demo Admin", store.RoleAdmin, orgs},
		{"auditor@acme-health.example", "Demo Auditor", store.RoleAuditor, orgs[:1]},
		// A workforce member: a person of Acme Health's workspace, who sees
		// only the policies to acknowledge and the trainings to complete.
		{"tom@acme-health.example", "Tom Nguyen", store.RoleMember, orgs[:1]},
	} {
		pw, err := auth.NewPassword()
		if err != nil {
			return demoSeed{}, err
		}
		hash, err := auth.HashPassword(pw)
		if err != nil {
			return demoSeed{}, err
		}
		u, err := s.CreateUser(ctx, "demo", l.email, l.name, hash)
		if err != nil {
			return demoSeed{}, err
		}
		for _, org := range l.orgs {
			if err := s.SetRole(ctx, "demo", u.ID, org, l.role); err != nil {
				return demoSeed{}, err
			}
		}
		var names []string
		for _, org := range l.orgs {
			names = append(names, org.Name)
		}
		d.logins = append(d.logins, [3]string{l.email, l.role + " of " + strings.Join(names, " and "), pw})
	}
	// The accounts page shows more than the two logins: an editor, a
	// compliance lead who left (disabled), and the CI pipeline's token.
	for _, a := range []struct{ email, name, role string }{
		{"maria@acme-health.example", "Maria Lopez", store.RoleEditor},
		{"sam@acme-health.example", "Sam Okafor", store.RoleViewer},
	} {
		pw, err := auth.NewPassword()
		if err != nil {
			return demoSeed{}, err
		}
		hash, err := auth.HashPassword(pw)
		if err != nil {
			return demoSeed{}, err
		}
		u, err := s.CreateUser(ctx, "demo", a.email, a.name, hash)
		if err != nil {
			return demoSeed{}, err
		}
		if err := s.SetRole(ctx, "demo", u.ID, orgs[0], a.role); err != nil {
			return demoSeed{}, err
		}
		if a.role == store.RoleViewer {
			if err := s.DisableUser(ctx, "admin@acme-health.example", u.ID); err != nil {
				return demoSeed{}, err
			}
		}
	}
	if admin, err := s.UserByEmail(ctx, "admin@acme-health.example"); err == nil {
		tok, err := auth.NewToken()
		if err != nil {
			return demoSeed{}, err
		}
		if _, err := s.CreateToken(ctx, "demo", admin.ID, "ci-pipeline (ward check)", auth.TokenHash(tok), time.Now().Add(DefaultTokenDays*24*time.Hour)); err != nil {
			return demoSeed{}, err
		}
	}
	acme := &Backend{Store: s, Org: orgs[0], Data: s.Org(orgs[0])}
	if err := SeedDemoQuestionnaire(ctx, acme, date.Today()); err != nil {
		return demoSeed{}, fmt.Errorf("demo questionnaire: %w", err)
	}
	return d, nil
}

func copyFS(src fs.FS, root, dst string) error {
	return fs.WalkDir(src, root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		target := filepath.Join(dst, rel)
		if e.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if filepath.Ext(p) == ".go" {
			return nil
		}
		b, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

// SeedDemo writes the demo's organizations into a fresh database in dir,
// as `ward demo` does but without serving it, and returns the database's
// file (for tests of other packages). Like ward demo, it starts the
// database (Command.Creates).
func SeedDemo(ctx context.Context, env *Env, dir string) (string, error) {
	env.creates = true
	d, err := seedDemo(ctx, env, dir)
	return d.db, err
}
