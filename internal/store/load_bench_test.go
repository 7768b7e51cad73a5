package store_test

import (
	"context"
	"fmt"
	"testing"

	"ward/internal/date"
	"ward/internal/store"
	"ward/internal/store/storetest"
	"ward/internal/workspace"
)

// BenchmarkWorkspaceLoad loads one organization of 120 controls with two
// years of monthly evidence (2,880 items) from SQLite: the per-organization
// cost of an MSP overview before any evaluation.
func BenchmarkWorkspaceLoad(b *testing.B) {
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+b.TempDir()+"/ward.db", store.Options{BlobDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	org, err := s.CreateOrg(ctx, "bench", "acme", "Acme")
	if err != nil {
		b.Fatal(err)
	}
	ws := storetest.Acme()
	ws.Controls, ws.Evidence = nil, nil
	start := date.MustParse("2025-01-01")
	for c := range 120 {
		id := fmt.Sprintf("control-%03d", c)
		ws.Controls = append(ws.Controls, workspace.Control{ID: id, Status: "implemented", Frequency: "monthly"})
		for m := range 24 {
			d := start.AddMonths(m)
			ws.Evidence = append(ws.Evidence, workspace.Evidence{Control: id, Collected: d, PeriodStart: d, PeriodEnd: d.AddMonths(1).AddDays(-1), Note: "monthly review " + id})
		}
	}
	o := s.Org(org)
	if _, err := o.Apply(ctx, "bench", ws, store.ApplyOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		got, err := o.Workspace(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(got.Evidence) != 120*24 {
			b.Fatalf("%d evidence items", len(got.Evidence))
		}
	}
}
