package store

import (
	"context"
	"io"

	"ward/internal/audit"
	"ward/internal/store/backup"
)

// Backups and their restore live in package backup; these are its types
// under the names callers use, and Store's methods run it on the store's
// database and evidence files.
type (
	BackupManifest = backup.Manifest
	BackupTable    = backup.Table
	BackupBlob     = backup.Blob
	BackupOrgHead  = backup.OrgHead
	DumpOptions    = backup.DumpOptions
	RestoreOptions = backup.RestoreOptions
	RestoreCheck   = backup.RestoreCheck
)

// ManifestSig is the name of the signature entry of a signed backup.
const ManifestSig = backup.ManifestSig

// ErrNotEmpty is returned by Restore into a database that already holds
// organizations or accounts.
var ErrNotEmpty = backup.ErrNotEmpty

// Dump writes a consistent backup of the whole database and its evidence
// files to w. progress, when not nil, is told each table and blob as it
// is written.
func (s *Store) Dump(ctx context.Context, w io.Writer, progress func(what string)) (BackupManifest, error) {
	return s.DumpWith(ctx, w, progress, DumpOptions{})
}

// DumpWith is Dump, signed when opt.Sign is set.
func (s *Store) DumpWith(ctx context.Context, w io.Writer, progress func(what string), opt DumpOptions) (BackupManifest, error) {
	return s.backupDB().Dump(ctx, w, progress, opt)
}

// Restore loads a backup written by Dump into this database, which must be
// empty (new). Rows go in one transaction that commits only when every
// table's count and hash match the manifest; evidence files are checked
// against their names as they are stored. Afterwards every organization's
// audit trail is verified and its head compared with the backup's.
func (s *Store) Restore(ctx context.Context, r io.Reader, progress func(what string)) (BackupManifest, error) {
	return s.RestoreWith(ctx, r, progress, RestoreOptions{})
}

// RestoreWith is Restore with opt.Check run before the restore commits.
func (s *Store) RestoreWith(ctx context.Context, r io.Reader, progress func(what string), opt RestoreOptions) (BackupManifest, error) {
	return s.backupDB().Restore(ctx, r, progress, opt)
}

func (s *Store) backupDB() backup.DB {
	return backup.DB{DB: s.base, Blobs: s.blobs, Trails: trailSide{s}}
}

// trailSide answers what a restore asks of the audit trails
// (backup.Trails), without adding methods to Store.
type trailSide struct{ s *Store }

func (t trailSide) OrgBySlug(ctx context.Context, slug string) (Org, error) {
	return t.s.OrgBySlug(ctx, slug)
}

func (t trailSide) VerifyAudit(ctx context.Context, org Org) error {
	return t.s.Org(org).VerifyAudit(ctx)
}

func (t trailSide) AuditHead(ctx context.Context, org Org) (audit.Head, error) {
	return t.s.Org(org).AuditHead(ctx)
}

func (t trailSide) VerifyAccountAudit(ctx context.Context) error { return t.s.VerifyAccountAudit(ctx) }
