package cli

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	"ward/internal/incident"
)

func init() {
	var draft, customer string
	Register(&Command{
		Name:    "breach deadlines",
		Args:    "INCIDENT [--draft individuals|hhs|covered-entity|business-associate [--customer ID]]",
		Summary: "who must be told of a breach, by when (45 CFR 164.404-164.412), and notice drafts",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&draft, "draft", "", "print a notice draft instead: individuals, hhs, covered-entity, or business-associate (a subcontractor's notice)")
			fs.StringVar(&customer, "customer", "", "with --draft covered-entity or business-associate: the customer id")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) != 1 {
				return BadInput("breach deadlines needs one incident id")
			}
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			inc := ws.Incident(args[0])
			if inc == nil {
				return BadInput("no incident %q", args[0])
			}
			toCustomer := draft == "covered-entity" || draft == "business-associate"
			if customer != "" && !toCustomer {
				return BadInput("--customer goes with --draft covered-entity or business-associate (the notice to one customer)")
			}
			if customer != "" && !slices.Contains(inc.Customers, customer) {
				return BadInput("--customer %q is not a customer incident %s involves (%s)", customer, inc.ID, strings.Join(inc.Customers, ", "))
			}
			if draft != "" {
				det := incident.Determine(ws, *inc)
				var text string
				switch draft {
				case "individuals":
					text = incident.DraftIndividualLetter(ws, *inc, det)
				case "hhs":
					text = incident.DraftHHSSummary(ws, *inc, det)
				case "covered-entity", "business-associate":
					if customer == "" && len(inc.Customers) == 1 {
						customer = inc.Customers[0]
					}
					if customer == "" {
						return BadInput("--draft %s needs --customer (one of %v)", draft, inc.Customers)
					}
					// A subcontractor's notice goes to the business associate
					// it serves; the customer decides which the draft is.
					if want := incident.CustomerRecipient(ws, customer); want != draft {
						return BadInput("--draft %s: customer %s is a %s (its notice is --draft %s)", draft, customer, strings.ReplaceAll(want, "-", " "), want)
					}
					text = incident.DraftCoveredEntityNotice(ws, *inc, det, customer)
				default:
					return BadInput("--draft %q is not one of individuals, hhs, covered-entity, business-associate", draft)
				}
				if env.Format == "json" {
					out := map[string]any{"incident": inc.ID, "draft": draft, "format": "markdown", "text": text}
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
