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
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"ward/internal/check"
	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/workspace"
)

// ExitDrift is `ward apply`'s exit code when it stopped on drift: records
// the files manage were changed outside them (in the web) since the last
// apply, and nothing was written. Not a success, and neither a finding
// nor bad input: choose --overwrite or --adopt.
const ExitDrift = 3

func init() {
	var path string
	var dryRun, overwrite, adopt bool
	Register(&Command{
		Name:    "apply",
		Creates: true,
		Args:    "-f PATH [--dry-run] [--overwrite | --adopt]",
		Summary: "make the records the workspace files manage match them (one YAML file or a folder), in one transaction",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&path, "f", "", "a workspace YAML file or a folder of them")
			fs.BoolVar(&dryRun, "dry-run", false, "say what would change, what drifted and what is kept, and write nothing")
			fs.BoolVar(&overwrite, "overwrite", false, "records changed in the web since the last apply take the files' version")
			fs.BoolVar(&adopt, "adopt", false, "records changed in the web since the last apply keep the web's version (ward export then brings it into the files)")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			defer BoundMemory()()
			if path == "" && len(args) == 1 {
				path = args[0]
			}
			if path == "" {
				return BadInput("apply needs -f PATH (a workspace file or folder)")
			}
			if overwrite && adopt {
				return BadInput("--overwrite and --adopt exclude each other: say which side wins")
			}
			opt := ApplyFlags{DryRun: dryRun}
			switch {
			case overwrite:
				opt.Drift = store.DriftOverwrite
			case adopt:
				opt.Drift = store.DriftAdopt
			}
			res, org, err := ApplyFiles(ctx, env, path, Actor(), opt)
			if errors.Is(err, store.ErrDrift) {
				printApply(env.Stdout, org, res, dryRun)
				printDrift(env.Stderr, res.Drift)
				return &ExitError{Code: ExitDrift}
			}
			if err != nil {
				return err
			}
			printApply(env.Stdout, org, res, dryRun)
			return nil
		},
	})
}

// softMemory is the Go heap ward apply and ward export aim to stay
// under (debug.SetMemoryLimit) unless GOMEMLIMIT says otherwise. Both
// read and write a workspace a run of records at a time, so what stays
// live is the records themselves, well under it at 8,000 systems; with
// the default pacing the heap would still grow to twice that between
// collections. It is a soft limit: a larger workspace is collected more
// often, not refused.
const softMemory = 100 << 20

// BoundMemory sets the limit for one command and returns what puts the
// previous one back (commands run in the tests' process too).
func BoundMemory() (restore func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	was := debug.SetMemoryLimit(softMemory)
	return func() { debug.SetMemoryLimit(was) }
}

// WorkspaceOptions are check.WorkspaceOptions: the rules of the embedded
// catalog and risk libraries, the same the web app validates edits with.
func WorkspaceOptions() workspace.Options { return check.WorkspaceOptions() }

// ApplyFlags are `ward apply`'s choices.
type ApplyFlags struct {
	DryRun bool
	// Drift: store.DriftStop, DriftOverwrite or DriftAdopt.
	Drift string
}

// ApplyPath loads, validates and applies a workspace, stopping on drift:
// `ward demo` and the tests. See ApplyFiles.
func ApplyPath(ctx context.Context, env *Env, path, actor string, dryRun bool) ([]store.Change, store.Org, error) {
	res, org, err := ApplyFiles(ctx, env, path, actor, ApplyFlags{DryRun: dryRun})
	if err != nil {
		return nil, org, err
	}
	return res.Changes, org, nil
}

// ApplyFiles loads, validates and applies a workspace: the one path used
// by `ward apply`, `ward demo` and the tests. Nothing is written unless
// every file is valid; the database write is one transaction. Records
// the files do not manage are kept; an open incident is never retired
// (check.StillOpen); drift stops the apply (store.ErrDrift, with the
// result listing it) unless opt.Drift says which side wins; and the
// organization as it would be after the apply is validated with the same
// rules, so a record the web keeps cannot be left naming one the files
// retire.
func ApplyFiles(ctx context.Context, env *Env, path, actor string, opt ApplyFlags) (store.ApplyResult, store.Org, error) {
	// A bar on a terminal, once the apply takes a while: what it is
	// doing, and the bytes and files of evidence it hashes.
	bar := startBar(env, -1, "files")
	defer bar.done()
	bar.doing("reading " + path)
	wopt := WorkspaceOptions()
	wopt.Today = env.AsOf // today: nothing recorded can have happened later
	// The database opens while the files are read: creating the schema of
	// a new PostgreSQL database keeps its server busy for a fifth of a
	// second, as long as reading 500 systems. The schema commits only once
	// the files are valid, so that invalid files write nothing, not even
	// that.
	loadErr := make(chan error, 1)
	type opened struct {
		s   *store.Store
		err error
	}
	open := make(chan opened, 1)
	go func() {
		s, err := env.openStore(ctx, func() error { return <-loadErr })
		open <- opened{s, err}
	}()
	loaded, err := workspace.Load(path, wopt)
	if err == nil {
		err = otherOrg(loaded, env.OrgSlug)
	}
	if err != nil {
		loadErr <- errors.New("the files are not valid")
	} else {
		loadErr <- nil
	}
	o := <-open
	if err != nil {
		var verrs workspace.Errors
		if errors.As(err, &verrs) {
			return store.ApplyResult{}, store.Org{}, &ExitError{Code: ExitBadInput, Msg: fmt.Sprintf("%s is not valid; nothing was written:\n%s", path, verrs.Error())}
		}
		return store.ApplyResult{}, store.Org{}, BadInput("%v", err)
	}
	ws := loaded.Workspace
	s, err := o.s, o.err
	if err != nil {
		return store.ApplyResult{}, store.Org{}, err
	}
	slug := ws.Organization.Slug
	if env.OrgSlug != "" {
		slug = env.OrgSlug
	}
	if slug == "" {
		slug = workspace.Slug(ws.Organization.Name)
	}
	ws.Organization.Slug = slug
	bar.doing("hashing files")
	if err := attachFiles(s, loaded, opt.DryRun, bar); err != nil {
		return store.ApplyResult{}, store.Org{}, err
	}
	org, err := s.OrgBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		if opt.DryRun {
			changes, err := store.CreateChanges(ws, slug)
			if err != nil {
				return store.ApplyResult{}, store.Org{}, BadInput("%v", err)
			}
			return store.ApplyResult{Changes: changes}, store.Org{Slug: slug, Name: ws.Organization.Name}, nil
		}
		org, err = s.CreateOrg(ctx, actor, slug, ws.Organization.Name)
	}
	if err != nil {
		return store.ApplyResult{}, store.Org{}, err
	}
	asOf := env.AsOf
	if asOf.IsZero() {
		asOf = date.Today()
	}
	bar.doing("writing " + slug)
	res, err := s.Org(org).ApplyWorkspace(ctx, actor, ws, store.ApplyOptions{
		DryRun: opt.DryRun,
		Drift:  opt.Drift,
		Open: func(stored *workspace.Workspace, kind, key string) string {
			return check.StillOpen(stored, kind, key, asOf)
		},
		Check: checkKept,
	})
	return res, org, err
}

// checkKept refuses an apply after which the organization breaks a rule
// it did not break before: a record the files do not manage (kept in the
// web) naming one the files retire, say. Errors are named by record, as
// the records are not all in the files.
func checkKept(before, after *workspace.Workspace) error {
	opt := WorkspaceOptions()
	had := map[string]bool{}
	for _, e := range workspace.Validate(before, opt) {
		had[recordField(before, e.Field)+": "+e.Msg] = true
	}
	var errs []string
	for _, e := range workspace.Validate(after, opt) {
		msg := recordField(after, e.Field) + ": " + e.Msg
		if !had[msg] && !slices.Contains(errs, msg) {
			errs = append(errs, msg)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &ExitError{Code: ExitBadInput, Msg: "after this apply the organization would not be valid; nothing was written. " +
		"Records the files do not manage (made in the web) still name what the files leave out: add it back to the files, " +
		"or change those records in the web first:\n  " + strings.Join(errs, "\n  ")}
}

// recordField turns a validation path (flows[3].to) into the record's
// name (flow a->b: to), since an index means nothing outside the files.
func recordField(ws *workspace.Workspace, field string) string {
	section, rest, ok := strings.Cut(field, "[")
	if !ok {
		return field
	}
	num, tail, ok := strings.Cut(rest, "]")
	i, err := strconv.Atoi(num)
	if !ok || err != nil || i < 0 {
		return field
	}
	key := ""
	at := func(n int, k func(int) string) {
		if i < n {
			key = k(i)
		}
	}
	switch section {
	case "people":
		at(len(ws.People), func(i int) string { return ws.People[i].Email })
	case "systems":
		at(len(ws.Systems), func(i int) string { return ws.Systems[i].ID })
	case "flows":
		at(len(ws.Flows), func(i int) string { return ws.Flows[i].Key() })
	case "vendors":
		at(len(ws.Vendors), func(i int) string { return ws.Vendors[i].ID })
	case "agreements":
		at(len(ws.Agreements), func(i int) string { return ws.Agreements[i].ID })
	case "customers":
		at(len(ws.Customers), func(i int) string { return ws.Customers[i].ID })
	case "threats":
		at(len(ws.Threats), func(i int) string { return ws.Threats[i].ID })
	case "vulnerabilities":
		at(len(ws.Vulnerabilities), func(i int) string { return ws.Vulnerabilities[i].ID })
	case "risk_analyses":
		at(len(ws.RiskAnalyses), func(i int) string { return ws.RiskAnalyses[i].ID })
	case "risks":
		at(len(ws.Risks), func(i int) string { return ws.Risks[i].ID })
	case "controls":
		at(len(ws.Controls), func(i int) string { return ws.Controls[i].ID })
	case "evidence":
		at(len(ws.Evidence), func(i int) string { return ws.Evidence[i].ID })
	case "incidents":
		at(len(ws.Incidents), func(i int) string { return ws.Incidents[i].ID })
	case "privacy_requests":
		at(len(ws.PrivacyRequests), func(i int) string { return ws.PrivacyRequests[i].ID })
	case "complaints":
		at(len(ws.Complaints), func(i int) string { return ws.Complaints[i].ID })
	case "privacy_notices":
		at(len(ws.PrivacyNotices), func(i int) string { return ws.PrivacyNotices[i].Version })
	}
	if key == "" {
		return field
	}
	name := map[string]string{"people": "person", "vulnerabilities": "vulnerability", "risk_analyses": "risk analysis",
		"evidence": "evidence", "privacy_requests": "privacy request", "privacy_notices": "privacy notice"}[section]
	if name == "" {
		name = strings.TrimSuffix(section, "s")
	}
	return name + " " + key + strings.Replace(tail, ".", ": ", 1)
}

// attachFiles hashes every file the workspace names into the
// content-addressed blob store and records hash, size and type on the
// record. Blobs are immutable and named by their hash, so a blob written
// for an apply that then fails is harmless.
// otherOrg refuses files that name their organization (organization.slug)
// when --org, or $WARD_ORG, easily left set for another client, names a
// different one: applying them would turn that organization into this
// one, its records retired and these written in. Files without a slug
// take the organization --org names.
func otherOrg(l *workspace.Loaded, org string) error {
	slug := l.Workspace.Organization.Slug
	if org == "" || slug == "" || org == slug {
		return nil
	}
	return workspace.Errors{l.Errorf("organization", 0, "slug",
		"the files are organization %q, but --org (or $WARD_ORG) names %q: apply them with --org %s, or unset $WARD_ORG", slug, org, slug)}
}

func attachFiles(s *store.Store, l *workspace.Loaded, dryRun bool, bar *workBar) error {
	ws := l.Workspace
	put := func(rel string) (sha string, size int64, typ string, err error) {
		f, err := os.Open(filepath.Join(l.Dir, filepath.FromSlash(rel)))
		if err != nil {
			return "", 0, "", BadInput("%v", err)
		}
		defer f.Close()
		typ = FileType(f, rel)
		if dryRun {
			sha, size, err = hashOnly(bar.reader(f))
		} else {
			sha, size, err = s.Blobs().Put(bar.reader(f))
		}
		bar.records.Add(1)
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
	// Signed agreements, policy texts and training certificates: hashed
	// and kept the same way.
	for _, f := range ws.Files() {
		if f.Section == "evidence" {
			continue
		}
		sha, _, _, err := put(f.Path)
		if err != nil {
			return err
		}
		if f.Fixed && *f.SHA256 != "" && *f.SHA256 != sha {
			field := strings.TrimSuffix(f.Field, "file") + "sha256"
			file, line := l.Pos(f.Section, f.Index, field)
			why := "a certificate is evidence and does not change: record the new file instead"
			if f.Section == "policies" {
				why = "an approved version's text does not change: write the new text as a new version"
			}
			return BadInput("%s:%d: %s: the file %s has SHA-256 %s, not the recorded %s; %s; nothing was written",
				file, line, l.Field(f.Section, f.Index, field), f.Path, sha, *f.SHA256, why)
		}
		*f.SHA256 = sha
	}
	return nil
}

func hashOnly(r io.Reader) (string, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// FileType is the media type of an evidence file: from its name's
// extension, else from its first bytes.
func FileType(f *os.File, name string) string {
	if t := mime.TypeByExtension(filepath.Ext(name)); t != "" {
		return strings.SplitN(t, ";", 2)[0]
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	f.Seek(0, io.SeekStart)
	return strings.SplitN(http.DetectContentType(head[:n]), ";", 2)[0]
}

// printApply lists what an apply did (or would do), then what it kept:
// every kept record in a dry run; otherwise the open and adopted ones by
// name and the records the files do not manage as a count per kind.
func printApply(w io.Writer, org store.Org, res store.ApplyResult, dryRun bool) {
	verb := map[string]string{"create": "created", "update": "changed", "retire": "retired", "adopt": "adopted"}
	if dryRun || res.Stopped() {
		verb = map[string]string{"create": "would create", "update": "would change", "retire": "would retire", "adopt": "would adopt"}
	}
	counts := map[string]int{}
	for _, c := range res.Changes {
		counts[c.Action]++
		line := fmt.Sprintf("  %-12s %s %s", verb[c.Action], c.Kind, c.Key)
		if len(c.Fields) > 0 {
			line += " (" + strings.Join(c.Fields, ", ") + ")"
		}
		if c.Action == "adopt" {
			line += ": the web's version is kept; `ward export` brings it into the files"
		}
		fmt.Fprintln(w, line)
	}
	unmanaged := map[string]int{}
	for _, k := range res.Kept {
		switch {
		case dryRun || k.Reason == store.KeptOpen || k.Reason == store.KeptAdopted:
			why := map[string]string{store.KeptWeb: "managed in the web", store.KeptImport: "from an import",
				store.KeptOpen: "still open", store.KeptAdopted: "adopted from the web"}[k.Reason]
			if k.Note != "" {
				why += ": " + k.Note
			}
			fmt.Fprintf(w, "  %-12s %s %s (%s)\n", "kept", k.Kind, k.Key, why)
		default:
			unmanaged[k.Kind]++
		}
	}
	if len(unmanaged) > 0 {
		var parts []string
		for _, k := range store.Kinds {
			if n := unmanaged[k]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, k))
			}
		}
		fmt.Fprintf(w, "  %-12s %s made in the web or by imports, which the files do not manage (--dry-run lists them)\n", "kept", strings.Join(parts, ", "))
	}
	if len(res.Changes) == 0 && !res.Stopped() {
		fmt.Fprintf(w, "%s: no changes\n", org.Slug)
		return
	}
	line := fmt.Sprintf("%s: %d %s, %d %s, %d %s", org.Slug,
		counts["create"], verb["create"], counts["update"], verb["update"], counts["retire"], verb["retire"])
	if counts["adopt"] > 0 {
		line += fmt.Sprintf(", %d %s", counts["adopt"], verb["adopt"])
	}
	if res.Stopped() {
		line += "; stopped on drift, nothing was written"
	}
	fmt.Fprintln(w, line)
}

// printDrift explains why an apply stopped, record by record, and what to
// do about it.
func printDrift(w io.Writer, drift []store.Drift) {
	var open []store.Drift
	for _, d := range drift {
		if d.Resolved == "" {
			open = append(open, d)
		}
	}
	fmt.Fprintf(w, "ward: apply stopped and wrote nothing: %d %s changed outside the workspace files since the last apply:\n",
		len(open), map[bool]string{true: "record was", false: "records were"}[len(open) == 1])
	for _, d := range open {
		what := map[string]string{"create": "created", "update": "changed", "retire": "retired"}[d.Action]
		if what == "" {
			what = "changed"
		}
		line := fmt.Sprintf("  %s %s: %s", d.Kind, d.Key, what)
		if d.By != "" {
			line += " by " + d.By + " at " + d.At.UTC().Format("2006-01-02 15:04 UTC")
		}
		switch {
		case d.Removed:
			line += "; the files no longer have it"
		case d.Retired:
			line += "; the files still have it"
		case len(d.Fields) > 0:
			line += "; differs from the files in " + strings.Join(d.Fields, ", ")
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, "Take the files' version with --overwrite, or keep the web's with --adopt and then run `ward export -o DIR` to bring it into the files.")
}
