package risks

import (
	"context"
	"flag"
	"fmt"

	"ward/internal/cli"
	"ward/internal/date"
	"ward/internal/penalty"
)

func init() {
	var tier, violations, year int
	var on string
	var criminal bool
	cli.Register(&cli.Command{
		Name:    "penalty",
		Args:    "--tier 1..4 --violations N [--year YYYY | --date DATE] [--criminal]",
		Summary: "civil money penalty range under 45 CFR 160.404 / 102.3, sourced and effective-dated",
		Report:  true,
		Flags: func(fs *flag.FlagSet) {
			fs.IntVar(&tier, "tier", 0, "culpability tier: 1 did not know, 2 reasonable cause, 3 willful neglect corrected, 4 willful neglect not corrected")
			fs.IntVar(&violations, "violations", 1, "number of violations of one provision")
			fs.IntVar(&year, "year", 0, "calendar year of the violations")
			fs.StringVar(&on, "date", "", "date of the violations (YYYY-MM-DD)")
			fs.BoolVar(&criminal, "criminal", false, "also print the criminal penalties of 42 U.S.C. 1320d-6")
		},
		Run: func(ctx context.Context, env *cli.Env, args []string) error {
			var r penalty.Result
			var err error
			switch {
			case tier == 0:
				return cli.BadInput("penalty needs --tier 1..4 (1: did not know; 2: reasonable cause; 3: willful neglect, corrected within 30 days; 4: willful neglect, not corrected)")
			case year != 0 && on != "":
				return cli.BadInput("give --year or --date, not both")
			case year != 0:
				r, err = penalty.ComputeYear(tier, violations, year)
			default:
				d := env.AsOf
				if on != "" {
					if d, err = date.Parse(on); err != nil {
						return cli.BadInput("--date: %v", err)
					}
				}
				r, err = penalty.Compute(tier, violations, d)
			}
			if err != nil {
				return cli.BadInput("%v", err)
			}
			if env.Format == "json" {
				return env.JSON(r)
			}
			if err := penalty.WriteText(env.Stdout, r); err != nil {
				return err
			}
			if criminal {
				fmt.Fprintln(env.Stdout)
				return penalty.WriteCriminal(env.Stdout)
			}
			return nil
		},
	})
}
