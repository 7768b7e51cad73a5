package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strings"

	"ward/internal/store"
	"ward/internal/workspace"
)

// Backend is the opened database and the organization a command works on.
type Backend struct {
	Store *store.Store
	Org   store.Org
	Data  *store.OrgStore
}

// Workspace loads the organization's live records.
func (b *Backend) Workspace(ctx context.Context) (*workspace.Workspace, error) {
	return b.Data.Workspace(ctx)
}

// Store opens the database behind --db once per run.
func (e *Env) Store(ctx context.Context) (*store.Store, error) { return e.openStore(ctx, nil) }

// openStore is Store, with store.Options.Proceed: asked before the
// migrations a new or older database needs commit.
func (e *Env) openStore(ctx context.Context, proceed func() error) (*store.Store, error) {
	if e.store != nil {
		return e.store, nil
	}
	// One check for every command that does not create the database: a
	// mistyped path must not leave an empty database there.
	if path, ok := store.SQLiteFile(e.DB); ok && !e.creates && path != "" && path != ":memory:" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, BadInput("%s: the database file %s does not exist (%s). Check the path; or, to start a database there, run 'ward init' (it asks a few questions), 'ward apply -f DIR' with workspace files you have, 'ward demo' or 'ward restore FILE'", e.DB, path, e.dbSource())
		}
	}
	s, err := store.Open(ctx, e.DB, store.Options{Proceed: proceed})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redactURL(e.DB), err)
	}
	e.store = s
	return s, nil
}

// dbSource names where --db's value came from, for a message about it.
func (e *Env) dbSource() string {
	switch {
	case e.given["db"]:
		return "named by --db"
	case os.Getenv("WARD_DB") != "":
		return "named by $WARD_DB"
	}
	return "the default of --db, when neither --db nor $WARD_DB is set"
}

// Backend opens the database and selects the organization: --org when
// given, else the only one there is.
func (e *Env) Backend(ctx context.Context) (*Backend, error) {
	if e.backend != nil {
		return e.backend, nil
	}
	s, err := e.Store(ctx)
	if err != nil {
		return nil, err
	}
	org, err := e.selectOrg(ctx, s)
	if err != nil {
		return nil, err
	}
	e.backend = &Backend{Store: s, Org: org, Data: s.Org(org)}
	return e.backend, nil
}

func (e *Env) selectOrg(ctx context.Context, s *store.Store) (store.Org, error) {
	if e.OrgSlug != "" {
		org, err := s.OrgBySlug(ctx, e.OrgSlug)
		if errors.Is(err, store.ErrNotFound) {
			return store.Org{}, BadInput("no organization %q in %s", e.OrgSlug, redactURL(e.DB))
		}
		return org, err
	}
	orgs, err := s.Orgs(ctx)
	if err != nil {
		return store.Org{}, err
	}
	switch len(orgs) {
	case 0:
		return store.Org{}, BadInput("%s holds no organization yet. To start one, run 'ward init': it asks a few questions (what applies, your officers, your SOC 2 target, your first systems) and sets it up; or apply workspace files you already have with 'ward apply -f DIR' (try 'ward apply -f examples/acme-health' for the demo)", redactURL(e.DB))
	case 1:
		return orgs[0], nil
	}
	slugs := make([]string, len(orgs))
	for i, o := range orgs {
		slugs[i] = o.Slug
	}
	return store.Org{}, BadInput("%s holds %d organizations: choose one with --org (%s)", redactURL(e.DB), len(orgs), strings.Join(slugs, ", "))
}

// Close closes the database a command opened, if it did.
func (e *Env) Close() {
	if e.store != nil {
		e.store.Close()
	}
}

// Actor names who ran a command in the audit trail: $WARD_ACTOR, else the
// operating-system account.
func Actor() string {
	if a := os.Getenv("WARD_ACTOR"); a != "" {
		return a
	}
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	if host != "" {
		name += "@" + host
	}
	return "cli:" + name
}

// redactURL hides the passwords in a postgres URL before it reaches a
// message (store.RedactURL).
func redactURL(u string) string { return store.RedactURL(u) }
