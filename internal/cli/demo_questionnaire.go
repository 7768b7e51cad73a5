package cli

import (
	"bytes"
	"context"

	"ward/examples"
	"ward/internal/catalog"
	"ward/internal/date"
	"ward/internal/secq"
	"ward/internal/secq/sheet"
)

// SheetItems are a customer questionnaire's questions, as the answerer
// takes them.
func SheetItems(b *sheet.Book) []secq.Item {
	out := make([]secq.Item, len(b.Rows))
	for i, r := range b.Rows {
		out[i] = secq.Item{Row: r.Row, Ref: r.Ref, Question: r.Question}
	}
	return out
}

// SeedDemoQuestionnaire puts St. Mary's security questionnaire under
// review in the demo, as Maria would have: uploaded, one answer accepted
// and one corrected (the match was a product question; she approved the
// workforce MFA answer with her own text).
func SeedDemoQuestionnaire(ctx context.Context, b *Backend, asOf date.Date) error {
	const by, name = "maria@acme-health.example", "st-marys-security-questionnaire.csv"
	data := examples.StMarysQuestionnaire
	spec := sheet.Spec{Answer: "Supplier Answer", Comment: "Supplier Comments"}
	book, err := sheet.Read(name, data, spec)
	if err != nil {
		return err
	}
	sha, size, err := b.Store.Blobs().Put(bytes.NewReader(data))
	if err != nil {
		return err
	}
	rev := secq.Review{ID: secq.ReviewID(sha), Name: name, SHA256: sha, Size: size, Answer: spec.Answer, Comment: spec.Comment,
		Customer: "St. Mary's Clinic", Uploaded: asOf, UploadedBy: by}
	if _, err := b.Data.AddAnswerSheet(ctx, by, rev); err != nil {
		return err
	}
	ws, err := b.Workspace(ctx)
	if err != nil {
		return err
	}
	an := secq.NewAnswerer(secq.Default(), ws, catalog.Default(), asOf, nil, secq.Options{Policies: secq.WorkspacePolicies(ws, asOf)})
	rows := secq.AnswerRows(an.Index(), an, SheetItems(book), secq.DefaultThreshold)
	decide := func(r secq.Row, action, target string, v secq.Verdict, text string) error {
		ap := an.Approve(nil, target, "", v, text, nil, r.Question, by)
		rev.Decide(secq.Decision{Row: r.Row, Action: action, Target: target, By: by, On: asOf})
		_, err := b.Data.Decide(ctx, by, rev, &ap)
		return err
	}
	accepted, edited := false, false
	for _, r := range rows {
		switch {
		case !accepted && r.Match != nil && r.Verdict == secq.Yes && !r.Review:
			if err := decide(r, secq.Accept, *r.Match, r.Verdict, r.Answer); err != nil {
				return err
			}
			accepted = true
		case !edited && r.Ref == "SM-1":
			if err := decide(r, secq.Edit, "acc-mfa-workforce", secq.Yes,
				"Yes. Every workforce login to systems with PHI goes through Okta with push or hardware-key MFA; SMS codes are not allowed."); err != nil {
				return err
			}
			edited = true
		}
	}
	return nil
}
