// Command prowler benchmarks `ward import prowler` against the decode
// floor: it writes a synthetic Prowler OCSF file of each size asked for,
// times a plain encoding/json streaming decode of it into a struct holding
// only the fields ward reads (the floor), then times the real import into
// a fresh SQLite database holding the demo organization, and prints both
// throughputs, their ratio and the import's peak RSS.
//
//	go run ./bench/prowler -size 128MiB,1GiB
//	go run ./bench/prowler -size 128MiB -cpuprofile import.pprof
//
// With -cpuprofile the import runs in a child that is this program
// calling cli.Main, as cmd/ward does, with the CPU profiler on (ward
// itself has no profiling switch); go tool pprof reads the file.
//
// Targets (issue 21): the import at ≥ 1.0× the floor, peak RSS ≤ 64 MiB
// whatever the size. It is a program, not a timed test: run it by hand.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"ward/internal/cli"
	_ "ward/internal/cli/imports" // ward import prowler
	"ward/internal/importer/prowler"
)

// childEnv, when set, makes this program the ward child of a profiled
// run: it profiles into the named file and runs cli.Main on its
// arguments.
const childEnv = "WARD_BENCH_PROWLER_PROFILE"

func main() {
	if out := os.Getenv(childEnv); out != "" {
		os.Exit(profiledWard(out))
	}
	sizeFlag := flag.String("size", "1GiB", "size of the synthetic file, or several separated by commas (e.g. 128MiB,1GiB)")
	dir := flag.String("dir", "", "work folder (default: a temporary folder, removed after)")
	ward := flag.String("ward", "", "ward binary (default: go build ./cmd/ward)")
	keep := flag.Bool("keep", false, "keep the work folder")
	profile := flag.String("cpuprofile", "", "write the import's CPU profile to this file (several sizes: FILE.SIZE); the import then runs as this program calling cli.Main")
	flag.Parse()
	var sizes []int64
	for part := range strings.SplitSeq(*sizeFlag, ",") {
		size, err := parseSize(strings.TrimSpace(part))
		if err != nil {
			fail(err)
		}
		sizes = append(sizes, size)
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "ward-bench-prowler-*")
		if err != nil {
			fail(err)
		}
		*dir = d
		if !*keep {
			cleanup = func() { os.RemoveAll(d) }
			defer cleanup()
		}
	}
	if *ward == "" {
		*ward = filepath.Join(*dir, "ward")
		run("go", "build", "-o", *ward, "./cmd/ward")
	}
	fmt.Printf("machine   %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	ok := true
	for _, size := range sizes {
		prof := *profile
		if prof != "" && len(sizes) > 1 {
			prof += "." + strconv.FormatInt(size, 10)
		}
		ok = measure(*dir, *ward, size, prof) && ok
	}
	if !ok {
		cleanup() // os.Exit skips the deferred one
		os.Exit(1)
	}
}

// measure writes a file of size bytes, times the floor and the import of
// it, prints both, and reports whether the import met the targets.
func measure(dir, ward string, size int64, profile string) bool {
	file := filepath.Join(dir, "prowler-output.ocsf.json")
	defer os.Remove(file)
	start := time.Now()
	f, err := os.Create(file)
	if err != nil {
		fail(err)
	}
	n, err := prowler.WriteSynthetic(f, size, 1, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		fail(err)
	}
	st, err := os.Stat(file)
	if err != nil {
		fail(err)
	}
	mb := float64(st.Size()) / 1e6
	fmt.Printf("\nfile      %s: %d findings, %.1f MB, written in %.1fs\n", file, n, mb, time.Since(start).Seconds())

	// Warm the page cache so neither run pays for the first read.
	if g, err := os.Open(file); err == nil {
		io.Copy(io.Discard, g)
		g.Close()
	}

	floor, floorCPU := floorRun(file, func(d *json.Decoder) error { var v finding; return d.Decode(&v) })
	empty, emptyCPU := floorRun(file, func(d *json.Decoder) error { var v struct{}; return d.Decode(&v) })
	fmt.Printf("floor     encoding/json into the fields ward reads: %.2fs (%.1f MB/s, %.2fs CPU); into struct{}: %.2fs (%.1f MB/s, %.2fs CPU)\n",
		floor.Seconds(), mb/floor.Seconds(), floorCPU.Seconds(), empty.Seconds(), mb/empty.Seconds(), emptyCPU.Seconds())

	db := filepath.Join(dir, "ward.db")
	defer func() {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(db + suffix)
		}
		os.RemoveAll(db + ".blobs")
	}()
	run(ward, "--db", "sqlite:"+db, "apply", "-f", "examples/acme-health")
	cmd := exec.Command(ward, "--db", "sqlite:"+db, "import", "prowler", file)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	cmd.Env = append(os.Environ(), "WARD_ACTOR=bench")
	if profile != "" {
		self, err := os.Executable()
		if err != nil {
			fail(err)
		}
		abs, err := filepath.Abs(profile)
		if err != nil {
			fail(err)
		}
		cmd.Path, cmd.Args[0] = self, self
		cmd.Env = append(cmd.Env, childEnv+"="+abs)
	}
	start = time.Now()
	if err := cmd.Run(); err != nil {
		fail(fmt.Errorf("ward import prowler: %v\n%s", err, stderr.String()))
	}
	imp := time.Since(start)
	rss := int64(0)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024 // Linux reports KiB
	}
	impCPU := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	fmt.Printf("import    ward import prowler into SQLite: %.2fs (%.1f MB/s, %.0f findings/s, %.2fs CPU)\n", imp.Seconds(), mb/imp.Seconds(), float64(n)/imp.Seconds(), impCPU.Seconds())
	ratio := floor.Seconds() / imp.Seconds()
	fmt.Printf("ratio     import speed / floor speed = %.2f× by the clock (target ≥ 1.0×); %.2f× by CPU time\n", ratio, floorCPU.Seconds()/impCPU.Seconds())
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("load      %s", load)
	fmt.Printf("peak RSS  %.1f MiB (target ≤ 64 MiB)\n", float64(rss)/(1<<20))
	return ratio >= 1.0 && rss <= 64<<20
}

// profiledWard runs ward's command line (args after the program name)
// with the CPU profiler writing to out, and returns its exit code.
func profiledWard(out string) int {
	f, err := os.Create(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/prowler:", err)
		return 2
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "bench/prowler:", err)
		return 2
	}
	defer pprof.StopCPUProfile()
	return cli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}

// finding is the part of an OCSF Detection Finding ward reads (the
// reader's own list of fields): the floor decodes into it.
type finding struct {
	ClassUID *int64 `json:"class_uid"`
	Metadata *struct {
		EventCode string `json:"event_code"`
	} `json:"metadata"`
	StatusCode  string          `json:"status_code"`
	Status      string          `json:"status"`
	Severity    json.RawMessage `json:"severity"`
	FindingInfo *struct {
		UID           string          `json:"uid"`
		CreatedTime   json.RawMessage `json:"created_time"`
		CreatedTimeDt string          `json:"created_time_dt"`
	} `json:"finding_info"`
	Resources []struct {
		UID    string `json:"uid"`
		Type   string `json:"type"`
		Region string `json:"region"`
	} `json:"resources"`
	Cloud *struct {
		Account *struct {
			UID string `json:"uid"`
		} `json:"account"`
		Region string `json:"region"`
	} `json:"cloud"`
	Time      json.RawMessage `json:"time"`
	TimeDt    string          `json:"time_dt"`
	EventTime json.RawMessage `json:"event_time"`
	Unmapped  *struct {
		Compliance  map[string]json.RawMessage `json:"compliance"`
		ProviderUID string                     `json:"provider_uid"`
	} `json:"unmapped"`
}

// floorRun times one streaming pass: Token into the array, then one
// decode per element. It returns the wall time and the process's CPU time.
func floorRun(file string, decode func(*json.Decoder) error) (time.Duration, time.Duration) {
	f, err := os.Open(file)
	if err != nil {
		fail(err)
	}
	defer f.Close()
	cpu0 := cpuTime()
	start := time.Now()
	d := json.NewDecoder(f)
	if _, err := d.Token(); err != nil {
		fail(err)
	}
	for d.More() {
		if err := decode(d); err != nil {
			fail(err)
		}
	}
	return time.Since(start), cpuTime() - cpu0
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func run(name string, args ...string) {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	cmd.Env = append(os.Environ(), "WARD_ACTOR=bench")
	if err := cmd.Run(); err != nil {
		fail(fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err))
	}
}

func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(num, 64)
			if err != nil || v <= 0 {
				break
			}
			return int64(v * float64(u.mult)), nil
		}
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil && v > 0 {
		return v, nil
	}
	return 0, errors.New("-size: want a size such as 1GiB, 300MB or 52428800")
}

// cleanup removes the temporary work folder (when there is one to remove).
var cleanup = func() {}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench/prowler:", err)
	cleanup()
	os.Exit(2)
}
