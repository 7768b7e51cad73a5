package kit

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"
	"ward/internal/audit"
	"ward/internal/msp"
)

// mspCache keeps each organization's summary for the overview (package
// msp: its records, packed) under the audit head it was made at, and the
// rows computed from it, one per as-of date asked for.
//
// Every change to an organization appends to its audit chain in the same
// transaction, so an unchanged head means unchanged records. A summary
// is made from the records once per head and stored in the database
// beside them (org_summaries): a restarted server, or a second one on the
// same database, reads 300 small rows instead of every record of 300
// organizations. A stored summary of another head is stale and never
// used; only that organization's is made again. Another as-of date
// evaluates the summaries in memory, on every core. Concurrent requests
// for the same uncached view wait for one computation (single flight).
//
// Rows are kept apart from the summaries, under the organization's head
// and the date. Today's are also stored (org_rows) with the head and the
// version of the rules (the build): a restarted server's first overview
// reads 300 small rows and neither reads a summary nor evaluates one.
//
// The summaries held in memory are bounded by their encoded size
// (MaxBytes, DefaultMspBytes unless set): past it the one used least
// recently is dropped, and read again from org_summaries when asked for.
type mspCache struct {
	mu    sync.Mutex
	m     map[int64]*MspEntry
	bytes int
	tick  uint64
	rows  map[int64]*orgRows
	// MaxBytes bounds the summaries held, by encoded size.
	MaxBytes int
	Flight   singleflight.Group
	// Builds counts summaries made from the records, Evals rows computed
	// and Stored rows read from the database, for tests; building, when
	// set by a test, runs before each build.
	// Decoded counts summaries read from org_summaries and decoded.
	Builds, Evals, Stored, Decoded atomic.Int64
	Building                       func()
	// Preparing is set while ward serve makes the missing summaries at
	// start (app.PrepareOverview): a request then leaves out the
	// organizations whose summary is not made yet, and says how many.
	Preparing atomic.Bool
	// Version names the rules that compute a row, kept with each stored
	// row (org_rows): msp.RulesVersion unless a test sets another, to
	// stand for an upgrade.
	Version string
}

type MspEntry struct {
	Head audit.Head
	Sum  msp.Summary
	// Size is the summary's encoded size, what the bound counts.
	Size int
	used uint64
}

// DefaultMspBytes bounds the summaries held in memory by their encoded
// size: about 700 practices of issue 21's size (90 KB each), a few times
// that in memory.
const DefaultMspBytes = 64 << 20

// orgRows are an organization's rows computed at head, by as-of date.
type orgRows struct {
	head   audit.Head
	byDate map[string]*MspRow
}

// MspRow is one row, filled once (Fill).
type MspRow struct {
	once sync.Once
	set  atomic.Bool
	Row  OrgRow
}

// Fill sets the row to make() unless it is set already, and reports
// whether this call set it.
func (r *MspRow) Fill(make func() OrgRow) (mine bool) {
	r.once.Do(func() {
		r.Row = make()
		r.set.Store(true)
		mine = true
	})
	return mine
}

// Ready reports whether the row is set (Row may be read).
func (r *MspRow) Ready() bool { return r.set.Load() }

// RulesVersion is Version, or msp.RulesVersion.
func (c *mspCache) RulesVersion() string {
	if c.Version != "" {
		return c.Version
	}
	return msp.RulesVersion()
}

// RowSlot is org's row at head on day, to fill once; nil when it is not
// to be kept: org already holds rows for max dates (a person paging
// through past dates must not grow it without end), or a newer head's.
// An older head's rows are dropped.
func (c *mspCache) RowSlot(org int64, head audit.Head, day string, max int) *MspRow {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rows == nil {
		c.rows = map[int64]*orgRows{}
	}
	o := c.rows[org]
	switch {
	case o == nil || (o.head != head && o.head.Seq <= head.Seq):
		o = &orgRows{head: head, byDate: map[string]*MspRow{}}
		c.rows[org] = o
	case o.head != head:
		return nil
	}
	r := o.byDate[day]
	if r == nil {
		if len(o.byDate) >= max {
			return nil
		}
		r = &MspRow{}
		o.byDate[day] = r
	}
	return r
}

func (c *mspCache) Get(org int64, head audit.Head) *MspEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[org]; e != nil && e.Head == head {
		c.tick++
		e.used = c.tick
		return e
	}
	return nil
}

// Put keeps e as org's entry and returns the entry to use for e's head:
// one already kept for that head (made by a request just before) wins.
// Past MaxBytes the entries used least recently are dropped (never e).
func (c *mspCache) Put(org int64, e *MspEntry) *MspEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]*MspEntry{}
	}
	c.tick++
	old := c.m[org]
	switch {
	case old != nil && old.Head == e.Head:
		old.used = c.tick
		return old
	case old != nil && old.Head.Seq > e.Head.Seq:
		// A slower request does not put back an older head's summary.
		return e
	}
	if old != nil {
		c.bytes -= old.Size
	}
	e.used = c.tick
	c.m[org] = e
	c.bytes += e.Size
	limit := c.Limit()
	for c.bytes > limit && len(c.m) > 1 {
		var oldest int64
		at := ^uint64(0)
		for id, x := range c.m {
			if x != e && x.used < at {
				oldest, at = id, x.used
			}
		}
		c.bytes -= c.m[oldest].Size
		delete(c.m, oldest)
	}
	return e
}

// Limit is the bound on the summaries held, by encoded size: MaxBytes,
// or DefaultMspBytes when it is not set.
func (c *mspCache) Limit() int {
	if c.MaxBytes > 0 {
		return c.MaxBytes
	}
	return DefaultMspBytes
}

// Held is the number of summaries held and their encoded size.
func (c *mspCache) Held() (n, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m), c.bytes
}

// Reset forgets every summary and row held in memory (what a restart
// does); the stored summaries and rows stay.
func (c *mspCache) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m, c.rows, c.bytes = nil, nil, 0
}
