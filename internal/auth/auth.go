// Package auth holds the secrets side of accounts: argon2id password
// hashes in PHC string form, random session and API tokens, and the hashes
// under which tokens are stored. It knows nothing of HTTP or storage.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// Default is what new hashes use: 64 MiB, 3 passes, 2 lanes, a 16-byte
// salt and a 32-byte key. That is the memory and pass count of RFC 9106's
// second recommended option (section 4: m=64 MiB, t=3), with 2 lanes
// rather than 4 because a small server wants to leave cores free for
// other requests; it costs roughly 50–150 ms of one login: slow for a
// password guesser, unnoticeable to a person.
// Raising a number here makes NeedsRehash true for older hashes, and the
// web login re-hashes them on the next successful login.
var Default = Params{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}

// ErrMalformed reports a stored hash that is not an argon2id PHC string.
var ErrMalformed = errors.New("auth: stored password hash is not an argon2id PHC string")

var b64 = base64.RawStdEncoding

// HashPassword hashes password with the Default parameters as
// $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash> (unpadded standard base64,
// as the PHC string format specifies).
func HashPassword(password string) (string, error) {
	return HashPasswordWith(password, Default)
}

// HashPasswordWith hashes with explicit parameters (tests use cheap ones).
func HashPasswordWith(password string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the PHC string encoded.
// The comparison of the derived keys is constant-time. A malformed hash
// is an error, never a match.
func CheckPassword(password, encoded string) (bool, error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether encoded was made with parameters other than
// Default (or cannot be read), so that a login can store a fresh hash.
func NeedsRehash(encoded string) bool {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return true
	}
	return p.Memory != Default.Memory || p.Time != Default.Time || p.Threads != Default.Threads ||
		uint32(len(salt)) != Default.SaltLen || uint32(len(key)) != Default.KeyLen
}

// dummyHash is checked against when an account does not exist, so that
// "no such user" costs the same time as "wrong password" and the login
// does not reveal which e-mail addresses have accounts.
// It is made on first use, not at start-up, so CLI commands do not pay.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("ward-dummy-password-for-timing")
	if err != nil {
		panic(err)
	}
	return h
})

// CheckDummy spends the time of one CheckPassword and returns false.
func CheckDummy(password string) bool {
	CheckPassword(password, dummyHash())
	return false
}

func decode(encoded string) (p Params, salt, key []byte, err error) {
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformed
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: version %q, want v=%d", ErrMalformed, parts[2], argon2.Version)
	}
	var threads uint32
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, perr := strconv.ParseUint(v, 10, 32)
		if !ok || perr != nil || n == 0 {
			return p, nil, nil, fmt.Errorf("%w: parameter %q", ErrMalformed, kv)
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, fmt.Errorf("%w: parameter %q", ErrMalformed, kv)
			}
			threads = uint32(n)
		default:
			return p, nil, nil, fmt.Errorf("%w: parameter %q", ErrMalformed, kv)
		}
	}
	if p.Memory == 0 || p.Time == 0 || threads == 0 {
		return p, nil, nil, fmt.Errorf("%w: m, t and p are all required", ErrMalformed)
	}
	p.Threads = uint8(threads)
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("%w: salt", ErrMalformed)
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return p, nil, nil, fmt.Errorf("%w: hash", ErrMalformed)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// NewToken returns 32 random bytes as unpadded base64url: a session cookie
// value or an API token. Only TokenHash of it is ever stored.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// TokenHash is the hex SHA-256 of a token, the form in which sessions and
// API tokens are stored and looked up. A plain hash is enough here (unlike
// passwords) because tokens carry 256 bits of randomness.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewPassword generates a password for a new or demo account: 18 random
// bytes as base64url, 24 characters, about 144 bits.
func NewPassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
