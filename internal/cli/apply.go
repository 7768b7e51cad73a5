package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"ward/internal/check"
	"ward/internal/store"
	"ward/internal/workspace"
)

func init() {
	var path string
	var dryRun bool
	Register(&Command{
		Name:    "apply",
		Args:    "-f PATH [--dry-run]",
		Summary: "make the organization match workspace files (one YAML file or a folder), in one transaction",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&path, "f", "", "a workspace YAML file or a folder of them")
			fs.BoolVar(&dryRun, "dry-run", false, "say what would change and write nothing")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if path == "" && len(args) == 1 {
				path = args[0]
			}
			if path == "" {
				return BadInput("apply needs -f PATH (a workspace file or folder)")
			}
			changes, org, err := ApplyPath(ctx, env, path, Actor(), dryRun)
			if err != nil {
				return err
			}
			printChanges(env.Stdout, org, changes, dryRun)
			return nil
		},
	})
}

// WorkspaceOptions are check.WorkspaceOptions: the rules of the embedded
// catalog and risk libraries, the same the web app validates edits with.
func WorkspaceOptions() workspace.Options { return check.WorkspaceOptions() }

// ApplyPath loads, validates and applies a workspace: the one path used
// by `ward apply`, `ward demo` and the tests. Nothing is written unless
// every file is valid; the database write is one transaction.
func ApplyPath(ctx context.Context, env *Env, path, actor string, dryRun bool) ([]store.Change, store.Org, error) {
	loaded, err := workspace.Load(path, WorkspaceOptions())
	if err != nil {
		var verrs workspace.Errors
		if errors.As(err, &verrs) {
			return nil, store.Org{}, &ExitError{Code: ExitBadInput, Msg: fmt.Sprintf("%s is not valid; nothing was written:\n%s", path, verrs.Error())}
		}
		return nil, store.Org{}, BadInput("%v", err)
	}
	ws := loaded.Workspace
	s, err := env.Store(ctx)
	if err != nil {
		return nil, store.Org{}, err
	}
	slug := ws.Organization.Slug
	if env.OrgSlug != "" {
		slug = env.OrgSlug
	}
	if slug == "" {
		slug = workspace.Slug(ws.Organization.Name)
	}
	ws.Organization.Slug = slug
	if err := attachFiles(s, loaded, dryRun); err != nil {
		return nil, store.Org{}, err
	}
	org, err := s.OrgBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		if dryRun {
			changes, err := store.CreateChanges(ws, slug)
			if err != nil {
				return nil, store.Org{}, BadInput("%v", err)
			}
			return changes, store.Org{Slug: slug, Name: ws.Organization.Name}, nil
		}
		org, err = s.CreateOrg(ctx, actor, slug, ws.Organization.Name)
	}
	if err != nil {
		return nil, store.Org{}, err
	}
	changes, err := s.Org(org).Apply(ctx, actor, ws, store.ApplyOptions{DryRun: dryRun})
	if err != nil {
		return nil, org, err
	}
	return changes, org, nil
}

// attachFiles hashes every file the workspace names into the
// content-addressed blob store and records hash, size and type on the
// record. Blobs are immutable and named by their hash, so a blob written
// for an apply that then fails is harmless.
func attachFiles(s *store.Store, l *workspace.Loaded, dryRun bool) error {
	ws := l.Workspace
	put := func(rel string) (sha string, size int64, typ string, err error) {
		f, err := os.Open(filepath.Join(l.Dir, filepath.FromSlash(rel)))
		if err != nil {
			return "", 0, "", BadInput("%v", err)
		}
		defer f.Close()
		typ = fileType(f, rel)
		if dryRun {
			sha, size, err = hashOnly(f)
		} else {
			sha, size, err = s.Blobs().Put(f)
		}
		return sha, size, typ, err
	}
	for i := range ws.Evidence {
		e := &ws.Evidence[i]
		if e.Source == "" {
			e.Source = workspace.SourceWorkspace
		}
		if e.File == "" {
			continue
		}
		sha, size, typ, err := put(e.File)
		if err != nil {
			return err
		}
		if e.SHA256 != "" && e.SHA256 != sha {
			file, line := l.Pos("evidence", i, "sha256")
			return BadInput("%s:%d: evidence[%d].sha256: the file %s has SHA-256 %s, not the recorded %s; evidence is immutable: add a new item that supersedes this one", file, line, i, e.File, sha, e.SHA256)
		}
		e.SHA256, e.Size = sha, size
		if e.Type == "" {
			e.Type = typ
		}
	}
	for i := range ws.Agreements {
		a := &ws.Agreements[i]
		if a.File == "" {
			continue
		}
		sha, _, _, err := put(a.File)
		if err != nil {
			return err
		}
		a.SHA256 = sha
	}
	return nil
}

func hashOnly(r io.Reader) (string, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

func fileType(f *os.File, name string) string {
	if t := mime.TypeByExtension(filepath.Ext(name)); t != "" {
		return strings.SplitN(t, ";", 2)[0]
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	f.Seek(0, io.SeekStart)
	return strings.SplitN(http.DetectContentType(head[:n]), ";", 2)[0]
}

func printChanges(w io.Writer, org store.Org, changes []store.Change, dryRun bool) {
	verb := map[string]string{"create": "created", "update": "changed", "retire": "retired"}
	if dryRun {
		verb = map[string]string{"create": "would create", "update": "would change", "retire": "would retire"}
	}
	if len(changes) == 0 {
		fmt.Fprintf(w, "%s: no changes\n", org.Slug)
		return
	}
	counts := map[string]int{}
	for _, c := range changes {
		counts[c.Action]++
		line := fmt.Sprintf("  %-12s %s %s", verb[c.Action], c.Kind, c.Key)
		if len(c.Fields) > 0 {
			line += " (" + strings.Join(c.Fields, ", ") + ")"
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "%s: %d %s, %d %s, %d %s\n", org.Slug,
		counts["create"], verb["create"], counts["update"], verb["update"], counts["retire"], verb["retire"])
}
