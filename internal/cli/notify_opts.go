package cli

import (
	"context"

	"ward/internal/date"
	"ward/internal/notify"
)

// notifyOptions are the notifier's options for the organization: the
// base URL and the people's preferences from the database.
func notifyOptions(ctx context.Context, b *Backend, baseURL string, asOf date.Date, controls bool) (notify.Options, error) {
	return notify.Options{BaseURL: baseURL}, nil
}
