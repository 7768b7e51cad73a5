package workforce

import (
	"testing"

	"ward/internal/cli/clitest"

	// The other commands, which the tests run too (as in cmd/ward).
	_ "ward/internal/cli/imports"
	_ "ward/internal/cli/privacyrule"
	_ "ward/internal/cli/reports"
	_ "ward/internal/cli/risks"
)

func TestMain(m *testing.M) { clitest.Main(m) }

var (
	ward     = clitest.Ward
	mustWard = clitest.MustWard
	fileHash = clitest.FileHash
	treeHash = clitest.TreeHash
	demoDir  = clitest.DemoDir
)
