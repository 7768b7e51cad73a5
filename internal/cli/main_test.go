package cli

import (
	"fmt"
	"os"
	"testing"
)

// TestMain gives the package's tests a blob folder of their own. A test on
// PostgreSQL that sets no WARD_BLOBS would otherwise store evidence files
// in ./ward-blobs, the default beside the working directory, which is this
// source folder.
func TestMain(m *testing.M) {
	if os.Getenv("WARD_BLOBS") == "" {
		dir, err := os.MkdirTemp("", "ward-cli-blobs-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Setenv("WARD_BLOBS", dir)
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}
