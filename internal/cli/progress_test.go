package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ward/internal/importer/prowler"
)

// TestNoBarOnAPipe: with stdout and stderr on pipes (not a terminal),
// apply, import, backup and restore write plain lines: no carriage
// return, no escape sequence, nothing a bar would draw.
func TestNoBarOnAPipe(t *testing.T) {
	t.Setenv("WARD_ACTOR", "test")
	dir := t.TempDir()
	db := filepath.Join(dir, "ward.db")
	scan := filepath.Join(dir, "scan.ocsf.json")
	f, err := os.Create(scan)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prowler.WriteSynthetic(f, 2<<20, 1, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	archive := filepath.Join(dir, "backup.tar.gz")
	for _, args := range [][]string{
		{"--db", "sqlite:" + db, "apply", "-f", demoDir},
		{"--db", "sqlite:" + db, "import", "prowler", scan},
		{"--db", "sqlite:" + db, "backup", "-o", archive},
		{"--db", "sqlite:" + filepath.Join(dir, "restored.db"), "restore", archive},
	} {
		code, out, errs := wardOnPipes(t, args...)
		if code != 0 {
			t.Fatalf("ward %v: exit %d\n%s%s", args, code, out, errs)
		}
		if out == "" {
			t.Errorf("ward %v printed nothing", args)
		}
		for name, text := range map[string]string{"stdout": out, "stderr": errs} {
			if strings.ContainsAny(text, "\r\x1b\b") {
				t.Errorf("ward %v: %s on a pipe has control characters: %q", args, name, text)
			}
		}
	}
}

// wardOnPipes runs ward with stdout and stderr on OS pipes.
func wardOnPipes(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); io.Copy(&out, outR) }()
	go func() { defer wg.Done(); io.Copy(&errs, errR) }()
	code := Main(context.Background(), args, strings.NewReader(""), outW, errW)
	outW.Close()
	errW.Close()
	wg.Wait()
	outR.Close()
	errR.Close()
	return code, out.String(), errs.String()
}

// TestWorkBarDraws: on a terminal (here forced, on a buffer) the bar
// shows what is being done, the records and the bytes, and clears itself
// when the work is done; before its delay it draws nothing.
func TestWorkBarDraws(t *testing.T) {
	var mu sync.Mutex
	var buf bytes.Buffer
	w := writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	})
	text := func() string {
		mu.Lock()
		defer mu.Unlock()
		return buf.String()
	}
	quick := newWorkBar(w, true, 1000, "files", time.Hour)
	quick.records.Add(3)
	quick.done()
	if text() != "" {
		t.Fatalf("a bar that ends before its delay drew %q", text())
	}

	b := newWorkBar(w, true, 4<<20, "files", 0)
	b.doing("hashing files")
	io.Copy(io.Discard, b.reader(bytes.NewReader(make([]byte, 3<<20))))
	b.records.Add(7)
	for deadline := time.Now().Add(time.Minute); !strings.Contains(text(), "7 files") && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	b.done()
	got := text()
	for _, want := range []string{"hashing files", "7 files", "75%", "3.1/4.2 MB"} {
		if !strings.Contains(got, want) {
			t.Errorf("bar output lacks %q: %q", want, got)
		}
	}
	if !strings.Contains(got, "\r") {
		t.Errorf("bar output does not redraw in place: %q", got)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
