package store_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"ward/internal/store"
)

// TestFileModes (issue 20 finding 9): a new SQLite database, its WAL and
// shared-memory files are created 0600, and the evidence folder 0700 with
// its files 0600, whatever the umask lets through; on both engines for the
// folder. An existing database keeps the mode its administrator gave it.
func TestFileModes(t *testing.T) {
	old := syscall.Umask(0o022) // the common default, under which 0644 appeared
	defer syscall.Umask(old)
	ctx := context.Background()

	check := func(t *testing.T, s *store.Store, blobRoot string) {
		// On PostgreSQL the folder is where ward migrate-blobs --to folder
		// writes.
		sha, _, err := s.BlobFolder().Put(strings.NewReader("a file of evidence"))
		if err != nil {
			t.Fatal(err)
		}
		mode(t, blobRoot, fs.ModeDir|0o700)
		mode(t, filepath.Dir(s.BlobFolder().Path(sha)), fs.ModeDir|0o700)
		mode(t, s.BlobFolder().Path(sha), 0o600)
	}

	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "ward.db")
		s, err := store.Open(ctx, "sqlite:"+path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.CreateOrg(ctx, "test", "acme", "Acme"); err != nil {
			t.Fatal(err)
		}
		mode(t, path, 0o600)
		mode(t, path+"-wal", 0o600)
		mode(t, path+"-shm", 0o600)
		check(t, s, path+".blobs")

		// An existing file keeps its mode.
		other := filepath.Join(dir, "shared.db")
		if err := os.WriteFile(other, nil, 0o640); err != nil {
			t.Fatal(err)
		}
		s2, err := store.Open(ctx, "sqlite:"+other, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s2.Close()
		mode(t, other, 0o640)
	})
	t.Run("postgres", func(t *testing.T) {
		blobs := filepath.Join(t.TempDir(), "ward-blobs")
		s, err := store.Open(ctx, freshPostgres(t), store.Options{BlobDir: blobs})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		check(t, s, blobs)
	})
}

func mode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode() & (fs.ModeDir | fs.ModePerm); got != want {
		t.Errorf("%s: mode %v, want %v", filepath.Base(path), got, want)
	}
}
