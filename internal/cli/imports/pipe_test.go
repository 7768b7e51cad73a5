package imports

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

// TestChunkPipe: what the parser reads reaches the blob store whole and
// in order, through Read or WriteTo, however the writes are cut; the
// writer's error reaches the reader; and a reader that stops unblocks a
// writer waiting on full chunks with its error.
func TestChunkPipe(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 3<<20)
	for i := range data {
		data[i] = byte(rng.IntN(256))
	}
	for _, viaWriteTo := range []bool{false, true} {
		p := newChunkPipe()
		go func() {
			for rest := data; len(rest) > 0; {
				n := min(len(rest), 1+rng.IntN(300<<10))
				if _, err := p.Write(rest[:n]); err != nil {
					p.CloseWriter(err)
					return
				}
				rest = rest[n:]
			}
			p.CloseWriter(nil)
		}()
		var got bytes.Buffer
		var err error
		if viaWriteTo {
			_, err = io.Copy(&got, p)
		} else {
			_, err = io.Copy(&got, struct{ io.Reader }{p}) // Read, 32 KiB at a time
		}
		if err != nil || !bytes.Equal(got.Bytes(), data) {
			t.Fatalf("WriteTo %v: %d bytes of %d, equal %v, err %v", viaWriteTo, got.Len(), len(data), bytes.Equal(got.Bytes(), data), err)
		}
	}

	bad := errors.New("the file could not be read")
	p := newChunkPipe()
	go func() { p.Write([]byte("abc")); p.CloseWriter(bad) }()
	if b, err := io.ReadAll(p); string(b) != "abc" || !errors.Is(err, bad) {
		t.Fatalf("writer's error: read %q, %v", b, err)
	}

	full := errors.New("disk full")
	p = newChunkPipe()
	done := make(chan error)
	go func() {
		for {
			if _, err := p.Write(make([]byte, 1024)); err != nil {
				done <- err
				return
			}
		}
	}()
	p.Read(make([]byte, 10))
	p.CloseReader(full)
	if err := <-done; !errors.Is(err, full) {
		t.Fatalf("a writer after the reader stopped got %v", err)
	}
}
