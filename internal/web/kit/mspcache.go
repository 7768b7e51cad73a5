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
type mspCache struct {
	mu     sync.Mutex
	m      map[int64]*MspEntry
	Flight singleflight.Group
	// Builds counts summaries made from the records and evals rows
	// computed, for tests; building, when set by a test, runs before
	// each build.
	Builds, Evals atomic.Int64
	Building      func()
}

type MspEntry struct {
	Head audit.Head
	Sum  msp.Summary
	Mu   sync.Mutex
	Rows map[string]*MspRow // by as-of date
}

type MspRow struct {
	Once sync.Once
	Row  OrgRow
}

func (c *mspCache) Get(org int64, head audit.Head) *MspEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[org]; e != nil && e.Head == head {
		return e
	}
	return nil
}

// Put keeps e as org's entry and returns the entry to use for e's head:
// one already kept for that head (made by a request just before) wins,
// so its rows are not computed twice.
func (c *mspCache) Put(org int64, e *MspEntry) *MspEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]*MspEntry{}
	}
	old := c.m[org]
	switch {
	case old != nil && old.Head == e.Head:
		return old
	case old == nil || old.Head.Seq < e.Head.Seq:
		c.m[org] = e
	}
	// A slower request does not put back an older head's summary.
	return e
}

// Reset forgets every summary and row held in memory (what a restart
// does); the stored summaries stay.
func (c *mspCache) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}
