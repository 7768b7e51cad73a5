package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

// ErrMigrationsPending is wrapped by Ready's error when the database
// lacks migrations this binary carries.
var ErrMigrationsPending = errors.New("migrations not applied")

// Ready reports whether the database answers and every migration this
// binary carries has been applied: the check behind /readyz. It is one
// small query, cheap enough for a load balancer to ask every few seconds.
// A server started against a database another, newer binary migrated is
// ready too (it lacks nothing it knows of).
func (s *Store) Ready(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("database does not answer: %w", err)
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return fmt.Errorf("database does not answer: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("database does not answer: %w", err)
	}
	var missing []string
	names, err := fs.Glob(s.eng.Migrations(), "*.sql")
	if err != nil {
		return err
	}
	for _, name := range names {
		num, _, _ := strings.Cut(name, "_")
		if n, err := strconv.Atoi(num); err == nil && !applied[n] {
			missing = append(missing, strings.TrimSuffix(name, ".sql"))
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("%w: %s", ErrMigrationsPending, strings.Join(missing, ", "))
	}
	return nil
}
