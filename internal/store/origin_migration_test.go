package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/workspace"
)

// A database from before records knew where they are managed gets an
// origin from what it kept (migration 005): records an account made are
// the web's, evidence goes by its source, and a files record an account
// changed since has drifted. The state before 004/005 is rebuilt by
// resetting the new columns to their defaults and running 005 again.
func TestOriginMigration(t *testing.T) {
	for _, engine := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "ward.db") }},
		{"postgres", freshPostgres},
	} {
		t.Run(engine.name, func(t *testing.T) {
			ctx := context.Background()
			url := engine.url(t)
			blobs := t.TempDir()
			s, err := store.Open(ctx, url, store.Options{BlobDir: blobs})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateUser(ctx, "test", "dana@acme.example", "Dana", "x"); err != nil {
				t.Fatal(err)
			}
			org, err := s.CreateOrg(ctx, "cli:raj@laptop", "acme", "Acme")
			if err != nil {
				t.Fatal(err)
			}
			o := s.Org(org)
			if _, err := o.Apply(ctx, "cli:raj@laptop", storetest.Acme(), store.ApplyOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := o.Put(ctx, "dana@acme.example", store.KindVendor, "fax-co", workspace.Vendor{ID: "fax-co"}); err != nil {
				t.Fatal(err)
			}
			edited := storetest.Acme().Systems[0]
			edited.Description = "edited in the web"
			if _, err := o.Put(ctx, "dana@acme.example", store.KindSystem, edited.ID, edited); err != nil {
				t.Fatal(err)
			}
			day := date.MustParse("2027-05-01")
			if _, err := o.AddEvidence(ctx, "dana@acme.example", workspace.Evidence{Control: "mfa", Collected: day, Note: "uploaded"}); err != nil {
				t.Fatal(err)
			}
			if _, err := o.AddEvidence(ctx, "cli:raj@laptop", workspace.Evidence{Control: "mfa", Collected: day, Note: "scan", Source: workspace.SourceImporter}); err != nil {
				t.Fatal(err)
			}
			// Back to how a database from before 004 looks once 004 added
			// its columns, and 005 not yet run.
			for _, q := range []string{
				"UPDATE records SET origin = 'files', version = 1, synced = 1, adopted = NULL",
				"DELETE FROM schema_migrations WHERE version = 5",
			} {
				if _, err := s.RawExec(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			s, err = store.Open(ctx, url, store.Options{BlobDir: blobs})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			o = s.Org(org)
			res, err := o.ApplyWorkspace(ctx, "cli:raj@laptop", storetest.Acme(), store.ApplyOptions{})
			if !errors.Is(err, store.ErrDrift) {
				t.Fatalf("apply after the migration = %v, want the web's edit as drift", err)
			}
			if len(res.Drift) != 1 || res.Drift[0].Key != edited.ID || res.Drift[0].By != "dana@acme.example" {
				t.Errorf("drift = %+v, want the system dana edited", res.Drift)
			}
			var kept []string
			for _, k := range res.Kept {
				kept = append(kept, k.Reason+" "+k.Kind)
			}
			slices.Sort(kept)
			if want := []string{"import evidence", "web evidence", "web vendor"}; !slices.Equal(kept, want) {
				t.Errorf("kept = %q, want %q", kept, want)
			}
			// The records apply made are the files': dropping one retires it.
			ws := storetest.Acme()
			ws.Customers = nil
			res, err = o.ApplyWorkspace(ctx, "cli:raj@laptop", ws, store.ApplyOptions{Drift: store.DriftOverwrite})
			if err != nil {
				t.Fatal(err)
			}
			var acts []string
			for _, c := range res.Changes {
				acts = append(acts, c.Action+" "+c.Kind+" "+c.Key)
			}
			if want := []string{"update system patient-api", "retire customer st-marys"}; !slices.Equal(acts, want) {
				t.Errorf("changes = %q, want %q", acts, want)
			}
		})
	}
}
