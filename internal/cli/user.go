package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"ward/internal/auth"
	"ward/internal/store"
)

// Token lifetimes: ward user token --days.
const (
	DefaultTokenDays = 90
	MaxTokenDays     = 366
)

func init() {
	var name, role string
	var passwordStdin bool
	Register(&Command{
		Name:    "user add",
		Args:    "EMAIL [--name NAME] [--role admin|editor|auditor|viewer|member] [--password-stdin]",
		Summary: "create a local account (argon2id) and give it a role in the organization; an existing account is left as it is",
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
			email := strings.ToLower(strings.TrimSpace(args[0]))
			if u, err := b.Store.UserByEmail(ctx, email); err == nil {
				// Changing nothing is the point: a second "add" must not
				// reset a password or a role someone relies on.
				state := "enabled"
				if u.Disabled {
					state = "disabled"
				}
				return BadInput("account %s exists already (%s): nothing changed. To give it a role in %s: ward user role %s ROLE; a new password: ward user passwd %s",
					email, state, b.Org.Slug, email, email)
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			password, generated, err := readPassword(env, passwordStdin, email)
			if err != nil {
				return err
			}
			hash, err := auth.HashPassword(password)
			if err != nil {
				return err
			}
			u, err := b.Store.CreateUser(ctx, Actor(), email, name, hash)
			if errors.Is(err, store.ErrConflict) {
				return BadInput("account %s exists already: nothing changed", email)
			}
			if err != nil {
				return BadInput("%v", err)
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

	Register(&Command{
		Name:    "user role",
		Args:    "EMAIL ROLE",
		Summary: "give an existing account a role in the organization (admin, editor, auditor, viewer, member), or change it",
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 2 {
				return BadInput("user role needs an e-mail address and a role (%s)", strings.Join(store.Roles, ", "))
			}
			if !slices.Contains(store.Roles, args[1]) {
				return BadInput("role %q is not one of %s", args[1], strings.Join(store.Roles, ", "))
			}
			b, u, err := accountArg(ctx, env, args[0])
			if err != nil {
				return err
			}
			before, err := b.Store.RoleIn(ctx, u.ID, b.Org.ID)
			if err != nil {
				return err
			}
			if before == args[1] {
				fmt.Fprintf(env.Stdout, "%s is %s of %s already: nothing changed\n", u.Email, before, b.Org.Slug)
				return nil
			}
			if err := lastAdminGuard(ctx, b, u, before, args[1]); err != nil {
				return err
			}
			if err := b.Store.SetRole(ctx, Actor(), u.ID, b.Org, args[1]); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s is %s of %s\n", u.Email, args[1], b.Org.Slug)
			return nil
		},
	})

	Register(&Command{
		Name:    "user remove-membership",
		Args:    "EMAIL",
		Summary: "take away an account's role in the organization (the account and its history stay)",
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 {
				return BadInput("user remove-membership needs one e-mail address")
			}
			b, u, err := accountArg(ctx, env, args[0])
			if err != nil {
				return err
			}
			before, err := b.Store.RoleIn(ctx, u.ID, b.Org.ID)
			if err != nil {
				return err
			}
			if before == "" {
				return BadInput("%s holds no role in %s: nothing changed", u.Email, b.Org.Slug)
			}
			if err := lastAdminGuard(ctx, b, u, before, ""); err != nil {
				return err
			}
			if err := b.Store.SetRole(ctx, Actor(), u.ID, b.Org, ""); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s no longer has a role in %s (was %s)\n", u.Email, b.Org.Slug, before)
			return nil
		},
	})

	for _, step := range []struct {
		name, summary, done string
		f                   func(s *store.Store, ctx context.Context, actor string, id int64) error
	}{
		{"disable", "stop an account at once: its sessions end, its tokens are revoked, it cannot log in", "disabled: its sessions ended and its tokens were revoked",
			(*store.Store).DisableUser},
		{"enable", "let a disabled account log in again (its old sessions and tokens stay ended)", "enabled",
			(*store.Store).EnableUser},
	} {
		Register(&Command{
			Name:    "user " + step.name,
			Args:    "EMAIL",
			Summary: step.summary,
			Run: func(ctx context.Context, env *Env, args []string) error {
				if len(args) != 1 {
					return BadInput("user %s needs one e-mail address", step.name)
				}
				s, u, err := globalAccountArg(ctx, env, args[0])
				if err != nil {
					return err
				}
				err = step.f(s, ctx, Actor(), u.ID)
				if errors.Is(err, store.ErrNoChange) {
					fmt.Fprintf(env.Stdout, "%s is %sd already: nothing changed\n", u.Email, step.name)
					return nil
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "%s %s\n", u.Email, step.done)
				return nil
			},
		})
	}

	Register(&Command{
		Name:    "user reset-mfa",
		Args:    "EMAIL",
		Summary: "turn off an account's authenticator app and recovery codes and remove its passkeys (a lost phone or laptop); it sets up a new second step at its next login where required",
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 {
				return BadInput("user reset-mfa needs one e-mail address")
			}
			s, u, err := globalAccountArg(ctx, env, args[0])
			if err != nil {
				return err
			}
			err = s.DisableTOTP(ctx, Actor(), u.ID, true)
			app := err == nil
			if err != nil && !errors.Is(err, store.ErrNoChange) {
				return err
			}
			keys, err := s.ResetPasskeys(ctx, Actor(), u.ID)
			if err != nil && !errors.Is(err, store.ErrNoChange) {
				return err
			}
			if !app && keys == 0 {
				fmt.Fprintf(env.Stdout, "%s has no authenticator app and no passkey: nothing changed\n", u.Email)
				return nil
			}
			var what []string
			if app {
				what = append(what, "authenticator app and recovery codes turned off")
			}
			if keys > 0 {
				what = append(what, fmt.Sprintf("%d passkey(s) removed", keys))
			}
			fmt.Fprintf(env.Stdout, "%s: %s; the password alone logs in, or leads to setting up a new second step where an organization requires one\n", u.Email, strings.Join(what, ", "))
			return nil
		},
	})

	var passwdStdin bool
	Register(&Command{
		Name:    "user passwd",
		Args:    "EMAIL [--password-stdin]",
		Summary: "set an account's password (asked twice, or generated); every session of the account ends",
		Flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&passwdStdin, "password-stdin", false, "read the password from standard input instead of asking")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 {
				return BadInput("user passwd needs one e-mail address")
			}
			s, u, err := globalAccountArg(ctx, env, args[0])
			if err != nil {
				return err
			}
			password, generated, err := readPassword(env, passwdStdin, u.Email)
			if err != nil {
				return err
			}
			hash, err := auth.HashPassword(password)
			if err != nil {
				return err
			}
			if err := s.ChangePassword(ctx, Actor(), u.ID, hash, ""); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s has a new password; its sessions ended\n", u.Email)
			if generated != "" {
				fmt.Fprintf(env.Stdout, "password: %s\n", generated)
			}
			return nil
		},
	})

	var tokenName string
	var tokenDays int
	Register(&Command{
		Name:    "user token",
		Args:    "EMAIL [--name NAME] [--days N]",
		Summary: "create an API token for scripts (shown once; only its hash is stored), good for --days (default 90)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&tokenName, "name", "cli", "what the token is for")
			fs.IntVar(&tokenDays, "days", DefaultTokenDays, fmt.Sprintf("days the token stays good (1 to %d)", MaxTokenDays))
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 {
				return BadInput("user token needs one e-mail address (or: user token list EMAIL, user token revoke EMAIL ID)")
			}
			if tokenDays < 1 || tokenDays > MaxTokenDays {
				return BadInput("--days %d: a token is good for 1 to %d days", tokenDays, MaxTokenDays)
			}
			s, u, err := globalAccountArg(ctx, env, args[0])
			if err != nil {
				return err
			}
			tok, err := auth.NewToken()
			if err != nil {
				return err
			}
			t, err := s.CreateToken(ctx, Actor(), u.ID, tokenName, auth.TokenHash(tok), time.Now().Add(time.Duration(tokenDays)*24*time.Hour))
			if err != nil {
				return BadInput("%v", err)
			}
			fmt.Fprintln(env.Stdout, tok)
			fmt.Fprintf(env.Stderr, "token %d (%s) for %s, good until %s\n", t.ID, t.Name, u.Email, t.Expires.Format("2006-01-02 15:04 UTC"))
			return nil
		},
	})

	Register(&Command{
		Name:    "user token list",
		Args:    "EMAIL",
		Summary: "an account's API tokens: name, made, expiry, last use, live, expired or revoked",
		Report:  true,
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 {
				return BadInput("user token list needs one e-mail address")
			}
			s, u, err := globalAccountArg(ctx, env, args[0])
			if err != nil {
				return err
			}
			toks, err := s.Tokens(ctx, u.ID)
			if err != nil {
				return err
			}
			now := time.Now()
			if env.Format == "json" {
				type row struct {
					store.Token
					Status string `json:"status"`
				}
				rows := []row{}
				for _, t := range toks {
					rows = append(rows, row{t, t.Status(now)})
				}
				return env.JSON(map[string]any{"account": u.Email, "tokens": rows})
			}
			if len(toks) == 0 {
				fmt.Fprintf(env.Stdout, "%s has no API tokens\n", u.Email)
				return nil
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tSTATUS\tMADE\tEXPIRES\tLAST USED")
			for _, t := range toks {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Status(now), day(t.Created), day(t.Expires), orNever(t.LastUsed))
			}
			return tw.Flush()
		},
	})

	Register(&Command{
		Name:    "user token revoke",
		Args:    "EMAIL ID|all",
		Summary: "revoke an API token at once (its next request answers 401); all: every live token of the account",
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 2 {
				return BadInput("user token revoke needs an e-mail address and a token id from 'ward user token list' (or all)")
			}
			s, u, err := globalAccountArg(ctx, env, args[0])
			if err != nil {
				return err
			}
			var ids []int64
			if args[1] == "all" {
				toks, err := s.Tokens(ctx, u.ID)
				if err != nil {
					return err
				}
				for _, t := range toks {
					if t.Revoked.IsZero() {
						ids = append(ids, t.ID)
					}
				}
			} else {
				id, err := strconv.ParseInt(args[1], 10, 64)
				if err != nil {
					return BadInput("%q is not a token id: see 'ward user token list %s'", args[1], u.Email)
				}
				ids = []int64{id}
			}
			for _, id := range ids {
				err := s.RevokeToken(ctx, Actor(), u.ID, id)
				switch {
				case errors.Is(err, store.ErrNotFound):
					return BadInput("%s has no API token %d: see 'ward user token list %s'", u.Email, id, u.Email)
				case errors.Is(err, store.ErrNoChange):
					fmt.Fprintf(env.Stdout, "token %d of %s was revoked already: nothing changed\n", id, u.Email)
				case err != nil:
					return err
				default:
					fmt.Fprintf(env.Stdout, "token %d of %s revoked\n", id, u.Email)
				}
			}
			if len(ids) == 0 {
				fmt.Fprintf(env.Stdout, "%s has no live API tokens: nothing changed\n", u.Email)
			}
			return nil
		},
	})

	Register(&Command{
		Name:    "user list",
		Summary: "the accounts with a role in the organization: role, enabled or disabled, last login",
		Report:  true,
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 0 {
				return BadInput("user list takes no arguments")
			}
			b, err := env.Backend(ctx)
			if err != nil {
				return err
			}
			ms, err := b.Store.Members(ctx, b.Org)
			if err != nil {
				return err
			}
			if env.Format == "json" {
				if ms == nil {
					ms = []store.Member{}
				}
				return env.JSON(map[string]any{"org": b.Org.Slug, "accounts": ms})
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tSTATUS\tLAST LOGIN")
			for _, m := range ms {
				status := "enabled"
				if m.User.Disabled {
					status = "disabled"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.User.Email, m.User.Name, m.Role, status, orNever(m.LastLogin))
			}
			return tw.Flush()
		},
	})
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func orNever(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// accountArg is the selected organization and the account named by email.
func accountArg(ctx context.Context, env *Env, email string) (*Backend, store.User, error) {
	b, err := env.Backend(ctx)
	if err != nil {
		return nil, store.User{}, err
	}
	u, err := b.Store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.User{}, BadInput("no account %s", strings.ToLower(email))
	}
	return b, u, err
}

// globalAccountArg is the account named by email, for the steps that
// concern the account itself rather than one organization.
func globalAccountArg(ctx context.Context, env *Env, email string) (*store.Store, store.User, error) {
	s, err := env.Store(ctx)
	if err != nil {
		return nil, store.User{}, err
	}
	u, err := s.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.User{}, BadInput("no account %s", strings.ToLower(email))
	}
	return s, u, err
}

// lastAdminGuard refuses to leave an organization without an enabled
// admin: nobody could manage its accounts in the web app then.
func lastAdminGuard(ctx context.Context, b *Backend, u store.User, before, after string) error {
	if before != store.RoleAdmin || after == store.RoleAdmin {
		return nil
	}
	ms, err := b.Store.Members(ctx, b.Org)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.Role == store.RoleAdmin && m.User.ID != u.ID && !m.User.Disabled {
			return nil
		}
	}
	return BadInput("%s is the last admin of %s: give another account the admin role first (ward user role EMAIL admin)", u.Email, b.Org.Slug)
}

// readPassword asks on a terminal (twice), reads one line from stdin with
// --password-stdin, or generates one when stdin is not a terminal. A
// password a person chose must pass the policy (auth.CheckPolicy).
func readPassword(env *Env, fromStdin bool, email string) (password, generated string, err error) {
	if fromStdin {
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", "", BadInput("no password on standard input")
		}
		if err != nil && line == "" {
			return "", "", err
		}
		return line, "", checkPassword(line, email)
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
		return string(p1), "", checkPassword(string(p1), email)
	}
	g, err := auth.NewPassword()
	return g, g, err
}

func checkPassword(p, email string) error {
	if err := auth.CheckPolicy(p, email); err != nil {
		return BadInput("%v", err)
	}
	return nil
}
