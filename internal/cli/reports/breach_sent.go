package reports

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"

	"ward/internal/cli"
	"ward/internal/date"
	"ward/internal/incident"
	"ward/internal/store"
	"ward/internal/workspace"
)

func init() {
	var to, state, customer, sent, method, recipient string
	cli.Register(&cli.Command{
		Name:    "breach sent",
		Args:    "INCIDENT --to TO [--state ST] [--customer ID] [--date D] [--method M] [--recipient TEXT]",
		Summary: "record a breach notice as given (incident.notices_sent, audited): its deadline clears",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&to, "to", "", "who was told, as ward breach deadlines names it: "+strings.Join(workspace.NoticeRecipients, ", "))
			fs.StringVar(&state, "state", "", "with --to media: the state or jurisdiction")
			fs.StringVar(&customer, "customer", "", "the customer told, or the covered entity whose notice was given on its behalf (or its own notice)")
			fs.StringVar(&sent, "date", "", "when the notice was given (default: --as-of, or today)")
			fs.StringVar(&method, "method", "", "how: "+strings.Join(workspace.NoticeMethods, ", "))
			fs.StringVar(&recipient, "recipient", "", "to whom: the person, office or outlet told")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			if len(args) != 1 {
				return cli.BadInput("breach sent needs one incident id: ward breach sent inc-2026-001 --to covered-entity --customer ID")
			}
			if to == "" {
				return cli.BadInput("breach sent needs --to (%s); nothing was written", strings.Join(workspace.NoticeRecipients, ", "))
			}
			b, ws, err := env.Loaded(ctx)
			if err != nil {
				return err
			}
			idx := slices.IndexFunc(ws.Incidents, func(in workspace.Incident) bool { return in.ID == args[0] })
			if idx < 0 {
				return cli.BadInput("no incident %q; nothing was written", args[0])
			}
			inc := ws.Incidents[idx]
			when := env.AsOf
			if sent != "" {
				if when, err = date.Parse(sent); err != nil {
					return cli.BadInput("--date %q is not a date written YYYY-MM-DD; nothing was written", sent)
				}
			}
			if customer == "" && len(inc.Customers) == 1 && (to == incident.ToCoveredEntity || to == incident.ToBusinessAssociate) {
				customer = inc.Customers[0]
			}
			ns := workspace.NoticeSent{To: to, State: strings.ToUpper(state), Customer: customer, Sent: when, Method: method, Recipient: recipient, By: cli.Actor()}
			res := incident.Deadlines(ws, inc, env.AsOf)
			n := res.Find(ns.To, ns.State, ns.Customer)
			switch {
			case n == nil:
				var known []string
				for _, x := range append(slices.Clone(res.Notifications), res.CoveredEntityNotices...) {
					who := x.Customer
					if x.OnBehalfOf != "" {
						who = x.OnBehalfOf
					}
					known = append(known, strings.TrimSpace(fmt.Sprintf("--to %s%s%s", x.To, flagIf(" --state ", x.State), flagIf(" --customer ", who))))
				}
				return cli.BadInput("incident %s calls for no such notice (%s); it calls for: %s; nothing was written", inc.ID, strings.TrimSpace(to+" "+ns.State+" "+customer), strings.Join(known, "; "))
			case !n.Sent.IsZero():
				return cli.BadInput("the notice to %s is already recorded as sent on %s; nothing was written", incident.Recipient(*n), n.Sent)
			}
			inc.NoticesSent = append(slices.Clone(inc.NoticesSent), ns)
			next := *ws
			next.Incidents = slices.Clone(ws.Incidents)
			next.Incidents[idx] = inc
			if err := cli.ValidateEdit(env, &next, "incidents", idx, "breach sent", map[string]string{
				fmt.Sprintf("notices_sent[%d].to", len(inc.NoticesSent)-1): "--to", fmt.Sprintf("notices_sent[%d].state", len(inc.NoticesSent)-1): "--state",
				fmt.Sprintf("notices_sent[%d].customer", len(inc.NoticesSent)-1): "--customer", fmt.Sprintf("notices_sent[%d].sent", len(inc.NoticesSent)-1): "--date",
				fmt.Sprintf("notices_sent[%d].method", len(inc.NoticesSent)-1): "--method",
			}); err != nil {
				return err
			}
			if _, err := b.Data.Save(ctx, cli.Actor(), store.Edit{Kind: store.KindIncident, Value: inc, Update: true}); err != nil {
				return err
			}
			if env.Format == "json" {
				return env.JSON(map[string]any{"incident": inc.ID, "notice_sent": ns})
			}
			fmt.Fprintf(env.Stdout, "%s: notice to %s recorded as sent on %s; its deadline no longer counts\n", inc.ID, incident.Recipient(*n), ns.Sent)
			return nil
		},
	})
}

func flagIf(flag, v string) string {
	if v == "" {
		return ""
	}
	return flag + v
}
