package cli

import (
	"context"
	"flag"

	"ward/internal/date"
	"ward/internal/plan"
)

func init() {
	var start string
	Register(&Command{
		Name:    "plan",
		Args:    "[--start DATE]",
		Summary: "which frameworks apply, in what order, and the dated roadmap with its gates",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&start, "start", "", "program start (default organization.program_start)")
		},
		Run: func(ctx context.Context, env *Env, args []string) error {
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			var s date.Date
			if start != "" {
				if s, err = date.Parse(start); err != nil {
					return BadInput("--start: %v", err)
				}
			}
			p := plan.Build(ws, s, env.AsOf, plan.Checked(Check(ws, env.AsOf)))
			if env.Format == "json" {
				return env.JSON(p)
			}
			return plan.WriteText(env.Stdout, p)
		},
	})
}
