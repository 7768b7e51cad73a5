package cli_test

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"ward/internal/cli"
)

// The command-line reference, docs/cli.md, documents every registered
// command and flag. These tests read the registry and fail, saying exactly
// what to add, when a command has no section, a flag no row, a report
// command does not say it takes --format and --as-of, or the reference
// names a command or flag that does not exist.

const cliReference = "../../docs/cli.md"

// cliSection is one "### `ward NAME`" section of the reference.
type cliSection struct {
	line  int
	text  string
	flags map[string]int // flag name → line of its row
}

var (
	cliHeading = regexp.MustCompile("^### `ward ([a-z][a-z -]*)`\\s*$")
	cliFlagRow = regexp.MustCompile("^\\| `--?([a-z0-9][a-z0-9-]*)")
)

// readCLIReference parses docs/cli.md into its command sections and the
// flag rows of its "## Global flags" and "## Report commands" sections.
func readCLIReference(t *testing.T) (cmds map[string]*cliSection, global, report map[string]int) {
	t.Helper()
	raw, err := os.ReadFile(cliReference)
	if err != nil {
		t.Fatalf("the command-line reference is missing: %v", err)
	}
	cmds, global, report = map[string]*cliSection{}, map[string]int{}, map[string]int{}
	var cur *cliSection
	var rows map[string]int
	for i, line := range strings.Split(string(raw), "\n") {
		switch {
		case cliHeading.MatchString(line):
			name := cliHeading.FindStringSubmatch(line)[1]
			cur = &cliSection{line: i + 1, flags: map[string]int{}}
			cmds[name], rows = cur, cur.flags
			continue
		case strings.HasPrefix(line, "## Global flags"):
			cur, rows = nil, global
		case strings.HasPrefix(line, "## Report commands"):
			cur, rows = nil, report
		case strings.HasPrefix(line, "#"):
			cur, rows = nil, nil
		}
		if cur != nil {
			cur.text += line + "\n"
		}
		if m := cliFlagRow.FindStringSubmatch(line); m != nil && rows != nil {
			rows[m[1]] = i + 1
		}
	}
	return cmds, global, report
}

// flagsOf lists a FlagSet's flags as the binding function leaves them.
func flagsOf(bind func(fs *flag.FlagSet)) []*flag.Flag {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if bind != nil {
		bind(fs)
	}
	var out []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { out = append(out, f) })
	return out
}

func flagSpelling(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// flagUsage is how a row writes a flag: with a placeholder for its value,
// unless it is a switch.
func flagUsage(f *flag.Flag) string {
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return flagSpelling(f.Name)
	}
	return flagSpelling(f.Name) + " " + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
}

func TestReferenceDocumentsEveryCommandAndFlag(t *testing.T) {
	cmds, global, report := readCLIReference(t)
	env := &cli.Env{}
	var asOf string
	for _, f := range flagsOf(func(fs *flag.FlagSet) { cli.GlobalFlags(fs, env) }) {
		if _, ok := global[f.Name]; !ok {
			t.Errorf("the global flag --%s has no row under \"## Global flags\" in docs/cli.md. Add:\n| `%s` | %s |", f.Name, flagUsage(f), f.Usage)
		}
	}
	for _, f := range flagsOf(func(fs *flag.FlagSet) { cli.ReportFlags(fs, env, &asOf) }) {
		if _, ok := report[f.Name]; !ok {
			t.Errorf("the report flag --%s has no row under \"## Report commands\" in docs/cli.md. Add:\n| `%s` | %s |", f.Name, flagUsage(f), f.Usage)
		}
	}
	for _, name := range cli.CommandNames() {
		c := cli.Commands[name]
		sec, ok := cmds[name]
		if !ok {
			var b strings.Builder
			fmt.Fprintf(&b, "the command \"ward %s\" has no section in docs/cli.md. Add, under the \"## ...\" group it belongs to:\n\n### `ward %s`\n\n    ward %s %s\n\nWhat it does and prints, its exit codes when they say more than 0/2, the citation when the law sets what it computes.\n",
				name, name, name, c.Args)
			if c.Report {
				b.WriteString("\nA report command: `--format`, `--as-of`.\n")
			}
			if fl := flagsOf(c.Flags); len(fl) > 0 {
				b.WriteString("\n| flag | meaning |\n| --- | --- |\n")
				for _, f := range fl {
					fmt.Fprintf(&b, "| `%s` | %s |\n", flagUsage(f), f.Usage)
				}
			}
			t.Error(b.String())
			continue
		}
		for _, f := range flagsOf(c.Flags) {
			if _, ok := sec.flags[f.Name]; !ok {
				t.Errorf("docs/cli.md:%d: the flag %s of \"ward %s\" has no row in its section's flag table. Add:\n| `%s` | %s |",
					sec.line, flagSpelling(f.Name), name, flagUsage(f), f.Usage)
			}
		}
		if c.Report && (!strings.Contains(sec.text, "`--format`") || !strings.Contains(sec.text, "`--as-of`")) {
			t.Errorf("docs/cli.md:%d: \"ward %s\" is a report command; say so in its section: \"A report command: `--format`, `--as-of`.\"", sec.line, name)
		}
		if strings.TrimSpace(strings.ReplaceAll(sec.text, "    ward "+name, "")) == "" {
			t.Errorf("docs/cli.md:%d: \"ward %s\" has a heading and no text: say what it does", sec.line, name)
		}
	}
}

func TestReferenceDocumentsNoCommandOrFlagThatIsGone(t *testing.T) {
	cmds, global, report := readCLIReference(t)
	env := &cli.Env{}
	var asOf string
	for _, g := range []struct {
		what string
		rows map[string]int
		bind func(fs *flag.FlagSet)
	}{
		{"global", global, func(fs *flag.FlagSet) { cli.GlobalFlags(fs, env) }},
		{"report", report, func(fs *flag.FlagSet) { cli.ReportFlags(fs, env, &asOf) }},
	} {
		known := map[string]bool{}
		for _, f := range flagsOf(g.bind) {
			known[f.Name] = true
		}
		for f, line := range g.rows {
			if !known[f] {
				t.Errorf("docs/cli.md:%d: there is no %s flag %s: remove the row or fix its name", line, g.what, flagSpelling(f))
			}
		}
	}
	for name, sec := range cmds {
		c, ok := cli.Commands[name]
		if !ok {
			t.Errorf("docs/cli.md:%d: \"ward %s\" is not a command (ward help lists them): remove or rename the section", sec.line, name)
			continue
		}
		known := map[string]bool{}
		for _, f := range flagsOf(c.Flags) {
			known[f.Name] = true
		}
		for f, line := range sec.flags {
			if !known[f] {
				t.Errorf("docs/cli.md:%d: \"ward %s\" has no flag %s: remove the row or fix its name", line, name, flagSpelling(f))
			}
		}
	}
}
