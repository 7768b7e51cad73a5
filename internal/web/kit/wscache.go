package kit

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"
	"ward/internal/audit"
	"ward/internal/store"
	"ward/internal/workspace"
)

// wsCache keeps each organization's loaded workspace under the audit head
// it was loaded at, so that a page reads one small row (the head) instead
// of every record of the organization.
//
// Why the audit head is the right key: every change to what
// store.OrgStore.Workspace returns — a record, a scan import, the
// organization's name — appends to the organization's audit chain in the
// same transaction as the change, and the head (seq, hash) moves with
// it. So the key changes exactly when the data does, whoever made the
// change: this server, `ward apply` from a terminal, or a second ward
// server on the same PostgreSQL database. No server has to tell another
// anything; each request asks the database for the head (one indexed
// row) and serves from memory when it is the one cached.
//
// The head is read before the records: a change landing in between is
// cached under the older head and reloaded on the next request, never
// served stale.
//
// Concurrent requests for the same organization and head load it once
// (single flight). The cache holds up to maxRecords records in all; past
// that the organization used least recently is dropped.
//
// A cached workspace is shared by every request: handlers get a copy of
// the Workspace struct with each top-level list copied (CloneWorkspace),
// so appending to a list, sorting it or assigning a record in it is
// private; the values inside a record (its nested lists, maps and
// pointers) are shared and must not be changed.
// TestWorkspaceCacheNotMutated walks every page twice and compares the
// cached copy to catch a handler that does.
type wsCache struct {
	mu         sync.Mutex
	m          map[int64]*wsEntry
	records    int
	maxRecords int
	tick       uint64
	flight     singleflight.Group
	// Loads counts the workspaces read from the database, for tests;
	// loading, when set by a test, runs before each load.
	Loads   atomic.Int64
	Loading func()
}

type wsEntry struct {
	head    audit.Head
	Ws      *workspace.Workspace
	records int
	used    uint64
	// Derived are the results computed from ws (derive.go).
	Derived derived
}

// defaultCacheRecords bounds the cache: about the records of an MSP of
// 300 practices with two years of monthly evidence, or several
// organizations of thousands of systems.
const defaultCacheRecords = 1_000_000

func (c *wsCache) Get(org int64, head audit.Head) *wsEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[org]
	if !ok || e.head != head {
		return nil
	}
	c.tick++
	e.used = c.tick
	return e
}

func (c *wsCache) put(org int64, e *wsEntry) {
	head, n := e.head, e.records
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]*wsEntry{}
	}
	limit := c.maxRecords
	if limit == 0 {
		limit = defaultCacheRecords
	}
	if n > limit {
		return
	}
	if old, ok := c.m[org]; ok {
		if old.head.Seq > head.Seq {
			return // a newer load is there already
		}
		c.records -= old.records
		delete(c.m, org)
	}
	for c.records+n > limit && len(c.m) > 0 {
		var oldest int64
		var at uint64 = ^uint64(0)
		for id, e := range c.m {
			if e.used < at {
				oldest, at = id, e.used
			}
		}
		c.records -= c.m[oldest].records
		delete(c.m, oldest)
	}
	c.tick++
	e.used = c.tick
	c.m[org] = e
	c.records += n
}

func countRecords(ws *workspace.Workspace) int {
	return 1 + len(ws.People) + len(ws.Systems) + len(ws.Flows) + len(ws.Vendors) + len(ws.Agreements) + len(ws.Customers) +
		len(ws.Threats) + len(ws.Vulnerabilities) + len(ws.RiskAnalyses) + len(ws.Risks) + len(ws.Controls) + len(ws.Evidence) +
		len(ws.Incidents) + len(ws.PrivacyRequests) + len(ws.Complaints) + len(ws.PrivacyNotices) + len(ws.Policies) +
		len(ws.Trainings) + len(ws.Acknowledgements) + len(ws.TrainingRecords) + len(ws.SecurityReminders) + len(ws.ScanChecks)
}

// CachedWorkspace is org's workspace as of its current audit head, and
// that head, shared: the caller must not change it (see wsCache).
func (s *Server) CachedWorkspace(ctx context.Context, org store.Org) (*workspace.Workspace, audit.Head, error) {
	e, err := s.cachedEntry(ctx, org)
	if err != nil {
		return nil, audit.Head{}, err
	}
	return e.Ws, e.head, nil
}

// cachedEntry is org's cache entry for its current audit head, loaded
// when missing.
func (s *Server) cachedEntry(ctx context.Context, org store.Org) (*wsEntry, error) {
	o := s.Store.Org(org)
	head, err := requestHead(ctx, org)
	if errors.Is(err, store.ErrNotFound) {
		head, err = o.AuditHead(ctx)
	}
	if errors.Is(err, store.ErrNotFound) {
		// No chain yet (an organization made before the audit head
		// existed): nothing to key on, so an entry for this request
		// only.
		ws, err := o.Workspace(ctx)
		if err != nil {
			return nil, err
		}
		return &wsEntry{head: head, Ws: ws, records: countRecords(ws)}, nil
	}
	if err != nil {
		return nil, err
	}
	if e := s.WSCache.Get(org.ID, head); e != nil {
		return e, nil
	}
	key := strconv.FormatInt(org.ID, 10) + " " + strconv.FormatInt(head.Seq, 10) + " " + head.Hash
	v, err, _ := s.WSCache.flight.Do(key, func() (any, error) {
		if e := s.WSCache.Get(org.ID, head); e != nil {
			return e, nil // loaded by a flight that just ended
		}
		if s.WSCache.Loading != nil {
			s.WSCache.Loading()
		}
		// One load serves every caller waiting on it: one caller
		// going away must not fail the others.
		ws, err := o.Workspace(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		s.WSCache.Loads.Add(1)
		e := &wsEntry{head: head, Ws: ws, records: countRecords(ws)}
		s.WSCache.put(org.ID, e)
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*wsEntry), nil
}

// requestHead is org's audit head as read with the request's session
// (routes.go: on a GET, in the same statement), or ErrNotFound when the
// request did not read it.
func requestHead(ctx context.Context, org store.Org) (audit.Head, error) {
	if ri, ok := ctx.Value(ctxKey{}).(*request); ok && ri.hasHead && ri.org.ID == org.ID {
		return ri.head, nil
	}
	return audit.Head{}, store.ErrNotFound
}

// OrgWorkspace is org's current workspace for one request: a copy of the
// cached one that the request may reorder and append to (see wsCache).
func (s *Server) OrgWorkspace(ctx context.Context, org store.Org) (*workspace.Workspace, error) {
	ws, _, err := s.CachedWorkspace(ctx, org)
	if err != nil {
		return nil, err
	}
	return CloneWorkspace(ws), nil
}

// Workspace is the request's organization's workspace (OrgWorkspace).
func (s *Server) Workspace(r *http.Request) (*workspace.Workspace, error) {
	return s.OrgWorkspace(r.Context(), CurrentOrg(r))
}

// CloneWorkspace copies the struct and every top-level list, so that a
// handler's append, sort or assignment does not reach the cache. A nil
// list stays nil (pages tell "none" from "empty" in places).
func CloneWorkspace(ws *workspace.Workspace) *workspace.Workspace {
	c := *ws
	c.People = clone(ws.People)
	c.Systems = clone(ws.Systems)
	c.Flows = clone(ws.Flows)
	c.Vendors = clone(ws.Vendors)
	c.Agreements = clone(ws.Agreements)
	c.Customers = clone(ws.Customers)
	c.Threats = clone(ws.Threats)
	c.Vulnerabilities = clone(ws.Vulnerabilities)
	c.RiskAnalyses = clone(ws.RiskAnalyses)
	c.Risks = clone(ws.Risks)
	c.Controls = clone(ws.Controls)
	c.Evidence = clone(ws.Evidence)
	c.Incidents = clone(ws.Incidents)
	c.PrivacyRequests = clone(ws.PrivacyRequests)
	c.Complaints = clone(ws.Complaints)
	c.PrivacyNotices = clone(ws.PrivacyNotices)
	c.Policies = clone(ws.Policies)
	c.Trainings = clone(ws.Trainings)
	c.Acknowledgements = clone(ws.Acknowledgements)
	c.TrainingRecords = clone(ws.TrainingRecords)
	c.SecurityReminders = clone(ws.SecurityReminders)
	c.ScanChecks = clone(ws.ScanChecks)
	if ws.ScanFailing != nil {
		c.ScanFailing = make(map[string]int, len(ws.ScanFailing))
		for k, v := range ws.ScanFailing {
			c.ScanFailing[k] = v
		}
	}
	if ws.ScanFailingBy != nil {
		c.ScanFailingBy = make(map[string]map[string]int, len(ws.ScanFailingBy))
		for k, v := range ws.ScanFailingBy {
			c.ScanFailingBy[k] = v
		}
	}
	return &c
}

func clone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}
