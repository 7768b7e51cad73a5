package reports

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"ward/internal/cli"
	"ward/internal/incident"
	"ward/internal/letter"
)

// draftFile is a draft's letter as a file of the kind ext names: the
// letter alone (the drafting notes are not part of the notice), except
// in Markdown, which keeps them as a quoted block.
func draftFile(dr incident.Draft, ext, id string) ([]byte, error) {
	l := letter.Parse(dr.Letter)
	var b bytes.Buffer
	switch ext {
	case ".docx":
		if err := l.DOCX(&b); err != nil {
			return nil, err
		}
	case ".pdf":
		if err := l.PDF(&b, id+": "+dr.Title); err != nil {
			return nil, err
		}
	case ".txt":
		b.WriteString(l.Text())
	default:
		b.WriteString(dr.Markdown())
	}
	return b.Bytes(), nil
}

func init() {
	var draft, customer, out string
	cli.Register(&cli.Command{
		Name:    "breach deadlines",
		Args:    "INCIDENT [--draft individuals|hhs|covered-entity|business-associate [--customer ID] [-o FILE.docx|.pdf|.txt|.md]]",
		Summary: "who must be told of a breach, by when (45 CFR 164.404-164.412), and notice drafts",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&draft, "draft", "", "print a notice draft instead: individuals, hhs, covered-entity, or business-associate (a subcontractor's notice)")
			fs.StringVar(&customer, "customer", "", "with --draft covered-entity or business-associate: the customer id")
			fs.StringVar(&out, "o", "", "with --draft: write the letter to FILE instead, by its extension: .docx (Word), .pdf, .txt (plain text), .md (Markdown with the drafting notes)")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("breach deadlines needs one incident id")
			}
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			inc := ws.Incident(args[0])
			if inc == nil {
				return cli.BadInput("no incident %q", args[0])
			}
			toCustomer := draft == "covered-entity" || draft == "business-associate"
			if customer != "" && !toCustomer {
				return cli.BadInput("--customer goes with --draft covered-entity or business-associate (the notice to one customer)")
			}
			if customer != "" && !slices.Contains(inc.Customers, customer) {
				return cli.BadInput("--customer %q is not a customer incident %s involves (%s)", customer, inc.ID, strings.Join(inc.Customers, ", "))
			}
			if out != "" && draft == "" {
				return cli.BadInput("-o goes with --draft (the letter to write)")
			}
			ext := strings.ToLower(filepath.Ext(out))
			if out != "" && !slices.Contains([]string{".docx", ".pdf", ".txt", ".md"}, ext) {
				return cli.BadInput("-o %s: the extension says what to write: .docx, .pdf, .txt or .md", out)
			}
			if draft != "" {
				det := incident.Determine(ws, *inc)
				var dr incident.Draft
				switch draft {
				case "individuals":
					dr = incident.IndividualLetter(ws, *inc, det)
				case "hhs":
					dr = incident.HHSSummary(ws, *inc, det, "")
				case "covered-entity", "business-associate":
					if customer == "" && len(inc.Customers) == 1 {
						customer = inc.Customers[0]
					}
					if customer == "" {
						return cli.BadInput("--draft %s needs --customer (one of %v)", draft, inc.Customers)
					}
					// A subcontractor's notice goes to the business associate
					// it serves; the customer decides which the draft is.
					if want := incident.CustomerRecipient(ws, customer); want != draft {
						return cli.BadInput("--draft %s: customer %s is a %s (its notice is --draft %s)", draft, customer, strings.ReplaceAll(want, "-", " "), want)
					}
					dr = incident.CustomerNotice(ws, *inc, det, customer)
				default:
					return cli.BadInput("--draft %q is not one of individuals, hhs, covered-entity, business-associate", draft)
				}
				text := dr.Markdown()
				if out != "" {
					data, err := draftFile(dr, ext, inc.ID)
					if err != nil {
						return err
					}
					if err := cli.WriteFileAtomic(out, data); err != nil {
						return err
					}
					fmt.Fprintf(env.Stderr, "wrote %s (%s)\n", out, dr.Title)
					return nil
				}
				if env.Format == "json" {
					out := map[string]any{"incident": inc.ID, "draft": draft, "format": "markdown", "text": text,
						"title": dr.Title, "notes": dr.AllNotes(), "letter": dr.Letter}
					if toCustomer {
						out["customer"] = customer
					}
					return env.JSON(out)
				}
				fmt.Fprint(env.Stdout, text)
				return nil
			}
			r := incident.Deadlines(ws, *inc, env.AsOf)
			if env.Format == "json" {
				return env.JSON(r)
			}
			return incident.WriteText(env.Stdout, r)
		},
	})
}
