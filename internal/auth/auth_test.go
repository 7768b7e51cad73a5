package auth

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"testing"
)

// cheap keeps the tests fast; TestDefaultFormat covers the real parameters.
var cheap = Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestDefaultFormat(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=3,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(h) {
		t.Fatalf("hash %q is not a PHC argon2id string with the default parameters", h)
	}
	ok, err := CheckPassword("correct horse battery staple", h)
	if err != nil || !ok {
		t.Fatalf("CheckPassword(right) = %v, %v", ok, err)
	}
	if NeedsRehash(h) {
		t.Error("a fresh default hash needs no rehash")
	}
}

func TestCheckPassword(t *testing.T) {
	h, err := HashPasswordWith("s3cret-passphrase", cheap)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		password string
		want     bool
	}{
		{"right", "s3cret-passphrase", true},
		{"wrong", "s3cret-passphrasE", false},
		{"prefix", "s3cret", false},
		{"empty", "", false},
		{"longer", "s3cret-passphrase ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckPassword(tt.password, h)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("CheckPassword(%q) = %v, want %v", tt.password, got, tt.want)
			}
		})
	}
}

func TestSaltsDiffer(t *testing.T) {
	a, _ := HashPasswordWith("same", cheap)
	b, _ := HashPasswordWith("same", cheap)
	if a == b {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
}

func TestMalformed(t *testing.T) {
	good, _ := HashPasswordWith("pw", cheap)
	parts := strings.Split(good, "$")
	for _, enc := range []string{
		"",
		"plaintext",
		"$2a$10$abcdefghijklmnopqrstuu", // bcrypt
		strings.Replace(good, "argon2id", "argon2i", 1),
		strings.Replace(good, "v=19", "v=16", 1),
		strings.Replace(good, "m=1024", "m=0", 1),
		strings.Replace(good, ",p=1", "", 1),
		strings.Replace(good, "t=1", "x=1", 1),
		"$argon2id$v=19$m=1024,t=1,p=1$!!!$" + parts[5],
		"$argon2id$v=19$m=1024,t=1,p=1$" + parts[4] + "$" + "c2hvcnQ", // 5-byte key
	} {
		ok, err := CheckPassword("pw", enc)
		if ok || !errors.Is(err, ErrMalformed) {
			t.Errorf("CheckPassword(pw, %q) = %v, %v; want false, ErrMalformed", enc, ok, err)
		}
		if !NeedsRehash(enc) {
			t.Errorf("NeedsRehash(%q) = false for an unreadable hash", enc)
		}
	}
}

func TestNeedsRehash(t *testing.T) {
	for _, p := range []Params{
		{Memory: 32 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32},
		{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32},
		{Memory: 64 * 1024, Time: 3, Threads: 4, SaltLen: 16, KeyLen: 32},
		{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 16},
	} {
		h, err := HashPasswordWith("pw", p)
		if err != nil {
			t.Fatal(err)
		}
		if !NeedsRehash(h) {
			t.Errorf("NeedsRehash(%s) = false, want true (differs from Default)", h)
		}
		// An old hash still verifies: the rehash happens after a login, not instead of it.
		if ok, _ := CheckPassword("pw", h); !ok {
			t.Errorf("CheckPassword with parameters %+v failed", p)
		}
	}
}

// The dummy check must do the same work as a real one, so that a login for
// an unknown account is not told apart by its timing. Wall-clock timing is
// not asserted (tests never fail on time): the dummy hash must carry the
// same argon2id parameters as every new hash, which fixes the work.
func TestCheckDummyCostsLikeAHash(t *testing.T) {
	if NeedsRehash(dummyHash()) {
		t.Fatalf("the dummy hash %s does not use the default parameters", dummyHash())
	}
	if CheckDummy("x") {
		t.Fatal("CheckDummy returned true")
	}
}

func TestTokens(t *testing.T) {
	a, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewToken()
	if a == b {
		t.Fatal("two tokens are equal")
	}
	raw, err := base64.RawURLEncoding.DecodeString(a)
	if err != nil || len(raw) != 32 {
		t.Fatalf("token %q is not 32 bytes of base64url: %v", a, err)
	}
	h := TokenHash(a)
	if sum, err := hex.DecodeString(h); err != nil || len(sum) != 32 {
		t.Fatalf("TokenHash = %q, want 64 hex digits", h)
	}
	if TokenHash(a) != h || TokenHash(b) == h {
		t.Error("TokenHash is not a function of the token alone")
	}
	// Known SHA-256 vector (FIPS 180-2, "abc").
	if got := TokenHash("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("TokenHash(abc) = %s", got)
	}
}

func TestNewPassword(t *testing.T) {
	p, err := NewPassword()
	if err != nil {
		t.Fatal(err)
	}
	if len(p) < 12 {
		t.Errorf("generated password %d characters, the CLI requires at least 12", len(p))
	}
}

// TestPolicy: the policy of NIST SP 800-63B 5.1.1.2 as ward applies it;
// "aaaaaaaaaaaa" is issue 20's finding 9.
func TestPolicy(t *testing.T) {
	gen, _ := NewPassword()
	tests := []struct {
		pw, email string
		ok        bool
		says      string
	}{
		{"aaaaaaaaaaaa", "dana@acme.example", false, "different characters"},
		{"abababababab", "dana@acme.example", false, "different characters"},
		{"short1!", "dana@acme.example", false, "at least 12"},
		{"password1234", "dana@acme.example", false, "commonly used"},
		{"P@ssw0rd1234", "dana@acme.example", false, "commonly used"},
		{"Welcome12345", "dana@acme.example", false, "commonly used"},
		{"HOSPITAL2026", "dana@acme.example", false, "commonly used"},
		{"Password2026!", "dana@acme.example", false, "commonly used"},
		{"qwertyuiopas", "dana@acme.example", false, "commonly used"},
		{"123456789012", "dana@acme.example", false, "commonly used"},
		{"dana.kim.2026", "dana.kim@acme.example", false, "e-mail"},
		{"acmehealth12", "dana@acmehealth.example", false, "organization"},
		{strings.Repeat("xy1!", 300), "dana@acme.example", false, "at most"},
		{"correct horse battery staple", "dana@acme.example", true, ""},
		{"Tide-Lantern-Okra-91", "dana@acme.example", true, ""},
		{gen, "dana@acme.example", true, ""},
	}
	for _, tt := range tests {
		err := CheckPolicy(tt.pw, tt.email)
		if tt.ok != (err == nil) {
			t.Errorf("CheckPolicy(%q) = %v, want ok=%v", tt.pw, err, tt.ok)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), tt.says) {
			t.Errorf("CheckPolicy(%q) = %q, want it to say %q", tt.pw, err, tt.says)
		}
	}
	if len(common()) < 3000 {
		t.Errorf("the common list has %d entries, want a few thousand", len(common()))
	}
}
