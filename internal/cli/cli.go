// Package cli is ward's command line: its core (Command, Register, Main,
// Env and what commands need from it, exit codes, config, output,
// progress) and the commands that are the program's frame (apply, check,
// init, demo, serve, backup and restore, audit, notify, user, invite,
// version). The other commands live in sub-packages named as `ward help`
// groups them (imports, risks, workforce, privacyrule, reports). Every
// command is one file that adds itself to the registry with Register in
// an init function, so a new command touches no shared switch; cmd/ward
// imports each sub-package for that and calls Main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/workspace"
)

// Exit codes (DESIGN.md): 0 ok, 1 findings or a failed verification,
// 2 bad input or usage.
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitBadInput = 2
)

// Command is one `ward` command. Name may hold a space for a subcommand
// ("audit verify"); the longest registered prefix of the arguments wins.
type Command struct {
	Name    string
	Args    string // usage after the name, e.g. "-f PATH"
	Summary string
	// Report commands get --format text|json and --as-of DATE.
	Report bool
	// Creates marks the commands that may make a new SQLite file at the
	// --db path (apply, init, demo, serve, restore). Every other command
	// reads or changes an organization that must exist already: given a
	// path with no file it says so (exit 2) rather than leave an empty
	// database behind a mistyped path (Env.openStore).
	Creates bool
	// Flags adds the command's own flags; the values it binds are read in Run.
	Flags func(fs *flag.FlagSet)
	Run   func(ctx context.Context, env *Env, args []string) error
}

var commands = map[string]*Command{}

// Register adds a command. Registering a name twice is a programming error.
func Register(c *Command) {
	if _, dup := commands[c.Name]; dup {
		panic("cli: command registered twice: " + c.Name)
	}
	commands[c.Name] = c
}

// Env is what a command runs with: the global flags, the streams and the
// way to the data.
type Env struct {
	Stdout, Stderr io.Writer
	Stdin          io.Reader
	DB             string // --db / WARD_DB
	OrgSlug        string // --org
	Format         string // text | json (report commands)
	AsOf           date.Date
	// AsOfSet tells whether --as-of was given, for commands whose default
	// is not today.
	AsOfSet bool

	// creates is the running command's Command.Creates.
	creates bool
	store   *store.Store
	backend *Backend
	// given are the flags named on the command line, before or after the
	// command's name: they win over the environment and a config file
	// (config.go).
	given map[string]bool
}

// ExitError carries an exit code and, when Msg is not empty, one sentence
// for stderr.
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string { return e.Msg }

// BadInput is an error that exits 2.
func BadInput(format string, a ...any) error {
	return &ExitError{Code: ExitBadInput, Msg: fmt.Sprintf(format, a...)}
}

// Findings exits 1 with no further message: the command printed them.
var Findings = &ExitError{Code: ExitFindings}

// Main runs ward with args (without the program name) and returns the
// exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &Env{Stdout: stdout, Stderr: stderr, Stdin: stdin, Format: "text"}
	defer env.Close()
	err := run(ctx, env, args)
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Msg != "" {
			fmt.Fprintln(stderr, "ward: "+ee.Msg)
		}
		return ee.Code
	}
	fmt.Fprintln(stderr, "ward: "+err.Error())
	return ExitFindings
}

func run(ctx context.Context, env *Env, args []string) error {
	global := flag.NewFlagSet("ward", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	env.DB, env.OrgSlug = envOr("WARD_DB", "sqlite:ward.db"), os.Getenv("WARD_ORG")
	globalFlags(global, env)
	if err := global.Parse(args); err != nil {
		return BadInput("%v (see 'ward help')", err)
	}
	rest := global.Args()
	if len(rest) == 0 || rest[0] == "help" || rest[0] == "-h" || rest[0] == "--help" {
		// `ward help import csv` is `ward import csv -h`.
		if len(rest) > 1 && rest[0] == "help" {
			if cmd, n := lookup(rest[1:]); cmd != nil && n == len(rest)-1 {
				return run(ctx, env, append(slices.Clone(rest[1:]), "-h"))
			}
		}
		usage(env.Stdout)
		return nil
	}
	cmd, n := lookup(rest)
	if cmd == nil {
		return BadInput("unknown command %q (see 'ward help')", strings.Join(rest[:min(len(rest), 2)], " "))
	}
	fs := flag.NewFlagSet("ward "+cmd.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	// The global flags are accepted after the command too.
	globalFlags(fs, env)
	var asOf string
	if cmd.Report {
		reportFlags(fs, env, &asOf)
	}
	if cmd.Flags != nil {
		cmd.Flags(fs)
	}
	if err := parseInterleaved(fs, rest[n:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			commandUsage(env.Stdout, cmd, fs)
			return nil
		}
		return BadInput("%s: %v (see 'ward %s -h')", cmd.Name, err, cmd.Name)
	}
	if cmd.Report && env.Format != "text" && env.Format != "json" {
		return BadInput("--format %q is not one of text, json", env.Format)
	}
	env.given = map[string]bool{}
	global.Visit(func(f *flag.Flag) { env.given[f.Name] = true })
	fs.Visit(func(f *flag.Flag) { env.given[f.Name] = true })
	env.creates = cmd.Creates
	env.AsOf = date.Today()
	if asOf != "" {
		d, err := date.ParseAsOf(asOf)
		if err != nil {
			return BadInput("--as-of: %v", err)
		}
		env.AsOf, env.AsOfSet = d, true
	}
	return cmd.Run(ctx, env, fs.Args())
}

// globalFlags are the flags every command takes, before or after its
// name; their defaults are what env holds ($WARD_DB, $WARD_ORG).
func globalFlags(fs *flag.FlagSet, env *Env) {
	fs.StringVar(&env.DB, "db", env.DB, "database: sqlite:PATH or postgres://...")
	fs.StringVar(&env.OrgSlug, "org", env.OrgSlug, "organization slug, when the database holds several")
}

// reportFlags are the flags of every report command (Command.Report).
func reportFlags(fs *flag.FlagSet, env *Env, asOf *string) {
	fs.StringVar(&env.Format, "format", "text", "text or json")
	fs.StringVar(asOf, "as-of", "", "evaluate as of this date (YYYY-MM-DD; default today)")
}

// parseInterleaved lets flags follow positional arguments
// (`ward breach deadlines inc-1 --format json`), as people type them.
func parseInterleaved(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

func lookup(args []string) (*Command, int) {
	for n := min(len(args), 3); n > 0; n-- {
		if c, ok := commands[strings.Join(args[:n], " ")]; ok {
			return c, n
		}
	}
	return nil, 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ward: a HIPAA and SOC 2 compliance program in one binary")
	fmt.Fprintln(w, "\nusage: ward [--db URL] [--org SLUG] COMMAND [flags]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := commands[n]
		fmt.Fprintf(w, "  %-34s %s\n", strings.TrimSpace(c.Name+" "+c.Args), c.Summary)
	}
	fmt.Fprintln(w, "\n--db defaults to $WARD_DB or sqlite:ward.db; report commands take --format text|json and --as-of DATE.")
}

func commandUsage(w io.Writer, c *Command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: ward %s %s\n\n%s\n\nflags:\n", c.Name, c.Args, c.Summary)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// CommandNames lists the registered commands (for tests and help).
func CommandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Workspace loads the selected organization's workspace from the
// database: the input of every report command.
func (e *Env) Workspace(ctx context.Context) (*workspace.Workspace, error) {
	b, err := e.Backend(ctx)
	if err != nil {
		return nil, err
	}
	return b.Workspace(ctx)
}

// Loaded is the backend and its organization's workspace, for commands
// that read the workspace and then write through the store.
func (e *Env) Loaded(ctx context.Context) (*Backend, *workspace.Workspace, error) {
	b, err := e.Backend(ctx)
	if err != nil {
		return nil, nil, err
	}
	ws, err := b.Workspace(ctx)
	if err != nil {
		return nil, nil, err
	}
	return b, ws, nil
}

// JSON writes v as indented JSON to stdout: the stable output of
// --format json.
func (e *Env) JSON(v any) error { return writeJSON(e.Stdout, v) }
