package cli

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
)

// Version is set at build time with -ldflags "-X ward/internal/cli.Version=v1.2.3".
var Version = "dev"

// Commit names the commit when the build carries no version-control
// stamp (go run, or a build from a git worktree, which the go command
// does not stamp): -ldflags "-X ward/internal/cli.Commit=$(git rev-parse HEAD)".
var Commit = ""

func init() {
	Register(&Command{
		Name:    "version",
		Summary: "print the version, the commit it was built from and the Go toolchain",
		Run: func(ctx context.Context, env *Env, args []string) error {
			bi, _ := debug.ReadBuildInfo()
			fmt.Fprint(env.Stdout, versionText(Version, Commit, bi))
			return nil
		},
	})
}

// versionText is what ward version prints: the version, the commit (with
// its time, and "modified" when the working tree had uncommitted
// changes) and the Go toolchain, from the build's own record.
func versionText(version, commit string, bi *debug.BuildInfo) string {
	var rev, at, goVersion string
	modified := false
	if bi != nil {
		goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if rev == "" {
		rev = commit
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ward %s\n", version)
	switch {
	case rev == "":
		b.WriteString("commit  unknown (built without version-control information: build with 'go build' inside a git clone, or -ldflags \"-X ward/internal/cli.Commit=$(git rev-parse HEAD)\")\n")
	default:
		fmt.Fprintf(&b, "commit  %s", rev)
		var notes []string
		if at != "" {
			notes = append(notes, at)
		}
		if modified {
			notes = append(notes, "modified: built with uncommitted changes")
		}
		if len(notes) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(notes, ", "))
		}
		b.WriteString("\n")
	}
	if goVersion != "" {
		fmt.Fprintf(&b, "go      %s\n", goVersion)
	}
	return b.String()
}
