package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"ward/internal/catalog"
	"ward/internal/report/oscal"
)

func init() {
	var out string
	Register(&Command{
		Name:    "export oscal",
		Args:    strings.Join(oscal.Kinds, "|") + " -o FILE",
		Summary: "OSCAL JSON (" + oscal.Version + "): system security plan, assessment results or plan of action and milestones",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "o", "", "the JSON file to write")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 || !slices.Contains(oscal.Kinds, args[0]) || out == "" {
				return BadInput("export oscal needs a document (%s) and -o FILE", strings.Join(oscal.Kinds, ", "))
			}
			kind := args[0]
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			doc, err := oscal.Build(kind, ws, catalog.Default(), env.AsOf)
			if err != nil {
				return err
			}
			data, err := oscal.Marshal(doc)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			sha := hex.EncodeToString(sum[:])
			// Write beside the target and rename once the export is on the
			// audit trail: a failed export leaves no file behind.
			tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
			if err != nil {
				return BadInput("-o %s: %v", out, err)
			}
			defer os.Remove(tmp.Name())
			if _, err := tmp.Write(data); err != nil {
				tmp.Close()
				return err
			}
			if err := tmp.Chmod(0o644); err != nil {
				tmp.Close()
				return err
			}
			if err := tmp.Close(); err != nil {
				return err
			}
			if err := b.Data.Record(ctx, Actor(), "export", "oscal", kind, map[string]any{
				"file": out, "as_of": env.AsOf.String(), "oscal_version": oscal.Version, "sha256": sha, "bytes": len(data),
			}); err != nil {
				return err
			}
			if err := os.Rename(tmp.Name(), out); err != nil {
				return err
			}
			if env.Format == "json" {
				return env.JSON(map[string]any{"kind": kind, "file": out, "as_of": env.AsOf, "oscal_version": oscal.Version, "bytes": len(data), "sha256": sha})
			}
			fmt.Fprintf(env.Stdout, "%s: wrote OSCAL %s %s as of %s to %s (%d bytes, sha256 %s)\n", b.Org.Slug, oscal.Version, kind, env.AsOf, out, len(data), sha)
			return nil
		},
	})
}
