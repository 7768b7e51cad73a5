package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"ward/internal/cli"
)

func TestVersionText(t *testing.T) {
	bi := func(settings ...string) *debug.BuildInfo {
		b := &debug.BuildInfo{GoVersion: "go1.26.8"}
		for i := 0; i < len(settings); i += 2 {
			b.Settings = append(b.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return b
	}
	const rev = "9e09926a94a634a7abbc7df9717932acf7ee8f93"
	cases := []struct {
		name, version, commit string
		bi                    *debug.BuildInfo
		want                  string
	}{
		{"clean build from git", "v1.0.0", "", bi("vcs", "git", "vcs.revision", rev, "vcs.time", "2026-12-04T14:35:09Z", "vcs.modified", "false"),
			"ward v1.0.0\ncommit  " + rev + " (2026-12-04T14:35:09Z)\ngo      go1.26.8\n"},
		{"uncommitted changes", "dev", "", bi("vcs.revision", rev, "vcs.modified", "true"),
			"ward dev\ncommit  " + rev + " (modified: built with uncommitted changes)\ngo      go1.26.8\n"},
		{"no stamp, commit given at link time", "dev", "abc123", bi(),
			"ward dev\ncommit  abc123\ngo      go1.26.8\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := cli.VersionText(c.version, c.commit, c.bi); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
	if got := cli.VersionText("dev", "", bi()); !strings.Contains(got, "commit  unknown (") || !strings.Contains(got, "go1.26.8") {
		t.Errorf("without a stamp, say the commit is unknown and how to get it:\n%s", got)
	}
}

// A binary built with go build inside a git clone prints the clone's
// commit, read from the build's own record.
func TestVersionPrintsTheCommitOfABuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skip("not a git checkout")
	}
	// The go command stamps a build only from a clone's own .git folder,
	// not from a linked worktree (.git is then a file): copy the tree
	// into a fresh clone, which is what a user builds from.
	clone := t.TempDir()
	if out, err := exec.Command("git", "clone", "--quiet", "--no-hardlinks", root, clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	if out, err := exec.Command("git", "-C", clone, "checkout", "--quiet", strings.TrimSpace(string(head))).CombinedOutput(); err != nil {
		t.Fatalf("git checkout: %v\n%s", err, out)
	}
	bin := filepath.Join(t.TempDir(), "ward")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, "./cmd/ward")
	build.Dir = clone
	build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=true")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "commit  " + strings.TrimSpace(string(head)); !strings.Contains(string(out), want) {
		t.Errorf("ward version:\n%s\nwant %q", out, want)
	}
}
