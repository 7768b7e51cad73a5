package reports

import (
	"context"
	"errors"
	"os"
	"strings"

	"ward/internal/catalog"
	"ward/internal/cli"
	"ward/internal/store"
	"ward/internal/workspace"
)

// crosswalkScope is the SOC 2 scope of `ward crosswalk`: --categories when
// given; else the organization's own (organization.yaml soc2.categories,
// security always in) when --db holds one, so that --reuse answers "how
// much of the SOC 2 we are audited on does our HIPAA program cover"; else
// every category, the catalog-wide view. It also says where the scope came
// from. A missing SQLite file is not created: the crosswalk needs no
// database.
func crosswalkScope(ctx context.Context, env *cli.Env, categories string) (catalog.Scope, string, error) {
	if categories != "" {
		return catalog.Scope{SOC2Categories: strings.Split(categories, ",")}, "--categories", nil
	}
	all := catalog.AllCategories()
	if path, ok := sqlitePath(env.DB); ok {
		if _, err := os.Stat(path); err != nil {
			return all, "every category: no database", nil
		}
	}
	b, err := env.Backend(ctx)
	if err != nil {
		if env.OrgSlug != "" {
			return catalog.Scope{}, "", err
		}
		return all, "every category: no single organization in the database", nil
	}
	var o workspace.Organization
	if err := b.Data.Get(ctx, store.KindOrganization, store.OrganizationKey, &o); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return all, "every category: the organization has no settings", nil
		}
		return catalog.Scope{}, "", err
	}
	return catalog.Scope{SOC2Categories: o.SOC2.Categories}, "organization " + b.Org.Slug, nil
}

// sqlitePath is the file a sqlite --db URL names, as store.Open reads it.
func sqlitePath(url string) (string, bool) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return "", false
	}
	if !strings.HasPrefix(url, "sqlite:") && !(strings.HasSuffix(url, ".db") && !strings.Contains(url, "://")) {
		return "", false
	}
	p := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//")
	return p, p != ""
}
