package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"ward/internal/store"
)

// TestPostgresKeepsBlobsInTheDatabase: on PostgreSQL evidence files go in
// the database, not the folder; a file of several 1 MiB chunks comes back
// byte for byte; two servers (two stores on one database) storing the
// same file at once store it once, and each reads the other's.
func TestPostgresKeepsBlobsInTheDatabase(t *testing.T) {
	ctx := context.Background()
	url := freshPostgres(t)
	open := func() *store.Store {
		s, err := store.Open(ctx, url, store.Options{BlobDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	if a.Blobs().Where() != "the database" {
		t.Fatalf("PostgreSQL keeps blobs in %s", a.Blobs().Where())
	}
	r := rand.New(rand.NewPCG(3, 4))
	data := make([]byte, 3<<20+12345)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])

	var wg sync.WaitGroup
	shas := make([]string, 2)
	errs := make([]error, 2)
	for i, s := range []*store.Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			shas[i], _, errs[i] = s.Blobs().Put(bytes.NewReader(data))
		}()
	}
	wg.Wait()
	for i := range shas {
		if errs[i] != nil || shas[i] != want {
			t.Fatalf("server %d: Put = %s, %v; want %s", i, shas[i], errs[i], want)
		}
	}
	for _, s := range []*store.Store{a, b} {
		rc, err := s.Blobs().Open(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read back %d bytes, %v", len(got), err)
		}
	}
	var blobs int
	a.Blobs().List(func(string, int64) error { blobs++; return nil })
	// A no-op UPDATE counts the chunk rows.
	chunks, err := a.RawExec(ctx, "UPDATE blob_chunks SET n = n")
	if err != nil {
		t.Fatal(err)
	}
	if blobs != 1 || chunks != 4 {
		t.Errorf("%d blobs in %d chunks, want 1 in 4 (3 MiB and a bit in 1 MiB chunks)", blobs, chunks)
	}
	var inFolder int
	a.BlobFolder().List(func(string, int64) error { inFolder++; return nil })
	if inFolder != 0 {
		t.Errorf("%d files in the folder on PostgreSQL", inFolder)
	}
}
