package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/store/sqlite"
)

// openDB is a DB store on a new SQLite file holding the blob tables of
// migration 056 (the store is the same SQL on PostgreSQL; the store
// package's tests run it there), with chunks of size chunk.
func openDB(t *testing.T, chunk int) *DB {
	t.Helper()
	eng := sqlite.Engine{}
	db, err := eng.Open(context.Background(), filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ddl, err := fs.ReadFile(eng.Migrations(), "056_blobs.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(ddl)); err != nil {
		t.Fatal(err)
	}
	d := NewDB(db, eng.Rebind, nil)
	d.chunk = chunk
	return d
}

// randomBytes is n reproducible bytes that do not compress.
func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// countingReader notes, at each read, how many chunks were stored so far.
type countingReader struct {
	r       io.Reader
	read    int
	written *int
	// storedAt is the number of chunks stored when the reader had handed
	// out at least half of its bytes.
	storedAt, half int
}

func (c *countingReader) Read(p []byte) (int, error) {
	if len(p) > 100 {
		p = p[:100]
	}
	n, err := c.r.Read(p)
	c.read += n
	if c.storedAt < 0 && c.read >= c.half {
		c.storedAt = *c.written
	}
	return n, err
}

// TestDBStreams: a blob of several chunks is stored chunk by chunk while
// it is still being read (not gathered first), read back one chunk at a
// time (the first bytes come after one chunk's fetch), and named by the
// SHA-256 of its bytes; the same bytes again store nothing new.
func TestDBStreams(t *testing.T) {
	const chunk = 1000
	d := openDB(t, chunk)
	data := randomBytes(10*chunk + 500)
	var writes, reads int
	chunkWrites = func() { writes++ }
	chunkReads = func() { reads++ }
	t.Cleanup(func() { chunkWrites, chunkReads = nil, nil })

	src := &countingReader{r: bytes.NewReader(data), written: &writes, storedAt: -1, half: len(data) / 2}
	sha, size, err := d.Put(src)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if sha != hex.EncodeToString(sum[:]) || size != int64(len(data)) {
		t.Fatalf("Put = %s %d, want %x %d", sha, size, sum, len(data))
	}
	if writes != 11 {
		t.Errorf("%d chunks stored, want 11", writes)
	}
	if src.storedAt < 4 {
		t.Errorf("when half the file had been read, %d chunks were stored: Put gathers the file before storing it", src.storedAt)
	}
	if reads != 11 {
		t.Errorf("Put read back %d chunks before it committed, want all 11", reads)
	}
	if !d.Has(sha) {
		t.Fatal("Has = false after Put")
	}
	reads = 0

	rc, err := d.Open(sha)
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, 10)
	if _, err := io.ReadFull(rc, first); err != nil {
		t.Fatal(err)
	}
	if reads != 1 {
		t.Errorf("reading 10 bytes fetched %d chunks, want 1", reads)
	}
	rest, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(append(first, rest...), data) {
		t.Fatalf("read back %d bytes (%v), want the %d stored", len(first)+len(rest), err, len(data))
	}
	if reads != 11 {
		t.Errorf("%d chunk fetches for the whole file, want 11", reads)
	}

	writes = 0
	if sha2, _, err := d.Put(bytes.NewReader(data)); err != nil || sha2 != sha {
		t.Fatalf("second Put = %s, %v", sha2, err)
	}
	var list []string
	d.List(func(s string, n int64) error {
		list = append(list, s)
		if n != int64(len(data)) {
			t.Errorf("List size %d", n)
		}
		return nil
	})
	var chunks int
	d.db.QueryRow("SELECT COUNT(*) FROM blob_chunks").Scan(&chunks)
	if len(list) != 1 || chunks != 11 {
		t.Errorf("after storing the same bytes twice: %d blobs, %d chunks; want 1 and 11", len(list), chunks)
	}

	// An empty file is a blob too.
	empty, n, err := d.Put(strings.NewReader(""))
	if err != nil || n != 0 {
		t.Fatalf("empty Put: %v", err)
	}
	rc, err = d.Open(empty)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(rc); err != nil || len(b) != 0 {
		t.Errorf("empty blob read %d bytes, %v", len(b), err)
	}
}

// TestDBDamage: a failed upload leaves nothing; a chunk changed or lost
// in the database is an error at the end of the read, never a wrong file
// served as right; names that are not hashes are refused.
func TestDBDamage(t *testing.T) {
	d := openDB(t, 100)
	if _, _, err := d.Put(io.MultiReader(bytes.NewReader(randomBytes(450)), errReader{})); err == nil {
		t.Fatal("Put of a reader that fails succeeded")
	}
	var rows int
	d.db.QueryRow("SELECT (SELECT COUNT(*) FROM blobs) + (SELECT COUNT(*) FROM blob_chunks)").Scan(&rows)
	if rows != 0 {
		t.Errorf("a failed Put left %d rows", rows)
	}

	data := randomBytes(450)
	sha, _, err := d.Put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.db.Exec("UPDATE blob_chunks SET data = ? WHERE sha = ? AND n = 2", bytes.Repeat([]byte{'x'}, 100), sha); err != nil {
		t.Fatal(err)
	}
	rc, _ := d.Open(sha)
	if _, err := io.ReadAll(rc); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("reading a changed chunk: %v, want damaged", err)
	}
	if _, err := d.db.Exec("DELETE FROM blob_chunks WHERE sha = ? AND n = 3", sha); err != nil {
		t.Fatal(err)
	}
	rc, _ = d.Open(sha)
	if _, err := io.ReadAll(rc); err == nil || !strings.Contains(err.Error(), "chunk 3 of 5 is missing") {
		t.Errorf("reading a lost chunk: %v", err)
	}

	// A file the records name and the database lacks is most often one
	// an earlier ward kept in a folder: the error says how to bring it in.
	if _, err := d.Open(strings.Repeat("b", 64)); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "ward migrate-blobs") {
		t.Errorf("Open of a file the database lacks: %v, want not-exist naming ward migrate-blobs", err)
	}
	for _, name := range []string{"", "../x", strings.Repeat("A", 64), strings.Repeat("a", 64)} {
		if d.Has(name) {
			t.Errorf("Has(%q)", name)
		}
		if _, err := d.Open(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%q) = %v, want not-exist", name, err)
		}
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("the client went away") }
