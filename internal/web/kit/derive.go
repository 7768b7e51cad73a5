package kit

import (
	"context"
	"sync"

	"ward/internal/store"
	"ward/internal/workspace"
)

// derived holds what pages compute from one cached workspace — the to-do
// list, the readiness of a framework, the plan, an MSP row — each for the
// date and options it was asked for, computed once (sync.Once: concurrent
// requests wait for the first) and kept while the workspace is: a new
// audit head is a new entry with nothing derived yet.
type derived struct {
	Mu sync.Mutex
	M  map[string]*derivedValue
}

type derivedValue struct {
	once sync.Once
	V    any
	err  error
	// F recomputes the value, for the test that checks no page changed
	// a shared one.
	F func() (any, error)
}

// maxDerived bounds the values kept per workspace: a person browsing
// past dates (as_of) must not grow it without end. Past the bound a
// value is computed and not kept.
const maxDerived = 64

// Derive is f(ws) for org's current workspace, computed once per audit
// head and key. The key must name everything f depends on besides the
// workspace (the date, the framework, ...). The result is shared by
// every request: the caller must not change it, nor anything it points
// to; TestWorkspaceCacheNotMutated recomputes every kept value after
// walking the pages and compares.
func Derive[T any](s *Server, ctx context.Context, org store.Org, key string, f func(ws *workspace.Workspace) (T, error)) (T, error) {
	e, err := s.cachedEntry(ctx, org)
	if err != nil {
		var zero T
		return zero, err
	}
	return deriveIn(e, key, f)
}

// deriveIn is derive on a cache entry the caller holds.
func deriveIn[T any](e *wsEntry, key string, f func(ws *workspace.Workspace) (T, error)) (T, error) {
	d := &e.Derived
	d.Mu.Lock()
	if d.M == nil {
		d.M = map[string]*derivedValue{}
	}
	v, ok := d.M[key]
	if !ok {
		if len(d.M) >= maxDerived {
			d.Mu.Unlock()
			return f(e.Ws)
		}
		v = &derivedValue{F: func() (any, error) { return f(e.Ws) }}
		d.M[key] = v
	}
	d.Mu.Unlock()
	v.once.Do(func() { v.V, v.err = v.F() })
	if v.err != nil {
		var zero T
		return zero, v.err
	}
	return v.V.(T), nil
}
