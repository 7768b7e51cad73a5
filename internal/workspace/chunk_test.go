package workspace

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// A large file is parsed a run of list items at a time (chunk.go); what
// it loads into, and every error it gives with its line and field, must
// be exactly what a parse of the whole file gives. Each file here is
// loaded both ways, runs of one item and of two items, with every file
// counted as large.
func TestChunkedLoadIsTheSame(t *testing.T) {
	inputs := map[string][]byte{}
	seeds, err := filepath.Glob("testdata/fuzz/FuzzLoad/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range seeds {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		_, lit, ok := strings.Cut(string(raw), "[]byte(")
		if !ok {
			t.Fatalf("%s: not a fuzz seed", p)
		}
		data, err := strconv.Unquote(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(lit), ")")))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		inputs[filepath.Base(p)] = []byte(data)
	}
	demo, err := filepath.Glob("../../examples/acme-health/*.yaml")
	if err != nil || len(demo) == 0 {
		t.Fatalf("the demo workspace: %v", err)
	}
	var all []byte
	for _, p := range demo {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs["demo "+filepath.Base(p)] = raw
		all = append(all, raw...)
	}
	inputs["demo in one file"] = all
	// Shapes the split must leave whole or get right.
	inputs["items at column 0"] = []byte("organization:\n  name: A\nsystems:\n- id: a\n  kind: service\n- id: b\n  kind: service\n")
	inputs["list then mapping at the item indentation"] = []byte("organization:\n  name: A\nsystems:\n  - id: a\n    kind: service\n  - id: b\n    kind: datastor\n  oops: 1\n")
	inputs["block scalar with dashes"] = []byte("organization:\n  name: A\nsystems:\n  - id: a\n    kind: service\n    description: |\n      - not an item\n      - nor this\n  - id: b\n    kind: service\n")
	inputs["multi-line quote"] = []byte("organization:\n  name: A\nsystems:\n  - id: a\n    kind: service\n    description: \"one\n  - two\"\n  - id: b\n    kind: service\n")
	inputs["anchor and alias across runs"] = []byte("organization:\n  name: A\nsystems:\n  - &s\n    id: a\n    kind: service\n  - id: b\n    kind: service\n  - *s\n")
	inputs["section twice"] = []byte("organization:\n  name: A\nsystems:\n  - id: a\n    kind: service\nsystems:\n  - id: b\n    kind: service\n")
	inputs["unknown section and bad item"] = []byte("organization:\n  name: A\nsytems:\n  - id: a\nvendors:\n  - id: v\n  - 3\n  -\n  - id: w\n    nme: x\n")
	inputs["CRLF"] = []byte("organization:\r\n  name: A\r\nsystems:\r\n  - id: a\r\n    kind: service\r\n  - id: b\r\n    kind: nope\r\n")

	defer func(b, n int) { chunkBytes, chunkItems = b, n }(chunkBytes, chunkItems)
	chunkBytes = 0
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ws.yaml")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			want, wantErr := load(path, Options{}, 0)
			runs := chunkedRuns
			for _, items := range []int{1, 2} {
				chunkItems = items
				got, gotErr := Load(path, Options{})
				if name == "demo systems.yaml" && chunkedRuns == runs {
					t.Fatal("the demo's systems were not parsed in runs")
				}
				if errText(gotErr) != errText(wantErr) {
					t.Fatalf("runs of %d: errors differ:\nchunked: %s\nwhole:   %s", items, errText(gotErr), errText(wantErr))
				}
				if (got == nil) != (want == nil) {
					t.Fatalf("runs of %d: loaded %v, whole %v", items, got != nil, want != nil)
				}
				if got == nil {
					continue
				}
				if !reflect.DeepEqual(got.Workspace, want.Workspace) {
					t.Errorf("runs of %d: the workspace differs", items)
				}
				if !reflect.DeepEqual(got.lines, want.lines) || !reflect.DeepEqual(got.recs, want.recs) || !reflect.DeepEqual(got.bad, want.bad) {
					t.Errorf("runs of %d: the lines of the values differ", items)
				}
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
