package cli

import (
	"context"
	"flag"

	"ward/internal/catalog"
	"ward/internal/posture"
)

func init() {
	var framework string
	Register(&Command{
		Name:    "posture",
		Args:    "[--framework hipaa|soc2|csf]",
		Summary: "readiness per framework from one set of controls and evidence; SOC 2 Type II exceptions",
		Report:  true,
		Flags:   func(fs *flag.FlagSet) { fs.StringVar(&framework, "framework", "hipaa", "hipaa, soc2 or csf") },
		Run: func(ctx context.Context, env *Env, args []string) error {
			ws, err := env.Workspace(ctx)
			if err != nil {
				return err
			}
			p, err := posture.Evaluate(ws, catalog.Default(), framework, env.AsOf)
			if err != nil {
				return BadInput("%v", err)
			}
			if env.Format == "json" {
				return env.JSON(p)
			}
			return posture.WriteText(env.Stdout, p)
		},
	})
}
