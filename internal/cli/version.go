package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is set at build time with -ldflags "-X ward/internal/cli.Version=v1.2.3".
var Version = "dev"

func init() {
	Register(&Command{
		Name:    "version",
		Summary: "print the version, the commit it was built from and the Go toolchain",
		Run: func(ctx context.Context, env *Env, args []string) error {
			rev := ""
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" && len(s.Value) >= 12 {
						rev = " " + s.Value[:12]
					}
				}
			}
			fmt.Fprintf(env.Stdout, "ward %s%s %s\n", Version, rev, runtime.Version())
			return nil
		},
	})
}
