package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPutOpen(t *testing.T) {
	s := New(filepath.Join(t.TempDir(), "blobs"))
	content := "Q2 user access review\n"
	sum := sha256.Sum256([]byte(content))
	want := hex.EncodeToString(sum[:])

	sha, size, err := s.Put(strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if sha != want || size != int64(len(content)) {
		t.Fatalf("Put = %s, %d; want %s, %d", sha, size, want, len(content))
	}
	if got := s.Path(sha); got != filepath.Join(s.Dir(), want[:2], want[2:]) {
		t.Errorf("Path = %s", got)
	}
	if !s.Has(sha) {
		t.Error("Has = false after Put")
	}
	rc, err := s.Open(sha)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != content {
		t.Errorf("Open read %q", got)
	}
	// The same bytes again: same name, still one file.
	if sha2, _, err := s.Put(strings.NewReader(content)); err != nil || sha2 != sha {
		t.Fatalf("second Put = %s, %v", sha2, err)
	}
	// No temporary files are left behind.
	left, _ := os.ReadDir(filepath.Join(s.Dir(), "tmp"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestRejectsNonHashNames(t *testing.T) {
	s := New(t.TempDir())
	for _, name := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63), strings.Repeat("g", 64)} {
		if s.Path(name) != "" || s.Has(name) {
			t.Errorf("%q accepted as a blob name", name)
		}
		if _, err := s.Open(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%q) = %v, want not-exist", name, err)
		}
	}
	if _, err := s.Open(strings.Repeat("a", 64)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(absent) = %v, want not-exist", err)
	}
}
