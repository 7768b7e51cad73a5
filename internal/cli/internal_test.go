package cli

// Helpers of the package's internal tests; the external tests (package
// cli_test) reach them through export_test.go.

const demoDir = "../../examples/acme-health"
