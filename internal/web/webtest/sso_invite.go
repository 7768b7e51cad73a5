package webtest

import (
	"context"
	"time"

	"ward/internal/auth"
	"ward/internal/store"
)

// InvitePath makes an invitation into org and returns its link's path.
func (e *TestEnv) InvitePath(org store.Org, email, role string) string {
	e.T.Helper()
	tok, err := auth.NewToken()
	if err != nil {
		e.T.Fatal(err)
	}
	if _, err := e.Store.Org(org).CreateInvitation(context.Background(), e.Users[store.RoleAdmin].Email, email, role, auth.TokenHash(tok), time.Now().Add(time.Hour)); err != nil {
		e.T.Fatal(err)
	}
	return "/invite/" + tok
}
