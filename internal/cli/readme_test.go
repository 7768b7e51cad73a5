package cli_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ward/internal/cli"
)

// TestReadmeUsingWardRunsAsWritten runs every command of the README's
// "## Using ward" section, in order, on a fresh database, as a newcomer
// would type them from the repository's root: each indented line of the
// section is one command. The working folder is a copy of examples/, so a
// command that writes there is caught (the shipped examples must stay as
// they are), and ward.db starts empty.
//
// How a line runs:
//   - "./ward ARGS" and "ward ARGS" run ward in this process (the same
//     Main cmd/ward calls), with shell quoting, a trailing "# comment" and
//     "< FILE" for standard input understood;
//   - "go build ..." is not run: the test binary is built from the same
//     packages;
//   - a server ("./ward serve", "./ward demo") is started on a free port,
//     must answer HTTP, and is stopped.
//
// When you add a command to the section:
//   - it must run as written; the files it reads must ship in examples/
//     (examples/files/ holds the sample inputs: scans, PDFs, answers);
//   - if a nonzero exit is the point (a gate that fails on the demo), add
//     the line's command to readmeExit with the code;
//   - if it needs a value an earlier command printed that cannot be known
//     in advance, write a placeholder in CAPITALS in the README and add it
//     to readmePlaceholders with a pattern that finds the value in the
//     earlier commands' output. Prefer values known in advance: ids in
//     ward are derived (evidence ids from controls, date and hash).
func TestReadmeUsingWardRunsAsWritten(t *testing.T) {
	lines := readmeCommands(t, "../../README.md", "## Using ward")
	if len(lines) < 10 {
		t.Fatalf("README.md's \"## Using ward\" section has %d commands; is the heading still there?", len(lines))
	}
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if err := os.CopyFS(filepath.Join(work, "examples"), os.DirFS(examples)); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	t.Setenv("WARD_DB", "")
	t.Setenv("WARD_ORG", "")
	t.Setenv("WARD_ACTOR", "readme-test")
	shipped := treeDigest(t, "examples")

	var outputs strings.Builder // everything printed so far, for placeholders
	for _, l := range lines {
		cmd := l.text
		for ph, re := range readmePlaceholders {
			if !strings.Contains(cmd, ph) {
				continue
			}
			m := re.FindAllStringSubmatch(outputs.String(), -1)
			if len(m) == 0 {
				t.Fatalf("README.md:%d: %s: no earlier command printed a value for %s (pattern %s in readmePlaceholders)", l.line, cmd, ph, re)
			}
			cmd = strings.ReplaceAll(cmd, ph, m[len(m)-1][1])
		}
		words, stdin, err := shellWords(cmd)
		if err != nil {
			t.Fatalf("README.md:%d: %s: %v", l.line, l.text, err)
		}
		switch {
		case len(words) > 1 && words[0] == "go" && words[1] == "build":
			continue
		case len(words) == 0 || (words[0] != "./ward" && words[0] != "ward"):
			t.Fatalf("README.md:%d: %q: the README test runs ./ward commands only (and skips go build); keep other commands out of \"## Using ward\", or teach readme_test.go to run them", l.line, l.text)
		}
		args := words[1:]
		in := io.Reader(strings.NewReader(""))
		if stdin != "" {
			f, err := os.Open(stdin)
			if err != nil {
				t.Fatalf("README.md:%d: %s: standard input: %v (the file must ship in examples/)", l.line, l.text, err)
			}
			in = f
			defer f.Close()
		}
		var code int
		var out, errs string
		if server(args) {
			code, out, errs = runServer(t, l, args)
		} else {
			var o, e bytes.Buffer
			code = cli.Main(context.Background(), args, in, &o, &e)
			out, errs = o.String(), e.String()
		}
		outputs.WriteString(out)
		want := readmeExit[l.text]
		if code != want {
			t.Fatalf("README.md:%d: %s\nexited %d, want %d.\nstdout:\n%s\nstderr:\n%s\n"+
				"Fix the command (it must run as written, from the repository's root, on the database the commands above it built) or the files it uses (they must ship in examples/). "+
				"If a nonzero exit is the point, add the command to readmeExit in internal/cli/readme_test.go.",
				l.line, l.text, code, want, tail(out, 40), tail(errs, 40))
		}
		if d := treeDigest(t, "examples"); d != shipped {
			t.Fatalf("README.md:%d: %s changed the shipped files under examples/: a README command must not rewrite them (write to a copy, such as the export in acme-export/)", l.line, l.text)
		}
	}
}

// readmeExit is the exit code of README commands that do not exit 0, by
// the command as written (without its comment).
var readmeExit = map[string]int{
	// The demo's deliberate gaps fail the gate (DESIGN.md: exit 1).
	"./ward check --as-of 2026-11-23": cli.ExitFindings,
	// So do a new organization's: no BAAs, no risk analysis yet.
	"./ward --db sqlite:brightline.db check --as-of 2027-01-04": cli.ExitFindings,
}

// readmePlaceholders fill a README placeholder (a word in CAPITALS) with
// the first group of the last match of the pattern in what the earlier
// commands printed. None is needed today.
var readmePlaceholders = map[string]*regexp.Regexp{}

type readmeLine struct {
	line int
	text string // the command, without its comment
}

// readmeCommands lists the indented lines of one section of a Markdown
// file, without their trailing comments.
func readmeCommands(t *testing.T, path, heading string) []readmeLine {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []readmeLine
	in := false
	for i, line := range strings.Split(string(raw), "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			in = strings.TrimSpace(line) == heading
			continue
		case !in || !strings.HasPrefix(line, "    ") || strings.TrimSpace(line) == "":
			continue
		}
		out = append(out, readmeLine{line: i + 1, text: stripComment(strings.TrimSpace(line))})
	}
	return out
}

// stripComment cuts a shell comment: a # after a space, outside quotes.
func stripComment(s string) string {
	var quote rune
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
		case r == '#' && i > 0 && s[i-1] == ' ':
			return strings.TrimSpace(s[:i])
		}
	}
	return s
}

// shellWords splits a command line as a POSIX shell would for the simple
// lines the README holds: words, single and double quotes, and "< FILE"
// for standard input. Anything else a shell would expand is refused, so
// the README does not come to rely on it unnoticed.
func shellWords(s string) (words []string, stdin string, err error) {
	var cur strings.Builder
	inWord, redirect := false, false
	var quote rune
	flush := func() {
		if !inWord {
			return
		}
		if redirect {
			stdin, redirect = cur.String(), false
		} else {
			words = append(words, cur.String())
		}
		cur.Reset()
		inWord = false
	}
	for _, r := range s {
		switch {
		case quote == '"' && (r == '$' || r == '`' || r == '\\'):
			return nil, "", fmt.Errorf("%q inside double quotes needs a shell; the README test runs commands without one", r)
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			flush()
		case r == '<':
			flush()
			redirect = true
		case strings.ContainsRune("|&;>$`*?(){}\\", r):
			return nil, "", fmt.Errorf("%q needs a shell; the README test runs commands without one", r)
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, "", fmt.Errorf("unterminated %c quote", quote)
	}
	flush()
	if redirect {
		return nil, "", fmt.Errorf("< names no file")
	}
	return words, stdin, nil
}

// server reports whether args start a command that serves until stopped.
func server(args []string) bool {
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		return a == "serve" || a == "demo"
	}
	return false
}

// runServer starts a serving command on a free loopback port, waits until
// it answers HTTP, and stops it as Ctrl-C would.
func runServer(t *testing.T, l readmeLine, args []string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errs := &cli.SyncBuffer{}, &cli.SyncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, append(append([]string{}, args...), "--addr", "127.0.0.1:0"), strings.NewReader(""), out, errs)
	}()
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case code := <-done:
			return code, out.String(), errs.String()
		default:
		}
		if u := url.FindString(out.String()); u != "" {
			resp, err := http.Get(u + "/login")
			if err != nil {
				t.Fatalf("README.md:%d: %s: the server at %s does not answer: %v", l.line, l.text, u, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("README.md:%d: %s: GET %s/login answered %s", l.line, l.text, u, resp.Status)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("README.md:%d: %s: printed no address within a minute:\n%s%s", l.line, l.text, out.String(), errs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	return <-done, out.String(), errs.String()
}

// treeDigest hashes every file's path and content under dir.
func treeDigest(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(p), len(raw))
		h.Write(raw)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

func TestShellWords(t *testing.T) {
	cases := []struct {
		in, stdin string
		words     []string
		bad       bool
	}{
		{in: `./ward plan`, words: []string{"./ward", "plan"}},
		{in: `./ward risk accept r-x --reason "it's kept"`, words: []string{"./ward", "risk", "accept", "r-x", "--reason", "it's kept"}},
		{in: `./ward plan --questions -f a.yaml < answers.txt`, words: []string{"./ward", "plan", "--questions", "-f", "a.yaml"}, stdin: "answers.txt"},
		{in: `./ward x <in.txt`, words: []string{"./ward", "x"}, stdin: "in.txt"},
		{in: `ward check || exit 1`, bad: true},
		{in: `ward --db "$WARD_DB" check`, bad: true},
		{in: `ward --reason 'a $b'`, words: []string{"ward", "--reason", "a $b"}},
		{in: `ward --db $WARD_DB check`, bad: true},
		{in: `ward "open`, bad: true},
	}
	for _, c := range cases {
		words, stdin, err := shellWords(c.in)
		if (err != nil) != c.bad {
			t.Errorf("%s: error %v, want bad=%v", c.in, err, c.bad)
			continue
		}
		if !c.bad && (strings.Join(words, "|") != strings.Join(c.words, "|") || stdin != c.stdin) {
			t.Errorf("%s: words %q stdin %q, want %q %q", c.in, words, stdin, c.words, c.stdin)
		}
	}
	if got := stripComment(`./ward x --reason "a # b"   # comment`); got != `./ward x --reason "a # b"` {
		t.Errorf("stripComment: %q", got)
	}
}
