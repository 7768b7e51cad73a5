package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"golang.org/x/term"

	"ward/internal/auth"
	"ward/internal/store"
)

func init() {
	var name, role string
	var passwordStdin bool
	Register(&Command{
		Name:    "user add",
		Args:    "EMAIL [--name NAME] [--role admin|editor|viewer|auditor] [--password-stdin]",
		Summary: "create a local account (argon2id) and give it a role in the organization",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&name, "name", "", "display name")
			fs.StringVar(&role, "role", store.RoleViewer, "role in the organization: "+strings.Join(store.Roles, ", "))
			fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input instead of asking")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 || !strings.Contains(args[0], "@") {
				return BadInput("user add needs one e-mail address")
			}
			if !slices.Contains(store.Roles, role) {
				return BadInput("--role %q is not one of %s", role, strings.Join(store.Roles, ", "))
			}
			b, err := env.Backend(ctx)
			if err != nil {
				return err
			}
			password, generated, err := readPassword(env, passwordStdin)
			if err != nil {
				return err
			}
			hash, err := auth.HashPassword(password)
			if err != nil {
				return err
			}
			email := strings.ToLower(args[0])
			u, err := b.Store.CreateUser(ctx, email, name, hash)
			if errors.Is(err, store.ErrConflict) {
				// An existing account gets the role; its password stays.
				u, err = b.Store.UserByEmail(ctx, email)
				generated = ""
			}
			if err != nil {
				return err
			}
			if err := b.Store.SetRole(ctx, Actor(), u.ID, b.Org, role); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s is %s of %s\n", email, role, b.Org.Slug)
			if generated != "" {
				fmt.Fprintf(env.Stdout, "password: %s\n", generated)
			}
			return nil
		},
	})

	var tokenName string
	Register(&Command{
		Name:    "user token",
		Args:    "EMAIL [--name NAME]",
		Summary: "create an API token for scripts (shown once; only its hash is stored)",
		Flags:   func(fs *flag.FlagSet) { fs.StringVar(&tokenName, "name", "cli", "what the token is for") },
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 {
				return BadInput("user token needs one e-mail address")
			}
			s, err := env.Store(ctx)
			if err != nil {
				return err
			}
			u, err := s.UserByEmail(ctx, strings.ToLower(args[0]))
			if errors.Is(err, store.ErrNotFound) {
				return BadInput("no account %s", args[0])
			}
			if err != nil {
				return err
			}
			tok, err := auth.NewToken()
			if err != nil {
				return err
			}
			if err := s.CreateToken(ctx, u.ID, tokenName, auth.TokenHash(tok)); err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, tok)
			return nil
		},
	})
}

// readPassword asks on a terminal (twice), reads one line from stdin with
// --password-stdin, or generates one when stdin is not a terminal.
func readPassword(env *Env, fromStdin bool) (password, generated string, err error) {
	if fromStdin {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", "", BadInput("no password on standard input")
		}
		if err != nil && line == "" {
			return "", "", err
		}
		return line, "", checkPassword(line)
	}
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(env.Stderr, "password: ")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", "", err
		}
		fmt.Fprint(env.Stderr, "again: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", "", err
		}
		if string(p1) != string(p2) {
			return "", "", BadInput("the two passwords differ")
		}
		return string(p1), "", checkPassword(string(p1))
	}
	g, err := auth.NewPassword()
	return g, g, err
}

func checkPassword(p string) error {
	if len(p) < 12 {
		return BadInput("a password needs at least 12 characters")
	}
	return nil
}
