package cli_test

import (
	"testing"

	"ward/internal/cli/clitest"

	// Every command, as in cmd/ward: the tests here run the whole program.
	_ "ward/internal/cli/imports"
	_ "ward/internal/cli/privacyrule"
	_ "ward/internal/cli/reports"
	_ "ward/internal/cli/risks"
	_ "ward/internal/cli/workforce"
)

func TestMain(m *testing.M) { clitest.Main(m) }

var (
	ward     = clitest.Ward
	mustWard = clitest.MustWard
	fileHash = clitest.FileHash
	treeHash = clitest.TreeHash
)
