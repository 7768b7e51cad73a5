package blob

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"time"
)

// ChunkSize is the most bytes one row of blob_chunks holds.
const ChunkSize = 1 << 20

// DB keeps blobs in the database (tables blobs and blob_chunks, migration
// 056): a blob is one row of blobs (hash, size, chunk count) and its bytes
// in rows of at most ChunkSize, numbered from 0. Put and Open stream: a
// blob is never held whole in memory, only one chunk at a time.
//
// Put writes the chunks under a provisional name inside one transaction,
// then names them by their hash, reads them back and checks that their
// hash is that name before it commits: a crash, a failed upload or a
// wrong read leaves no blob, and a blob once committed is never changed.
// Two servers storing the same bytes at once store them once (the second
// insert of the hash waits for the first and then does nothing).
type DB struct {
	db     *sql.DB
	rebind func(string) string
	now    func() time.Time
	// chunk is ChunkSize; tests make it smaller.
	chunk int
}

// NewDB is the database store on db, whose SQL is written with ?
// placeholders that rebind turns into the engine's.
func NewDB(db *sql.DB, rebind func(string) string, now func() time.Time) *DB {
	if now == nil {
		now = time.Now
	}
	return &DB{db: db, rebind: rebind, now: now, chunk: ChunkSize}
}

// Where is "the database".
func (d *DB) Where() string { return "the database" }

func (d *DB) q(s string) string { return d.rebind(s) }

// Put stores r's bytes in chunks.
func (d *DB) Put(r io.Reader) (sha string, size int64, err error) {
	ctx := context.Background()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return "", 0, err
	}
	defer tx.Rollback()
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", 0, err
	}
	tmp := "put-" + hex.EncodeToString(rnd[:])
	ins, err := tx.PrepareContext(ctx, d.q("INSERT INTO blob_chunks (sha, n, data) VALUES (?, ?, ?)"))
	if err != nil {
		return "", 0, err
	}
	defer ins.Close()
	h := sha256.New()
	buf := make([]byte, d.chunk)
	n := 0
	for {
		k, rerr := io.ReadFull(r, buf)
		if k > 0 {
			h.Write(buf[:k])
			if _, err := ins.ExecContext(ctx, tmp, n, buf[:k]); err != nil {
				return "", 0, err
			}
			if chunkWrites != nil {
				chunkWrites()
			}
			n++
			size += int64(k)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return "", 0, rerr
		}
	}
	sha = hex.EncodeToString(h.Sum(nil))
	res, err := tx.ExecContext(ctx, d.q("INSERT INTO blobs (sha, size, chunks, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha) DO NOTHING"),
		sha, size, n, d.now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return "", 0, err
	}
	if added, err := res.RowsAffected(); err != nil {
		return "", 0, err
	} else if added == 0 {
		return sha, size, nil // already stored: the rollback drops our copy
	}
	if _, err := tx.ExecContext(ctx, d.q("UPDATE blob_chunks SET sha = ? WHERE sha = ?"), sha, tmp); err != nil {
		return "", 0, err
	}
	// Read back what the transaction holds under the hash's name.
	rd := &chunkReader{ctx: ctx, q: tx, sel: d.q("SELECT data FROM blob_chunks WHERE sha = ? AND n = ?"), sha: sha, chunks: n, size: size, h: sha256.New()}
	if _, err := io.Copy(io.Discard, rd); err != nil {
		return "", 0, fmt.Errorf("blob %s: reading back what was written: %w", sha, err)
	}
	if err := tx.Commit(); err != nil {
		return "", 0, err
	}
	return sha, size, nil
}

// Remove deletes a blob's row and chunks, in one transaction; one that is
// not there is no error.
func (d *DB) Remove(sha string) error {
	if !Valid(sha) {
		return fmt.Errorf("blob %q: not a SHA-256", sha)
	}
	ctx := context.Background()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, d.q("DELETE FROM blobs WHERE sha = ?"), sha); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, d.q("DELETE FROM blob_chunks WHERE sha = ?"), sha); err != nil {
		return err
	}
	return tx.Commit()
}

// Has reports whether the blob is stored.
func (d *DB) Has(sha string) bool {
	if !Valid(sha) {
		return false
	}
	var one int
	return d.db.QueryRowContext(context.Background(), d.q("SELECT 1 FROM blobs WHERE sha = ?"), sha).Scan(&one) == nil
}

// Open reads a blob one chunk at a time; at the end it checks the bytes'
// hash and size against the blob's name and row, and a mismatch is an
// error, not a silent wrong file.
func (d *DB) Open(sha string) (io.ReadCloser, error) {
	if !Valid(sha) {
		return nil, fmt.Errorf("blob %q: not a SHA-256: %w", sha, fs.ErrNotExist)
	}
	ctx := context.Background()
	var size int64
	var chunks int
	err := d.db.QueryRowContext(ctx, d.q("SELECT size, chunks FROM blobs WHERE sha = ?"), sha).Scan(&size, &chunks)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("blob %s: not in the database (a database an earlier ward used keeps its files in a folder until `ward migrate-blobs` copies them in): %w", sha, fs.ErrNotExist)
	}
	if err != nil {
		return nil, err
	}
	return &chunkReader{ctx: ctx, q: d.db, sel: d.q("SELECT data FROM blob_chunks WHERE sha = ? AND n = ?"), sha: sha, chunks: chunks, size: size, h: sha256.New()}, nil
}

// List calls fn with every blob, in hash order. The list is read first,
// so fn may use the store.
func (d *DB) List(fn func(sha string, size int64) error) error {
	rows, err := d.db.QueryContext(context.Background(), "SELECT sha, size FROM blobs ORDER BY sha")
	if err != nil {
		return err
	}
	type ent struct {
		sha  string
		size int64
	}
	var all []ent
	for rows.Next() {
		var e ent
		if err := rows.Scan(&e.sha, &e.size); err != nil {
			rows.Close()
			return err
		}
		all = append(all, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, e := range all {
		if err := fn(e.sha, e.size); err != nil {
			return err
		}
	}
	return nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// chunkReader reads chunk after chunk, one query each.
type chunkReader struct {
	ctx    context.Context
	q      querier
	sel    string
	sha    string
	chunks int
	size   int64
	h      hash.Hash

	next int    // the next chunk to fetch
	buf  []byte // what is left of the current chunk
	read int64
	done bool
}

// chunkReads and chunkWrites, when set (by tests), are called at each
// chunk fetched or stored, to show that both stream.
var chunkReads, chunkWrites func()

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.done {
			return 0, io.EOF
		}
		if c.next == c.chunks {
			c.done = true
			if c.read != c.size || hex.EncodeToString(c.h.Sum(nil)) != c.sha {
				return 0, fmt.Errorf("blob %s: the stored bytes (%d) do not hash to their name: the database is damaged", c.sha, c.read)
			}
			return 0, io.EOF
		}
		var data []byte
		if err := c.q.QueryRowContext(c.ctx, c.sel, c.sha, c.next).Scan(&data); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return 0, fmt.Errorf("blob %s: chunk %d of %d is missing: the database is damaged", c.sha, c.next, c.chunks)
			}
			return 0, err
		}
		if chunkReads != nil {
			chunkReads()
		}
		c.next++
		c.buf = data
		c.h.Write(c.buf)
		c.read += int64(len(c.buf))
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

func (c *chunkReader) Close() error { return nil }
