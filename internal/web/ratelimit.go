package web

import (
	"sync"
	"time"
)

// Login throttling: after too many failed logins within the window, the
// login answers 429 with Retry-After until the oldest failure ages out,
// even for the right password. Counting per account stops guessing one
// account's password from many addresses; counting per client address
// stops trying one password against many accounts. The per-address limit
// is higher because an office behind one NAT address shares it.
const (
	loginWindow         = 15 * time.Minute
	maxFailuresPerEmail = 5
	maxFailuresPerIP    = 20
	// limiterMaxKeys bounds memory when someone sprays random e-mail
	// addresses; past it, entries whose failures have aged out are dropped
	// first.
	limiterMaxKeys = 100_000
)

type loginLimiter struct {
	mu       sync.Mutex
	failures map[string][]time.Time // key → failure times, oldest first
}

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{failures: map[string][]time.Time{}}
}

func (l *loginLimiter) recent(key string, now time.Time) []time.Time {
	ts := l.failures[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= loginWindow {
		i++
	}
	if i == len(ts) {
		delete(l.failures, key)
		return nil
	}
	ts = ts[i:]
	l.failures[key] = ts
	return ts
}

// blocked reports whether any of keys has reached its limit, and for how
// long it stays blocked.
func (l *loginLimiter) blocked(now time.Time, keys ...limitKey) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		ts := l.recent(k.key, now)
		if len(ts) >= k.max {
			// Blocked until enough failures age out to fall below max.
			w := loginWindow - now.Sub(ts[len(ts)-k.max])
			wait = max(wait, w)
		}
	}
	return wait > 0, wait
}

func (l *loginLimiter) fail(now time.Time, keys ...limitKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) >= limiterMaxKeys {
		for k := range l.failures {
			l.recent(k, now)
		}
	}
	for _, k := range keys {
		if len(l.failures) >= limiterMaxKeys && l.failures[k.key] == nil {
			continue
		}
		l.failures[k.key] = append(l.recent(k.key, now), now)
	}
}

// succeed forgets an account's failures after a correct password; the
// address's failures stay, so one known account cannot reset them.
func (l *loginLimiter) succeed(k limitKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, k.key)
}

type limitKey struct {
	key string
	max int
}

func emailKey(email string) limitKey { return limitKey{"email:" + email, maxFailuresPerEmail} }
func ipKey(ip string) limitKey       { return limitKey{"ip:" + ip, maxFailuresPerIP} }

// deviceKey counts the failures of one browser that logged in to the
// account before (device.go): the account's and the address's counters
// do not apply to it, so a guesser elsewhere cannot lock its owner out.
func deviceKey(id string) limitKey { return limitKey{"device:" + id, maxFailuresPerEmail} }
