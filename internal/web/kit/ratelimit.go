package kit

import (
	"context"
	"log/slog"
	"time"

	"ward/internal/store"
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
)

// loginLimiter counts failures in the database (store.AddFailures), so
// that several servers on one database count the same failures: five
// wrong passwords split between two servers block the sixth try on
// either. scope keeps the login's counters apart from the trust center's.
type loginLimiter struct {
	st    *store.Store
	log   *slog.Logger
	scope string
}

func newLoginLimiter(st *store.Store, log *slog.Logger, scope string) *loginLimiter {
	return &loginLimiter{st: st, log: log, scope: scope}
}

// Blocked reports whether any of keys has reached its limit, and for how
// long it stays blocked. A database that does not answer blocks nothing
// (the login that follows cannot succeed without it either). ctx is the
// request's: its statements count in the request's db_statements and
// end with it.
func (l *loginLimiter) Blocked(ctx context.Context, now time.Time, keys ...LimitKey) (bool, time.Duration) {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = l.scope + k.Key
	}
	failures, err := l.st.RecentFailures(ctx, names, now.Add(-loginWindow))
	if err != nil {
		l.log.ErrorContext(ctx, "login throttle: reading failures", "err", err)
		return false, 0
	}
	var wait time.Duration
	for i, k := range keys {
		if ts := failures[names[i]]; len(ts) >= k.Max {
			// Blocked until enough failures age out to fall below max:
			// the max-th newest is the one that must.
			w := loginWindow - now.Sub(ts[k.Max-1])
			wait = max(wait, w)
		}
	}
	return wait > 0, wait
}

func (l *loginLimiter) Fail(ctx context.Context, now time.Time, keys ...LimitKey) {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = l.scope + k.Key
	}
	if err := l.st.AddFailures(ctx, now, now.Add(-loginWindow), names...); err != nil {
		l.log.ErrorContext(ctx, "login throttle: recording a failure", "err", err)
	}
}

// Succeed forgets an account's failures after a correct password; the
// address's failures stay, so one known account cannot reset them.
func (l *loginLimiter) Succeed(ctx context.Context, k LimitKey) {
	if err := l.st.ClearFailures(ctx, l.scope+k.Key); err != nil {
		l.log.ErrorContext(ctx, "login throttle: clearing failures", "err", err)
	}
}

type LimitKey struct {
	Key string
	Max int
}

func EmailKey(email string) LimitKey { return LimitKey{"email:" + email, maxFailuresPerEmail} }
func IPKey(ip string) LimitKey       { return LimitKey{"ip:" + ip, maxFailuresPerIP} }

// DeviceKey counts the failures of one browser that logged in to the
// account before (device.go): the account's and the address's counters
// do not apply to it, so a guesser elsewhere cannot lock its owner out.
func DeviceKey(id string) LimitKey { return LimitKey{"device:" + id, maxFailuresPerEmail} }
