package reports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"ward/internal/catalog"
	"ward/internal/cli"
	"ward/internal/report/oscal"
)

// oscalAll is the kind that writes the whole set to a folder.
const oscalAll = "all"

func init() {
	var out string
	cli.Register(&cli.Command{
		Name:    "export oscal",
		Args:    strings.Join(oscal.Kinds, "|") + " -o FILE | all -o DIR",
		Summary: "OSCAL JSON (" + oscal.Version + "): the control catalog, the baseline profile, system security plan, assessment plan and results, plan of action and milestones; all: the whole set, resolvable, in one folder",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "o", "", "the JSON file to write (with all: the folder)")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			kinds := append(slices.Clone(oscal.Kinds), oscalAll)
			if len(args) != 1 || !slices.Contains(kinds, args[0]) || out == "" {
				return cli.BadInput("export oscal needs a document (%s) and -o FILE, or all and -o DIR", strings.Join(kinds, ", "))
			}
			kind := args[0]
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			if kind == oscalAll {
				return exportOSCALSet(ctx, env, b, out)
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
			tmp, err := writeTemp(out, data)
			if err != nil {
				return err
			}
			defer os.Remove(tmp)
			if err := b.Data.Record(ctx, cli.Actor(), "export", "oscal", kind, map[string]any{
				"file": out, "as_of": env.AsOf.String(), "oscal_version": oscal.Version, "sha256": sha, "bytes": len(data),
			}); err != nil {
				return err
			}
			if err := os.Rename(tmp, out); err != nil {
				return err
			}
			if env.Format == "json" {
				return env.JSON(map[string]any{"kind": kind, "file": out, "as_of": env.AsOf, "oscal_version": oscal.Version, "bytes": len(data), "sha256": sha})
			}
			fmt.Fprintf(env.Stdout, "%s: wrote OSCAL %s %s as of %s to %s (%d bytes, sha256 %s)\n", b.Org.Slug, oscal.Version, kind, env.AsOf, out, len(data), sha)
			if kind != oscal.KindCatalog {
				fmt.Fprintf(env.Stdout, "  it refers to the other documents by file name; ward export oscal all -o DIR writes the whole set, resolvable\n")
			}
			return nil
		},
	})
}

// writeTemp writes data to a new file beside path (mode 0644) and returns
// its name.
func writeTemp(path string, data []byte) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return "", cli.BadInput("-o %s: %v", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

// exportedFile is one file of an exported set.
type exportedFile struct {
	File   string `json:"file"`
	Kind   string `json:"kind"`
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// exportOSCALSet writes every document of the set and the evidence files
// the assessment results link to into dir (created when missing; an
// existing file of the set is replaced), all or nothing: the files are
// written to a fresh folder beside it and moved in once the export is on
// the audit trail.
func exportOSCALSet(ctx context.Context, env *cli.Env, b *cli.Backend, dir string) error {
	ws, err := b.Data.Workspace(ctx)
	if err != nil {
		return err
	}
	files, err := oscal.Set(ws, catalog.Default(), env.AsOf)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return cli.BadInput("-o %s: not a folder (export oscal all writes a set of files)", dir)
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(dir)), 0o755); err != nil {
		return cli.BadInput("-o %s: %v", dir, err)
	}
	stage, err := os.MkdirTemp(filepath.Dir(filepath.Clean(dir)), "."+filepath.Base(dir)+".*")
	if err != nil {
		return cli.BadInput("-o %s: %v", dir, err)
	}
	defer os.RemoveAll(stage)
	var written []exportedFile
	for _, f := range files {
		data, err := oscal.Marshal(f.Doc)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(stage, f.Name), data, 0o644); err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		written = append(written, exportedFile{f.Name, f.Kind, len(data), hex.EncodeToString(sum[:])})
	}
	// The evidence files the assessment results link to, by their hash.
	blobs := b.Store.Blobs()
	evidence := oscal.EvidenceFiles(ws, env.AsOf)
	paths := make([]string, 0, len(evidence))
	for p := range evidence {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	missing := 0
	for _, p := range paths {
		sha := evidence[p]
		if !blobs.Has(sha) {
			missing++
			continue
		}
		if err := copyBlob(blobs.Open, sha, filepath.Join(stage, filepath.FromSlash(p))); err != nil {
			return err
		}
		written = append(written, exportedFile{File: p, Kind: "evidence", SHA256: sha})
	}
	if err := b.Data.Record(ctx, cli.Actor(), "export", "oscal", oscalAll, map[string]any{
		"dir": dir, "as_of": env.AsOf.String(), "oscal_version": oscal.Version, "files": written,
	}); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return cli.BadInput("-o %s: %v", dir, err)
	}
	for _, f := range written {
		dst := filepath.Join(dir, filepath.FromSlash(f.File))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(stage, filepath.FromSlash(f.File)), dst); err != nil {
			return err
		}
	}
	if env.Format == "json" {
		return env.JSON(map[string]any{"dir": dir, "as_of": env.AsOf, "oscal_version": oscal.Version, "files": written, "evidence_missing": missing})
	}
	fmt.Fprintf(env.Stdout, "%s: wrote the OSCAL %s set as of %s to %s: %d documents, %d evidence files\n", b.Org.Slug, oscal.Version, env.AsOf, dir, len(files), len(written)-len(files))
	for _, f := range written[:len(files)] {
		fmt.Fprintf(env.Stdout, "  %-26s %s\n", f.File, f.Kind)
	}
	fmt.Fprintln(env.Stdout, "  ssp.json imports profile.json, which imports the framework profiles, which import catalog.json; assessment-results.json imports assessment-plan.json, which imports ssp.json")
	if missing > 0 {
		fmt.Fprintf(env.Stdout, "  %d evidence file(s) the results name are not in this database's evidence store; their links do not resolve\n", missing)
	}
	return nil
}

func copyBlob(open func(string) (io.ReadCloser, error), sha, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	r, err := open(sha)
	if err != nil {
		return err
	}
	defer r.Close()
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
