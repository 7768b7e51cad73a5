// Package examples embeds the demo workspaces so that `ward demo` works
// from the binary alone, anywhere.
package examples

import "embed"

// AcmeHealth is examples/acme-health: a business associate selling a
// telehealth platform to clinics, built to show ward's findings.
//
//go:embed all:acme-health
var AcmeHealth embed.FS

// StMarysQuestionnaire is files/st-marys-security-questionnaire.csv: a
// clinic's security questionnaire, under review in the demo.
//
//go:embed files/st-marys-security-questionnaire.csv
var StMarysQuestionnaire []byte

// HarborFamilyMedicine is examples/harbor-family-medicine: a covered
// entity (a primary-care practice an MSP runs) that shows the Privacy
// Rule clocks.
//
//go:embed all:harbor-family-medicine
var HarborFamilyMedicine embed.FS
