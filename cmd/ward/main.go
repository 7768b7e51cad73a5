// Command ward runs a healthtech company's HIPAA and SOC 2 program. It only
// wires the command line; everything else lives under internal/.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"ward/internal/cli"

	// The command groups register their commands with cli when they load.
	_ "ward/internal/cli/imports"
	_ "ward/internal/cli/privacyrule"
	_ "ward/internal/cli/reports"
	_ "ward/internal/cli/risks"
	_ "ward/internal/cli/workforce"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
