package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"ward/internal/auth"
	"ward/internal/bounds"
	"ward/internal/store"
	"ward/internal/web"
)

func init() {
	var role, baseURL string
	Register(&Command{
		Name:    "user invite",
		Args:    "EMAIL [--role admin|editor|auditor|viewer|member] [--base-url URL]",
		Summary: "invite someone to the organization with a role: prints a link that works once, for 7 days, where they choose their password (or, with an account already, log in and join)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&role, "role", store.RoleViewer, "role in the organization: "+strings.Join(store.Roles, ", "))
			fs.StringVar(&baseURL, "base-url", os.Getenv("WARD_BASE_URL"), "the web app's address, for the link ($WARD_BASE_URL)")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 {
				return BadInput("user invite needs one e-mail address")
			}
			email := strings.ToLower(strings.TrimSpace(args[0]))
			if err := bounds.Email(email); err != nil {
				return BadInput("user invite: %s: %v", args[0], err)
			}
			if !slices.Contains(store.Roles, role) {
				return BadInput("--role %q is not one of %s", role, strings.Join(store.Roles, ", "))
			}
			b, err := env.Backend(ctx)
			if err != nil {
				return err
			}
			if u, err := b.Store.UserByEmail(ctx, email); err == nil {
				if r, err := b.Store.RoleIn(ctx, u.ID, b.Org.ID); err != nil {
					return err
				} else if r != "" {
					return BadInput("%s is %s of %s already: nothing changed (ward user role %s ROLE changes it)", email, r, b.Org.Slug, email)
				}
			}
			now := time.Now()
			pending, err := b.Data.Invitations(ctx, now, false)
			if err != nil {
				return err
			}
			for _, i := range pending {
				if i.Email == email {
					return BadInput("%s has a pending invitation to %s (as %s, until %s): nothing changed; withdraw it in the web app to send another", email, b.Org.Slug, i.Role, i.Expires.Format(time.DateOnly))
				}
			}
			tok, err := auth.NewToken()
			if err != nil {
				return err
			}
			inv, err := b.Data.CreateInvitation(ctx, Actor(), email, role, auth.TokenHash(tok), now.Add(web.InviteDays*24*time.Hour))
			if err != nil {
				return err
			}
			link := strings.TrimRight(baseURL, "/") + "/invite/" + tok
			fmt.Fprintf(env.Stdout, "%s is invited to %s as %s until %s UTC; send them this link (shown once, it works once):\n%s\n",
				email, b.Org.Slug, role, inv.Expires.Format("2006-01-02 15:04"), link)
			if baseURL == "" {
				fmt.Fprintln(env.Stdout, "(the link is relative: put the web app's address in front, or give --base-url)")
			}
			return nil
		},
	})
}
