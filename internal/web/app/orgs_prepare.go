package app

import (
	"context"
	"time"

	"ward/internal/audit"
	"ward/internal/store"
	"ward/internal/web/kit"
)

// PrepareOverview makes and stores the overview's summary of every
// organization that has none at its current audit head (the first start
// after an upgrade that added them, or organizations changed by ward
// apply while no server ran), one at a time, logging its progress, so
// that the first person to open /orgs does not wait for them. Meanwhile
// the overview shows the organizations that are ready and says how many
// are still being summarised (mspCache.Preparing), and is not kept.
// ward serve runs it in the background at start.
//
// Then it reads the current summaries into memory, as many as the bound
// holds (mspCache.Limit), so that the first request of a date no
// server has evaluated pays only for evaluating them, not for reading
// and decoding them as well (about half of its cost for 300 practices).
func PrepareOverview(s *kit.Server, ctx context.Context) (made int, err error) {
	orgs, err := s.Store.Orgs(ctx)
	if err != nil {
		return 0, err
	}
	ids := make([]int64, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	heads, err := s.Store.AuditHeads(ctx, ids)
	if err != nil {
		return 0, err
	}
	current, err := s.Store.CurrentSummaries(ctx, ids)
	if err != nil {
		return 0, err
	}
	var todo []store.Org
	for _, o := range orgs {
		if _, chained := heads[o.ID]; chained && !current[o.ID] {
			todo = append(todo, o)
		}
	}
	defer func() {
		if err == nil {
			err = warmSummaries(s, ctx, orgs, heads)
		}
	}()
	if len(todo) == 0 {
		return 0, nil
	}
	s.Msp.Preparing.Store(true)
	defer s.Msp.Preparing.Store(false)
	s.Log.InfoContext(ctx, "summarising organizations for the overview", "missing", len(todo), "organizations", len(orgs))
	start, last := time.Now(), time.Now()
	for i, o := range todo {
		if err := ctx.Err(); err != nil {
			return made, err
		}
		if _, err := buildSummary(s, ctx, o, heads[o.ID], true); err != nil {
			return made, err
		}
		made++
		if time.Since(last) >= 10*time.Second {
			last = time.Now()
			s.Log.InfoContext(ctx, "summarising organizations for the overview", "done", i+1, "missing", len(todo), "elapsed", time.Since(start).Round(time.Second).String())
		}
	}
	s.Log.InfoContext(ctx, "organizations summarised for the overview", "made", made, "elapsed", time.Since(start).Round(time.Millisecond).String())
	return made, nil
}

// warmBatch organizations' summaries are read in one query.
const warmBatch = 50

// warmSummaries reads the current summaries of orgs into memory, a batch
// at a time, until the memory bound is three-quarters full: reading more
// would only drop the first ones again.
func warmSummaries(s *kit.Server, ctx context.Context, orgs []store.Org, heads map[int64]audit.Head) error {
	limit := s.Msp.Limit()
	var chained []store.Org
	for _, o := range orgs {
		if _, ok := heads[o.ID]; ok {
			chained = append(chained, o)
		}
	}
	for len(chained) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, held := s.Msp.Held(); held >= limit*3/4 {
			return nil
		}
		batch := chained[:min(warmBatch, len(chained))]
		chained = chained[len(batch):]
		if _, err := loadSummaries(s, ctx, batch, heads); err != nil {
			return err
		}
	}
	return nil
}
