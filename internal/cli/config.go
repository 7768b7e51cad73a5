package cli

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Settings of a long-running command (ward serve) come from three places,
// the first that names a setting winning:
//
//  1. a flag on the command line (--addr 0.0.0.0:8080);
//  2. an environment variable: WARD_ and the flag's name in capitals,
//     dashes as underscores (WARD_ADDR, WARD_IDLE_TIMEOUT, WARD_DB);
//  3. the config file (--config FILE, or $WARD_CONFIG): one setting a
//     line, the flag's name, "=", the value (addr = 0.0.0.0:8080), "#"
//     starting a comment line, blank lines ignored, a value optionally in
//     double quotes. An unknown name, a line without "=", a name given
//     twice or a value the flag refuses is bad input naming the file and
//     the line.
//
// Secrets stay out of the file and the environment where a flag takes a
// file instead (--smtp-password-file).

// envName is the environment variable of flag name.
func envName(name string) string {
	return "WARD_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// configLine is one setting read from a config file.
type configLine struct {
	line  int
	value string
}

// parseConfig reads a config file's text; file names it in errors.
func parseConfig(file, text string) (map[string]configLine, error) {
	out := map[string]configLine{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 64<<10)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, BadInput("%s:%d: %q is not name = value", file, n, Clip(line, 60))
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "" {
			return nil, BadInput("%s:%d: a value without a name", file, n)
		}
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		if prev, dup := out[k]; dup {
			return nil, BadInput("%s:%d: %s is already set on line %d", file, n, k, prev.line)
		}
		out[k] = configLine{n, v}
	}
	if err := sc.Err(); err != nil {
		return nil, BadInput("%s:%d: %v", file, n+1, err)
	}
	return out, nil
}

// applySettings fills, on fs, every flag the command line did not give
// (given), from its environment variable, else from the config file
// configFile ("" for none). --config itself is the command line's or
// $WARD_CONFIG's only.
func applySettings(fs *flag.FlagSet, given map[string]bool, configFile string) error {
	var file map[string]configLine
	if configFile != "" {
		b, err := os.ReadFile(configFile)
		if err != nil {
			return BadInput("--config: %v", err)
		}
		if file, err = parseConfig(configFile, string(b)); err != nil {
			return err
		}
		var unknown []string
		for k, l := range file {
			if f := fs.Lookup(k); f == nil || k == "config" {
				unknown = append(unknown, fmt.Sprintf("%s:%d: unknown setting %q (the settings are the flags of 'ward serve -h', without the dashes)", configFile, l.line, k))
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return BadInput("%s", unknown[0])
		}
	}
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Name] || f.Name == "config" {
			return
		}
		if v, ok := os.LookupEnv(envName(f.Name)); ok && v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = BadInput("$%s: %v", envName(f.Name), e)
			}
			return
		}
		if l, ok := file[f.Name]; ok {
			if e := fs.Set(f.Name, l.value); e != nil {
				err = BadInput("%s:%d: %s: %v", configFile, l.line, f.Name, unwrapFlagErr(e))
			}
		}
	})
	return err
}

func unwrapFlagErr(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}
