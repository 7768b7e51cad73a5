package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"ward/internal/store/accounts"
	"ward/internal/store/blob"
	"ward/internal/store/core"
	"ward/internal/store/postgres"
	"ward/internal/store/scans"
	"ward/internal/store/sqlite"
)

// Engine is what differs between SQLite and PostgreSQL. The SQL itself is
// written once, in this package and its parts, with ? placeholders.
type Engine = core.Engine

// backuper is an engine that can copy a live database.
type backuper interface {
	Backup(ctx context.Context, db *sql.DB, w io.Writer) error
}

type Options struct {
	// BlobDir is where evidence files live on SQLite. Default: beside the
	// file (PATH.blobs). On PostgreSQL evidence files live in the
	// database; BlobDir ($WARD_BLOBS, else ./ward-blobs) is only the
	// folder that ward migrate-blobs moves them from or to.
	BlobDir string
	// Now is the clock for timestamps; time.Now when nil. Tests set it.
	Now func() time.Time
	// BusyTimeout (SQLite) is how long a write waits for another
	// writer's lock before it gives up with ErrBusy; zero: 15 s.
	BusyTimeout time.Duration
	// ImportSlice is how many findings an import stores per transaction
	// (slice) at most; zero: $WARD_IMPORT_SLICE, else 5,000. Smaller
	// slices let other writers in more often; the crash test uses small
	// ones so that a kill lands inside a many-slice import.
	ImportSlice int
	// Proceed, when set, is asked once the migrations a new or older
	// database needs have run and before they commit: an error rolls
	// them back and Open returns it. It is not called when the schema is
	// up to date. ward apply opens the database while it reads the files
	// and lets the schema be written only once they are valid.
	Proceed func() error
}

// Store is one database: organizations, accounts, and through Org, each
// organization's records and audit trail.
type Store struct {
	// Accounts and sign-in (package accounts): its methods are the
	// store's.
	*accounts.Accounts
	// base is the database as the parts share it.
	base *core.DB
	db   *sql.DB
	eng  Engine
	// file is the SQLite database file ("" on PostgreSQL), which the
	// audit verify opens connections of its own to.
	file string
	// readers are the audit verify's idle connections to file, kept for
	// the next verify (opening one reads the schema, 0.8 ms); closed
	// once the store is.
	readersMu sync.Mutex
	readers   []*sqlite.Reader
	closed    bool
	// blobs is where evidence files are: the folder on SQLite, the
	// database on PostgreSQL.
	blobs blob.Store
	// folder and dbBlobs are both stores, for ward migrate-blobs.
	folder  *blob.Folder
	dbBlobs *blob.DB
	now     func() time.Time
	// sliceRows: findings per import slice (Options.ImportSlice).
	sliceRows int
}

// Open connects to url and brings its schema up to date. url is
// "sqlite:PATH", a bare path ending in .db, or "postgres://..." /
// "postgresql://...".
func Open(ctx context.Context, url string, opt Options) (*Store, error) {
	var (
		eng     Engine
		dsn     string
		blobDir = opt.BlobDir
	)
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		eng, dsn = postgres.Engine{}, url
		if blobDir == "" {
			blobDir = os.Getenv("WARD_BLOBS")
		}
		if blobDir == "" {
			blobDir = "ward-blobs"
		}
	case isSQLite(url):
		dsn, _ = SQLiteFile(url)
		if dsn == "" {
			return nil, fmt.Errorf("database %q names no file: use sqlite:PATH", url)
		}
		eng = sqlite.Engine{BusyTimeout: opt.BusyTimeout}
		if blobDir == "" {
			blobDir = dsn + ".blobs"
		}
	default:
		return nil, fmt.Errorf("database %q: use sqlite:PATH or a postgres:// URL", redact(url))
	}
	db, err := eng.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	file := ""
	if eng.Name() == "sqlite" && dsn != ":memory:" {
		// Absolute, so that the verify's own connections open the file
		// the pool's did even if the working folder changes.
		if file, err = filepath.Abs(dsn); err != nil {
			db.Close()
			return nil, err
		}
	}
	s := &Store{db: db, eng: eng, file: file, folder: blob.New(blobDir), now: opt.Now, sliceRows: opt.ImportSlice}
	if s.now == nil {
		s.now = time.Now
	}
	s.base = &core.DB{SQL: db, Eng: eng, Now: s.now}
	s.Accounts = accounts.New(s.base, orgSide{s})
	s.dbBlobs = blob.NewDB(db, eng.Rebind, s.now)
	s.blobs = s.folder
	if eng.Name() == "postgres" {
		s.blobs = s.dbBlobs
	}
	if s.sliceRows <= 0 {
		s.sliceRows, _ = strconv.Atoi(os.Getenv("WARD_IMPORT_SLICE"))
	}
	if s.sliceRows <= 0 {
		s.sliceRows = scans.SliceRows
	}
	if err := s.migrate(ctx, opt.Proceed); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// isSQLite tells whether url names a SQLite database: "sqlite:PATH", or a
// bare path ending in .db.
func isSQLite(url string) bool {
	return strings.HasPrefix(url, "sqlite:") || strings.HasSuffix(url, ".db") && !strings.Contains(url, "://")
}

// SQLiteFile is the file a SQLite database URL names, as Open reads it
// ("sqlite:PATH", "sqlite:///abs/path", a bare PATH.db); ok is false for
// any other URL. The path may be "" (a URL naming no file, which Open
// refuses) or ":memory:".
func SQLiteFile(url string) (path string, ok bool) {
	if !isSQLite(url) {
		return "", false
	}
	path = strings.TrimPrefix(url, "sqlite:")
	return strings.TrimPrefix(path, "//"), true // sqlite:///abs/path
}

// redact hides a password in a URL for error messages.
func redact(u string) string { return RedactURL(u) }

// dsnPassword is a keyword/value connection string's password= or
// sslpassword=: a word, or a quoted string with its escapes.
var dsnPassword = regexp.MustCompile(`(?i)(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'?|\S*)`)

// RedactURL hides the passwords a postgres URL can carry before it is
// printed or logged: the user part's (user:***@host) and the query's
// password= and sslpassword= (pgx and libpq read both). A keyword/value
// string (host=h password=PW), which ward refuses, names it refused
// with its password hidden too.
func RedactURL(u string) string {
	sch := strings.Index(u, "://")
	if sch < 0 {
		return dsnPassword.ReplaceAllString(u, "${1}***")
	}
	head, query, hasQuery := strings.Cut(u, "?")
	if at := strings.LastIndex(head, "@"); at > sch {
		cred := head[sch+3 : at]
		if i := strings.Index(cred, ":"); i >= 0 {
			head = head[:sch+3] + cred[:i] + ":***" + head[at:]
		}
	}
	if !hasQuery {
		return head
	}
	params := strings.Split(query, "&")
	for i, p := range params {
		k, _, ok := strings.Cut(p, "=")
		if key, err := url.QueryUnescape(k); ok && err == nil && (strings.EqualFold(key, "password") || strings.EqualFold(key, "sslpassword")) {
			params[i] = k + "=***"
		}
	}
	return head + "?" + strings.Join(params, "&")
}

func (s *Store) Close() error {
	s.readersMu.Lock()
	for _, r := range s.readers {
		r.Close()
	}
	s.readers, s.closed = nil, true
	s.readersMu.Unlock()
	return s.db.Close()
}

// WarmConnections opens up to n connections to the database at once,
// runs warmQuery on each and leaves them idle in the pool, so that the
// first burst of n concurrent requests after a server starts does not
// pay for opening them (on PostgreSQL a TCP and authentication handshake
// and a new server process each, which then loads the descriptions of
// the tables it reads: a tenth of a second for eight at once). It
// answers how many are open. ward serve calls it on PostgreSQL; the pool keeps them until they
// have been idle for its idle time.
func (s *Store) WarmConnections(ctx context.Context, n int) (int, error) {
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	for range n {
		wg.Go(func() {
			c, err := s.db.Conn(ctx)
			if err == nil {
				_, err = c.ExecContext(ctx, warmQuery)
			}
			mu.Lock()
			defer mu.Unlock()
			if c != nil {
				conns = append(conns, c)
			}
			if err != nil && firstErr == nil {
				firstErr = err
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, fmt.Errorf("open database connections: %w", firstErr)
	}
	return len(conns), nil
}

// warmQuery touches the tables every logged-in request reads (the
// caller's one statement, accounts/caller.go) and finds nothing: a new
// PostgreSQL server process loads the descriptions of the tables and
// indexes it uses on first use, which the first requests would
// otherwise wait for.
const warmQuery = `SELECT 1 FROM sessions x JOIN users u ON u.id = x.user_id
	LEFT JOIN orgs o ON o.slug = ''
	LEFT JOIN memberships m ON m.user_id = u.id AND m.org_id = o.id
	LEFT JOIN audit_head h ON h.org_id = o.id
	WHERE x.token_hash = ''`

// EngineName is "sqlite" or "postgres".
func (s *Store) EngineName() string { return s.eng.Name() }

// Blobs is where evidence files live: a folder beside a SQLite file, the
// database itself on PostgreSQL.
func (s *Store) Blobs() blob.Store { return s.blobs }

// BlobFolder is the folder store (Options.BlobDir), the one Blobs is on
// SQLite; BlobDB the database's, the one Blobs is on PostgreSQL. ward
// migrate-blobs moves files between them.
func (s *Store) BlobFolder() *blob.Folder { return s.folder }

// BlobDB is the database's blob store (see BlobFolder).
func (s *Store) BlobDB() *blob.DB { return s.dbBlobs }

// Backup writes an online, consistent copy of the database to w. SQLite
// only: for PostgreSQL, use pg_dump.
func (s *Store) Backup(ctx context.Context, w io.Writer) error {
	b, ok := s.eng.(backuper)
	if !ok {
		return fmt.Errorf("backup of a %s database: use the engine's own tool (pg_dump)", s.eng.Name())
	}
	return b.Backup(ctx, s.db, w)
}

// RawExec runs one statement outside every rule of this package: no
// organization binding, no audit entry. It exists for the contract suite,
// which tampers with the trail on purpose to prove that verification
// catches it, and for maintenance by an operator. Application code must
// never call it.
func (s *Store) RawExec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.eng.Rebind(query), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// migrate applies every migration not yet recorded, in one transaction.
// Each migration goes to the database as one Exec of its statements (on
// PostgreSQL one round trip in the simple protocol, as they carry no
// parameters), and the versions applied as one INSERT: a new database
// needs 22 migrations of about 100 statements. Once they have run, and
// before they commit, Options.Proceed (proceed) may still refuse them.
func (s *Store) migrate(ctx context.Context, proceed func() error) error {
	names, err := fs.Glob(s.eng.Migrations(), "*.sql")
	if err != nil {
		return err
	}
	type mig struct {
		n    int
		name string
	}
	var ms []mig
	for _, name := range names {
		num, _, ok := strings.Cut(name, "_")
		n, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("migration %s: name must be NNN_name.sql", name)
		}
		ms = append(ms, mig{n, name})
	}
	slices.SortFunc(ms, func(a, b mig) int { return a.n - b.n })

	return s.inTx(ctx, func(tx *sql.Tx) error {
		setup := `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`
		if l := s.eng.LockMigrations(); l != "" {
			setup = l + ";\n" + setup // the lock first, in the same round trip
		}
		if _, err := tx.ExecContext(ctx, setup); err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
		applied := map[int]bool{}
		rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations")
		if err != nil {
			return err
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			applied[v] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var (
			marks []string
			args  []any
			at    = fmtTime(s.now())
		)
		for _, m := range ms {
			if applied[m.n] {
				continue
			}
			body, err := fs.ReadFile(s.eng.Migrations(), m.name)
			if err != nil {
				return err
			}
			if stmts := splitSQL(string(body)); len(stmts) > 0 {
				if _, err := tx.ExecContext(ctx, strings.Join(stmts, "\n")); err != nil {
					return fmt.Errorf("migration %s/%s: %w", s.eng.Name(), m.name, err)
				}
			}
			marks = append(marks, "(?, ?, ?)")
			args = append(args, m.n, path.Base(m.name), at)
		}
		if len(marks) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.eng.Rebind("INSERT INTO schema_migrations (version, name, applied_at) VALUES "+strings.Join(marks, ", ")), args...); err != nil {
			return err
		}
		if proceed != nil {
			return proceed()
		}
		return nil
	})
}

// splitSQL splits a migration into statements (core.SplitSQL).
func splitSQL(body string) []string { return core.SplitSQL(body) }

// inTx runs f in a write transaction and commits, or rolls back on error.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error { return s.base.InTx(ctx, f) }

// inReadTx runs f in a read-only snapshot.
func (s *Store) inReadTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	return s.base.InReadTx(ctx, f)
}

// inReadConn runs f in a read-only snapshot, tx, open on conn: for code
// that reads through the driver itself (conn.Raw) in the same snapshot.
func (s *Store) inReadConn(ctx context.Context, f func(conn *sql.Conn, tx *sql.Tx) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, s.eng.ReadTx())
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return f(conn, tx)
}

// busy marks an engine's lock-wait failure as ErrBusy (keeping the
// engine's error in the message); other errors pass unchanged.
func (s *Store) busy(err error) error { return s.base.Busy(err) }

// q rebinds a query for the engine.
func (s *Store) q(query string) string { return s.eng.Rebind(query) }

func fmtTime(t time.Time) string { return core.FmtTime(t) }

func parseTime(v string) (time.Time, error) { return core.ParseTime(v) }

func normEmail(email string) string { return core.NormEmail(email) }

func mustAffect(res sql.Result, what string) error { return core.MustAffect(res, what) }

type querier = core.Querier
