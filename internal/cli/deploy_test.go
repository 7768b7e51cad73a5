package cli_test

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ward/internal/cli"
)

// TestDeployFilesNameRealSettings: every WARD_* variable that
// deploy/Dockerfile and deploy/ward.service set is one ward reads (a
// setting of ward serve, or WARD_DB, WARD_BLOBS, WARD_CONFIG), and the
// command they run is ward serve: renaming a flag must not silently
// break a deployment.
func TestDeployFilesNameRealSettings(t *testing.T) {
	t.Parallel()
	serveCmd := cli.Commands["serve"]
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cli.GlobalFlags(fs, &cli.Env{})
	serveCmd.Flags(fs)
	known := map[string]bool{"WARD_BLOBS": true, "WARD_CONFIG": true}
	fs.VisitAll(func(f *flag.Flag) { known[cli.EnvName(f.Name)] = true })
	setVar := regexp.MustCompile(`(?m)^(?:ENV\s+|\s+|Environment=)(WARD_[A-Z_]+)=`)
	for _, name := range []string{"Dockerfile", "ward.service"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "deploy", name))
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		vars := setVar.FindAllStringSubmatch(text, -1)
		if len(vars) == 0 {
			t.Errorf("deploy/%s sets no WARD_ variable: the test reads it wrong", name)
		}
		for _, m := range vars {
			if !known[m[1]] {
				t.Errorf("deploy/%s sets %s, which ward does not read", name, m[1])
			}
		}
		if !strings.Contains(text, `CMD ["serve"]`) && !strings.Contains(text, "ExecStart=/usr/local/bin/ward serve\n") {
			t.Errorf("deploy/%s does not run ward serve", name)
		}
	}
}
