package web_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ward/internal/auth"
	"ward/internal/benchgen"
	"ward/internal/store"
	"ward/internal/web/kit"
)

// BenchmarkPages serves the pages bench/web measures from issue 21's large
// organization (WARD_BENCH_SCALE=0.1 for a tenth of it), in process, for
// profiles:
//
//	go test ./internal/web -run '^$' -bench Pages -cpuprofile cpu.out -memprofile mem.out
func BenchmarkPages(b *testing.B) {
	ctx := context.Background()
	sz := benchgen.Large
	if v := os.Getenv("WARD_BENCH_SCALE"); v == "0.1" {
		sz = sz.Scale(0.1)
	}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "ward.db"), store.Options{BlobDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ws := benchgen.Org(1, "large", "Large", sz)
	org, err := st.CreateOrg(ctx, "bench", "large", "Large")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.Org(org).Apply(ctx, "bench", ws, store.ApplyOptions{}); err != nil {
		b.Fatal(err)
	}
	u, err := st.CreateUser(ctx, "bench", "b@large.example", "B", "unused")
	if err != nil {
		b.Fatal(err)
	}
	if err := st.SetRole(ctx, "bench", u.ID, org, store.RoleAdmin); err != nil {
		b.Fatal(err)
	}
	srv := kit.New(st, kit.Config{})
	tok, _ := auth.NewToken()
	csrf, _ := auth.NewToken()
	now := time.Now()
	if err := st.CreateSession(ctx, store.Session{TokenHash: auth.TokenHash(tok), UserID: u.ID, CSRF: csrf, Created: now, LastSeen: now}); err != nil {
		b.Fatal(err)
	}
	for _, p := range []string{"", "/plan", "/flows", "/agreements", "/risks", "/controls", "/controls/" + ws.Controls[0].ID, "/evidence", "/incidents"} {
		for _, prefix := range []string{"/orgs/large", "/api/v1/orgs/large"} {
			path := prefix + p
			if prefix != "/orgs/large" && p == "" {
				path += "/overview"
			}
			b.Run(path, func(b *testing.B) {
				for b.Loop() {
					req, _ := http.NewRequest("GET", path, nil)
					req.AddCookie(&http.Cookie{Name: "ward_session", Value: tok})
					w := &discard{h: http.Header{}}
					srv.ServeHTTP(w, req)
					if w.code != 0 && w.code != 200 && w.code != 404 {
						b.Fatalf("%s: %d", path, w.code)
					}
				}
			})
		}
	}
}

type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(c int)           { d.code = c }
