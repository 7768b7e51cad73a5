package store_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/workspace"
)

// openSQLite opens a store on a new SQLite file.
var openSQLite = storetest.OpenSQLite

func TestSQLiteContract(t *testing.T) { storetest.Run(t, openSQLite) }

func TestOpenURLs(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for _, u := range []string{"sqlite:" + filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db"), "sqlite://" + filepath.Join(dir, "c.db")} {
		s, err := store.Open(ctx, u, store.Options{})
		if err != nil {
			t.Errorf("Open(%s): %v", u, err)
			continue
		}
		if s.EngineName() != "sqlite" {
			t.Errorf("Open(%s) engine %s", u, s.EngineName())
		}
		s.Close()
	}
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "a.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if want := filepath.Join(dir, "a.db") + ".blobs"; s.Blobs().Where() != want {
		t.Errorf("default blob dir = %s, want %s beside the file", s.Blobs().Where(), want)
	}
	for _, bad := range []string{"mysql://x", "ward", "sqlite:"} {
		if _, err := store.Open(ctx, bad, store.Options{}); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
	if _, err := store.Open(ctx, "postgres://u:secret@127.0.0.1:1/none?connect_timeout=1", store.Options{}); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open(unreachable postgres) = %v: want an error without the password", err)
	}
}

// Opening an existing database again runs no migration twice and keeps
// everything.
func TestSQLiteReopen(t *testing.T) {
	ctx := context.Background()
	path := "sqlite:" + filepath.Join(t.TempDir(), "ward.db")
	s, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	org, _ := s.CreateOrg(ctx, "test", "acme", "Acme")
	if _, err := s.Org(org).Apply(ctx, "test", storetest.Acme(), store.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	org, err = s.OrgBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if cs, err := s.Org(org).Apply(ctx, "test", storetest.Acme(), store.ApplyOptions{}); err != nil || len(cs) != 0 {
		t.Errorf("re-apply after reopen: %v, %v", cs, err)
	}
	if err := s.Org(org).VerifyAudit(ctx); err != nil {
		t.Error(err)
	}
}

func TestSQLiteBackup(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t)
	org, _ := s.CreateOrg(ctx, "test", "acme", "Acme")
	if _, err := s.Org(org).Apply(ctx, "test", storetest.Acme(), store.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(copyPath, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := store.Open(ctx, "sqlite:"+copyPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	org2, err := c.OrgBySlug(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	o := c.Org(org2)
	if err := o.VerifyAudit(ctx); err != nil {
		t.Errorf("backup's audit trail: %v", err)
	}
	h1, _ := s.Org(org).AuditHead(ctx)
	h2, _ := o.AuditHead(ctx)
	if h1 != h2 {
		t.Errorf("backup head %+v, live head %+v", h2, h1)
	}
}

// TestSQLiteCrash kills a writer with SIGKILL in the middle of its work
// and checks that every write it had acknowledged survived, and that the
// audit trail still verifies. The writer is this test binary, re-run.
func TestSQLiteCrash(t *testing.T) {
	if path := os.Getenv("WARD_CRASH_CHILD"); path != "" {
		crashChild(path)
		return
	}
	if testing.Short() {
		t.Skip("crash test in -short mode")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	s, err := store.Open(context.Background(), "sqlite:"+path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOrg(context.Background(), "test", "acme", "Acme"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteCrash$")
		cmd.Env = append(os.Environ(), "WARD_CRASH_CHILD="+path, fmt.Sprintf("WARD_CRASH_ROUND=%d", round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var acked []string
		sc := bufio.NewScanner(out)
		deadline := time.Now().Add(20 * time.Second)
		for sc.Scan() {
			line := sc.Text()
			if k, ok := strings.CutPrefix(line, "ACK "); ok {
				acked = append(acked, k)
			}
			// Kill at a point that varies from round to round, mid-stream.
			if len(acked) >= 40+round*37 || time.Now().After(deadline) {
				break
			}
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if len(acked) == 0 {
			t.Fatalf("round %d: the writer acknowledged nothing", round)
		}

		s, err := store.Open(context.Background(), "sqlite:"+path, store.Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		org, err := s.OrgBySlug(context.Background(), "acme")
		if err != nil {
			t.Fatal(err)
		}
		o := s.Org(org)
		for _, k := range acked {
			kind, key, _ := strings.Cut(k, " ")
			var v map[string]any
			if err := o.Get(context.Background(), kind, key, &v); err != nil {
				t.Errorf("round %d: acknowledged %s %s is missing: %v", round, kind, key, err)
			}
		}
		if err := o.VerifyAudit(context.Background()); err != nil {
			t.Errorf("round %d: audit after kill -9: %v", round, err)
		}
		t.Logf("round %d: %d acknowledged writes survived", round, len(acked))
		s.Close()
	}
}

// crashChild writes until it is killed, printing each write once the
// store has returned from it.
func crashChild(path string) {
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+path, store.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	org, err := s.OrgBySlug(ctx, "acme")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	o := s.Org(org)
	round := os.Getenv("WARD_CRASH_ROUND")
	collected := date.MustParse("2027-01-01")
	for i := 0; ; i++ {
		if i%3 == 2 {
			e, err := o.AddEvidence(ctx, "crash", workspace.Evidence{Control: "backup", Collected: collected.AddDays(i), Note: "run " + round})
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			fmt.Printf("ACK evidence %s\n", e.ID)
			continue
		}
		id := fmt.Sprintf("r%s-sys-%d", round, i)
		if _, err := o.Put(ctx, "crash", store.KindSystem, id, workspace.System{ID: id, Kind: "other", Description: strings.Repeat("x", 200)}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("ACK system %s\n", id)
	}
}
