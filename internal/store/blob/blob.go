// Package blob keeps evidence files content-addressed: a file is named by
// the hex SHA-256 of its bytes, written once and never changed, so a
// record that names a hash names exactly one content. Two stores hold
// them: a folder on disk (Folder, DIR/ab/cdef...), which SQLite keeps,
// and the database itself in chunks (DB), which PostgreSQL uses so that
// several servers share one state.
//
// It knows nothing of organizations or records: two organizations that
// upload the same bytes share one file, and access control is the
// caller's (a blob is reachable only through a record that names it).
package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Store is where evidence files live: a Folder or a DB.
type Store interface {
	// Put stores r's bytes, read as a stream, and returns their hash and
	// size. Storing bytes already stored is a no-op that returns the same
	// hash.
	Put(r io.Reader) (sha string, size int64, err error)
	// Open reads a stored blob; the error wraps fs.ErrNotExist when it is
	// not stored.
	Open(sha string) (io.ReadCloser, error)
	// Has reports whether the blob is stored.
	Has(sha string) bool
	// List calls fn with every stored blob's hash and size, in hash order.
	List(fn func(sha string, size int64) error) error
	// Where names the store in messages: the folder, or "the database".
	Where() string
}

// Remover is a Store that can take a blob away again. Blobs are
// otherwise never removed: the only caller is a restore that is refused,
// taking back the files it stored itself, which no record names.
type Remover interface {
	Remove(sha string) error
}

// Folder is a folder of content-addressed files, created on first Put.
type Folder struct {
	dir string
}

// New is the folder store in dir.
func New(dir string) *Folder { return &Folder{dir: dir} }

// Dir is the folder the blobs live in.
func (s *Folder) Dir() string { return s.dir }

// Where is the folder's path.
func (s *Folder) Where() string { return s.dir }

// Valid reports whether sha is a lower-case hex SHA-256, the only names
// Open and Path accept (so a caller's string cannot walk the file system).
func Valid(sha string) bool {
	if len(sha) != 64 {
		return false
	}
	for _, c := range sha {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Path is where the blob sha lives (whether or not it exists), or "" for
// a malformed hash.
func (s *Folder) Path(sha string) string {
	if !Valid(sha) {
		return ""
	}
	return filepath.Join(s.dir, sha[:2], sha[2:])
}

// Has reports whether the blob is stored.
func (s *Folder) Has(sha string) bool {
	p := s.Path(sha)
	if p == "" {
		return false
	}
	_, err := os.Stat(p)
	return err == nil
}

// Open opens a stored blob; the error wraps fs.ErrNotExist when it is not
// stored.
func (s *Folder) Open(sha string) (io.ReadCloser, error) {
	p := s.Path(sha)
	if p == "" {
		return nil, fmt.Errorf("blob %q: not a SHA-256: %w", sha, fs.ErrNotExist)
	}
	return os.Open(p)
}

// Remove deletes a blob's file; one that is not there is no error.
func (s *Folder) Remove(sha string) error {
	if !Valid(sha) {
		return fmt.Errorf("blob %q: not a SHA-256", sha)
	}
	if err := os.Remove(s.Path(sha)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Put stores r's bytes and returns their hash and size. The bytes go to a
// temporary file that is synced, then renamed into place and the folder
// synced, so a crash leaves either no blob or the whole blob, never a
// partial file under a hash name.
func (s *Folder) Put(r io.Reader) (sha string, size int64, err error) {
	tmpDir := filepath.Join(s.dir, "tmp")
	if err := os.MkdirAll(tmpDir, 0o700); err != nil {
		return "", 0, err
	}
	f, err := os.CreateTemp(tmpDir, "put-*")
	if err != nil {
		return "", 0, err
	}
	defer func() {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(f, h), r)
	if err != nil {
		return "", 0, err
	}
	if err := f.Sync(); err != nil {
		return "", 0, err
	}
	sha = hex.EncodeToString(h.Sum(nil))
	dst := s.Path(sha)
	if _, err := os.Stat(dst); err == nil {
		return sha, size, nil // already stored: same hash, same bytes
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", 0, err
	}
	if err := f.Close(); err != nil {
		return "", 0, err
	}
	name := f.Name()
	if err := os.Rename(name, dst); err != nil {
		f = nil
		os.Remove(name)
		return "", 0, err
	}
	f = nil
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return "", 0, err
	}
	return sha, size, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// List walks the folder: every file named by a hash, sorted.
func (s *Folder) List(fn func(sha string, size int64) error) error {
	type ent struct {
		sha  string
		size int64
	}
	var all []ent
	err := filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == s.dir {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		sha := filepath.Base(filepath.Dir(p)) + d.Name()
		if !Valid(sha) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		all = append(all, ent{sha, fi.Size()})
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(all, func(a, b ent) int { return strings.Compare(a.sha, b.sha) })
	for _, e := range all {
		if err := fn(e.sha, e.size); err != nil {
			return err
		}
	}
	return nil
}
