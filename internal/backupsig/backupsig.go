// Package backupsig signs and checks ward backups, so that a backup an
// attacker wrote (a backdoor administrator, a rewritten history, each
// table's hash recomputed into a self-consistent manifest) is refused by
// `ward restore` instead of restored.
//
// Two ways to vouch for a backup, both kept apart from it:
//
//   - A signature: `ward backup --sign-key KEY` signs manifest.json's
//     bytes with an Ed25519 private key; the manifest holds the SHA-256 of
//     every table and evidence file and every audit head, so the
//     signature covers the whole archive. `ward restore --verify-key
//     KEY.pub` checks it with the public key, which cannot sign. Ed25519
//     rather than HMAC-SHA256: with HMAC whoever can check a backup can
//     also forge one, so the key would have to be as secret on every
//     machine that restores as on the one that signs; with Ed25519 the
//     private key stays where backups are made (or offline), and the
//     public key can sit beside the backups, in a runbook or a repository.
//   - A checkpoint file: `ward backup --checkpoint FILE` writes the
//     manifest's SHA-256 and the audit heads; `ward restore --checkpoint
//     FILE` requires the archive to match it. The file needs no secrecy,
//     only to be kept where whoever can write the backups cannot
//     (another account, write-once storage, a ticket).
//
// Keys are PEM files: the private key PKCS #8 ("PRIVATE KEY"), the public
// key PKIX ("PUBLIC KEY"), as `ward backup keygen` writes them and as
// `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` do.
package backupsig

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"

	"ward/internal/audit"
)

// SignatureFormat names the signature file's format.
const SignatureFormat = "ward-backup-signature/1"

// CheckpointFormat names the backup checkpoint file's format.
const CheckpointFormat = "ward-backup-checkpoint/1"

// Signature is manifest.sig: what signed the manifest and the signature.
type Signature struct {
	Format    string `json:"format"`
	Algorithm string `json:"algorithm"`
	// Key is the SHA-256 of the public key's PKIX bytes, to say which key
	// signed when the one given is not it.
	Key       string `json:"key"`
	Signature string `json:"signature"` // base64 of the Ed25519 signature
}

// GenerateKey writes a new private key to path (0600, refused when path
// exists) and its public key to path+".pub" (0644).
func GenerateKey(path string) (ed25519.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	pder, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		path  string
		block *pem.Block
		mode  os.FileMode
	}{
		{path, &pem.Block{Type: "PRIVATE KEY", Bytes: der}, 0o600},
		{path + ".pub", &pem.Block{Type: "PUBLIC KEY", Bytes: pder}, 0o644},
	} {
		out, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.mode)
		if err != nil {
			return nil, err
		}
		if err := pem.Encode(out, f.block); err != nil {
			out.Close()
			return nil, err
		}
		if err := out.Close(); err != nil {
			return nil, err
		}
	}
	return pub, nil
}

// LoadPrivate reads an Ed25519 private key (PEM, PKCS #8).
func LoadPrivate(path string) (ed25519.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(raw)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s is not a PEM private key (make one with ward backup keygen)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s is a %T key; ward signs backups with Ed25519 keys", path, k)
	}
	return priv, nil
}

// LoadPublic reads an Ed25519 public key (PEM, PKIX); a private key file
// is accepted too, for its public half.
func LoadPublic(path string) (ed25519.PublicKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(raw)
	if b == nil {
		return nil, fmt.Errorf("%s is not a PEM key", path)
	}
	switch b.Type {
	case "PRIVATE KEY":
		priv, err := LoadPrivate(path)
		if err != nil {
			return nil, err
		}
		return priv.Public().(ed25519.PublicKey), nil
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%s is a %T key; ward signs backups with Ed25519 keys", path, k)
		}
		return pub, nil
	}
	return nil, fmt.Errorf("%s holds a PEM %q, not a public key", path, b.Type)
}

// Fingerprint is the SHA-256 of the public key's PKIX bytes, in hex.
func Fingerprint(pub ed25519.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// domain separates a backup signature from anything else the key might
// sign.
const domain = "ward backup manifest\n"

// Sign returns manifest.sig for the manifest's bytes.
func Sign(priv ed25519.PrivateKey, manifest []byte) ([]byte, error) {
	sig := ed25519.Sign(priv, append([]byte(domain), manifest...))
	return json.MarshalIndent(Signature{
		Format: SignatureFormat, Algorithm: "ed25519",
		Key:       Fingerprint(priv.Public().(ed25519.PublicKey)),
		Signature: base64.StdEncoding.EncodeToString(sig),
	}, "", "  ")
}

// ErrUnsigned is a backup without a signature, checked against a key.
var ErrUnsigned = errors.New("the backup is not signed")

// Verify checks manifest.sig (nil: the backup has none) against the
// manifest's bytes and the public key.
func Verify(pub ed25519.PublicKey, manifest, sigFile []byte) error {
	if sigFile == nil {
		return ErrUnsigned
	}
	var s Signature
	dec := json.NewDecoder(bytes.NewReader(sigFile))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil || s.Format != SignatureFormat || s.Algorithm != "ed25519" {
		return errors.New("manifest.sig is not a ward backup signature")
	}
	sig, err := base64.StdEncoding.DecodeString(s.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return errors.New("manifest.sig holds no Ed25519 signature")
	}
	if fp := Fingerprint(pub); s.Key != fp {
		return fmt.Errorf("the backup was signed by key %.16s…, not by the key given (%.16s…)", s.Key, fp)
	}
	if !ed25519.Verify(pub, append([]byte(domain), manifest...), sig) {
		return errors.New("the signature does not match the manifest: the backup was changed after it was signed")
	}
	return nil
}

// Head is an audit head named by a checkpoint: an organization's slug or
// "accounts".
type Head struct {
	Org  string `json:"org"`
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Checkpoint is what `ward backup --checkpoint` writes: the manifest's
// SHA-256 and every audit head of the backup.
type Checkpoint struct {
	Format         string `json:"format"`
	Backup         string `json:"backup"` // the archive's file name, for people
	CreatedAt      string `json:"created_at"`
	ManifestSHA256 string `json:"manifest_sha256"`
	AuditHeads     []Head `json:"audit_heads"`
}

// AuditCheckpoint is what `ward audit checkpoint` writes: one
// organization's head at some moment.
type AuditCheckpoint struct {
	Org  string     `json:"org"`
	Head audit.Head `json:"head"`
}

// ReadCheckpoint reads either kind of checkpoint file: a backup
// checkpoint (cp set) or an audit checkpoint (ac set).
func ReadCheckpoint(path string) (cp *Checkpoint, ac *AuditCheckpoint, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var probe struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, nil, fmt.Errorf("%s is not a checkpoint file (JSON): %v", path, err)
	}
	if probe.Format == CheckpointFormat {
		cp = &Checkpoint{}
		if err := json.Unmarshal(raw, cp); err != nil || len(cp.ManifestSHA256) != 64 {
			return nil, nil, fmt.Errorf("%s is not a complete ward backup checkpoint", path)
		}
		return cp, nil, nil
	}
	ac = &AuditCheckpoint{}
	if err := json.Unmarshal(raw, ac); err != nil || ac.Org == "" {
		return nil, nil, fmt.Errorf("%s is neither a backup checkpoint (ward backup --checkpoint) nor an audit checkpoint (ward audit checkpoint)", path)
	}
	return nil, ac, nil
}

// CheckManifest compares a backup's manifest (its hash and heads) with a
// backup checkpoint.
func (cp *Checkpoint) CheckManifest(sha string, heads []Head) error {
	for _, h := range cp.AuditHeads {
		i := slices.IndexFunc(heads, func(g Head) bool { return g.Org == h.Org })
		switch {
		case i < 0:
			return fmt.Errorf("the checkpoint names %s, which the backup does not hold", h.Org)
		case heads[i] != h:
			return fmt.Errorf("the audit head of %s is %d %.16s… in the backup, %d %.16s… in the checkpoint: its history is not the one checkpointed", h.Org, heads[i].Seq, heads[i].Hash, h.Seq, h.Hash)
		}
	}
	for _, g := range heads {
		if !slices.ContainsFunc(cp.AuditHeads, func(h Head) bool { return h.Org == g.Org }) {
			return fmt.Errorf("the backup holds %s, which the checkpoint does not name", g.Org)
		}
	}
	if sha != cp.ManifestSHA256 {
		return fmt.Errorf("the backup's manifest has SHA-256 %.16s…, the checkpoint's %.16s…: this is not the backup the checkpoint was written for", sha, cp.ManifestSHA256)
	}
	return nil
}
