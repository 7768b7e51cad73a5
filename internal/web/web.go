package web

import (
	"context"

	"ward/internal/store"
	"ward/internal/web/kit"
	"ward/internal/web/login"
	"ward/internal/web/workforce"

	// The parts register their routes with kit when they load.
	_ "ward/internal/web/api"
	"ward/internal/web/app"
	_ "ward/internal/web/controls"
	_ "ward/internal/web/incidents"
	_ "ward/internal/web/privacyrule"
	_ "ward/internal/web/public"
	_ "ward/internal/web/questionnaires"
	_ "ward/internal/web/records"
	_ "ward/internal/web/risks"
)

// The names the command line uses, kept here so that callers import one
// package and get the whole app.
type (
	// Config tunes a Server (kit.Config).
	Config = kit.Config
	// Server is the web app, an http.Handler (kit.Server).
	Server = kit.Server
	// Route is one entry of the route table (kit.Route).
	Route = kit.Route
	// SSO is a configured OpenID provider (kit.SSO).
	SSO = kit.SSO
	// SSOSettings configure single sign-on (kit.SSOSettings).
	SSOSettings = kit.SSOSettings
	// MyTasks is a workforce member's own tasks (workforce.MyTasks).
	MyTasks = workforce.MyTasks
)

// InviteDays is how long an invitation link works.
const InviteDays = login.InviteDays

// New builds the server from every route of every part.
func New(st *store.Store, cfg Config) *Server { return kit.New(st, cfg) }

// PrepareOverview makes the MSP overview's missing summaries, logging
// its progress (app.PrepareOverview): ward serve runs it in the
// background at start.
func PrepareOverview(s *Server, ctx context.Context) (int, error) { return app.PrepareOverview(s, ctx) }

// NewSSO discovers an OpenID provider (kit.NewSSO).
func NewSSO(ctx context.Context, set SSOSettings) (*SSO, error) { return kit.NewSSO(ctx, set) }

// Routes lists every registered route of the assembled server.
func Routes() []Route { return kit.Routes() }
