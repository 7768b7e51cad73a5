package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"ward/internal/store"
	"ward/internal/store/blob"
)

func init() {
	var to, dir string
	Register(&Command{
		Name:    "migrate-blobs",
		Args:    "[--to database|folder] [--blobs DIR]",
		Summary: "copy the evidence files between the folder and the PostgreSQL database (each checked against its SHA-256)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&to, "to", "database", "where the files go: database (from the folder, what ward serve on PostgreSQL reads) or folder (back from the database)")
			fs.StringVar(&dir, "blobs", "", "the folder ($WARD_BLOBS, else ./ward-blobs)")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) > 0 {
				return BadInput("migrate-blobs takes no arguments, only --to and --blobs")
			}
			if to != "database" && to != "folder" {
				return BadInput("migrate-blobs --to: %q is neither database nor folder", to)
			}
			s, err := env.Store(ctx)
			if err != nil {
				return err
			}
			if dir != "" {
				if s, err = store.Open(ctx, env.DB, store.Options{BlobDir: dir}); err != nil {
					return fmt.Errorf("open %s: %w", redactURL(env.DB), err)
				}
				defer s.Close()
			}
			if s.EngineName() != "postgres" {
				return BadInput("migrate-blobs: %s keeps its evidence files in the folder %s, where they stay; to move a SQLite database and its files to PostgreSQL, use ward backup and ward restore", s.EngineName(), s.BlobFolder().Dir())
			}
			var from, dst blob.Store = s.BlobFolder(), s.BlobDB()
			if to == "folder" {
				from, dst = dst, from
			}
			n, copied, had, bytes, err := migrateBlobs(ctx, from, dst, env.Stderr)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%d evidence file%s in %s: %d copied to %s (%s), %d there already; each checked against its SHA-256\n",
				n, Plural(n), from.Where(), copied, dst.Where(), HumanBytes(bytes), had)
			if to == "database" && n > 0 {
				fmt.Fprintf(env.Stdout, "ward serve on PostgreSQL reads them from the database; the folder %s is no longer read and can be archived\n", s.BlobFolder().Dir())
			}
			return nil
		},
	})
}

// migrateBlobs copies every blob of from that dst lacks, streamed, and
// checks that dst named it by the hash it had: a file whose bytes do not
// match its name stops the copy. A line on progress tells how far it got.
// Running it again copies nothing.
func migrateBlobs(ctx context.Context, from, dst blob.Store, progress io.Writer) (n, copied, had int, bytes int64, err error) {
	var total int
	if err := from.List(func(string, int64) error { total++; return nil }); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("migrate-blobs: listing %s: %w", from.Where(), err)
	}
	err = from.List(func(sha string, size int64) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		n++
		if dst.Has(sha) {
			had++
		} else {
			rc, err := from.Open(sha)
			if err != nil {
				return fmt.Errorf("migrate-blobs: %s in %s: %w", sha, from.Where(), err)
			}
			got, size2, err := dst.Put(rc)
			rc.Close()
			if err != nil {
				return fmt.Errorf("migrate-blobs: %s into %s: %w", sha, dst.Where(), err)
			}
			if got != sha || size2 != size {
				return fmt.Errorf("migrate-blobs: %s in %s holds %d bytes whose SHA-256 is %s: the file is damaged; it was not copied under its name (restore it from a backup)", sha, from.Where(), size2, got)
			}
			copied++
			bytes += size
		}
		fmt.Fprintf(progress, "migrate-blobs: %d/%d files, %d copied (%s)\n", n, total, copied, HumanBytes(bytes))
		return nil
	})
	return n, copied, had, bytes, err
}
