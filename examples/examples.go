// Package examples embeds the demo workspaces so that `ward demo` works
// from the binary alone, anywhere.
package examples

import "embed"

// AcmeHealth is examples/acme-health: a business associate selling a
// telehealth platform to clinics, built to show ward's findings.
//
//go:embed all:acme-health
var AcmeHealth embed.FS
