package prowler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// transcript describes what rd returns, one line a finding (its
// requirements sorted: they come from a map, in any order), then EOF or
// the error, where and what; at most limit findings.
func transcript(rd *Reader, limit int) string {
	var b strings.Builder
	for range limit {
		f, err := rd.Next()
		if err == io.EOF {
			fmt.Fprintf(&b, "EOF naive=%d\n", rd.Naive())
			break
		}
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
			if e, ok := err.(*Error); ok {
				fmt.Fprintf(&b, "at %+v\n", *e)
			}
			break
		}
		g := *f
		g.Requirements = slices.Clone(f.Requirements)
		slices.SortFunc(g.Requirements, func(a, b Requirement) int { return strings.Compare(a.Framework+" "+a.ID, b.Framework+" "+b.ID) })
		fmt.Fprintf(&b, "%+v\n", g)
	}
	return b.String()
}

// readBoth reads data with the fast OCSF path (the default) and with
// encoding/json alone, and describes what each returned: every finding,
// then the error. The two must agree byte for byte.
func readBoth(t testing.TB, data []byte) (fast, slow string) {
	t.Helper()
	read := func(opt Options) string {
		r, err := NewReaderOptions(bytes.NewReader(data), opt)
		if err != nil {
			return "open: " + err.Error()
		}
		return transcript(r, 100000)
	}
	fast = read(Options{})
	// Decoded on several goroutines, in blocks cut small, it is the same.
	for _, block := range []int{1, 9, 700} {
		if par := read(Options{Workers: 3, block: block}); par != fast {
			t.Errorf("on 3 goroutines in blocks of %d bytes:\n%s\non one:\n%s", block, par, fast)
		}
	}
	return fast, read(Options{jsonOnly: true})
}

// TestFastMatchesJSON: the fast path returns what encoding/json returns,
// findings and errors (offset, finding, field, message), on every OCSF
// file of the test data and the fuzz corpus, whole and cut at many
// points, and on inputs made to stray from the plain shape.
func TestFastMatchesJSON(t *testing.T) {
	var inputs [][]byte
	for _, dir := range []string{"testdata", "testdata/prowler-5.40"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
				inputs = append(inputs, b)
			}
		}
	}
	seeds, _ := filepath.Glob("testdata/fuzz/FuzzReader/*")
	for _, f := range seeds {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// go test fuzz v1: the second line is []byte("...").
		lines := strings.SplitN(string(b), "\n", 2)
		if len(lines) == 2 {
			var s string
			if _, err := fmt.Sscanf(strings.TrimSpace(lines[1]), "[]byte(%q)", &s); err == nil {
				inputs = append(inputs, []byte(s))
			}
		}
	}
	if len(inputs) < 10 {
		t.Fatalf("only %d inputs found", len(inputs))
	}
	one := `{"class_uid":2004,"metadata":{"event_code":"c"},"status_code":"FAIL","finding_info":{"uid":"u","created_time":1},"time":1700000000,` +
		`"resources":[{"uid":"r","type":"t","region":"x"}],"cloud":{"account":{"uid":"a"},"region":"y"},"unmapped":{"compliance":{"HIPAA":["164_312_b"],"CIS":[1]}}}`
	odd := []string{
		`[` + one + `]`,
		`[` + one + `,` + one + `]`,
		`[` + one + ` ` + one + `]`,
		`[` + one + `,` + one + `] x`,
		`[` + one + `,` + one + `]]`,
		`[` + one + `5]`,
		`[` + one + `,]`,
		`[` + one + `,` + strings.Replace(one, `"status_code"`, `"Status_Code"`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"time":1700000000`, `"time":1700000000,"time":"2026-01-01T00:00:00"`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"HIPAA":["164_312_b"]`, `"HIPAA":["164_312_b"],"hipaa":["164_308_a_1_i"]`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"HIPAA":["164_312_b"]`, `"HIPAA":"164_312_b"`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"class_uid":2004`, `"class_uid":2004.0`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"class_uid":2004`, `"class_uid":"2004"`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"class_uid":2004`, `"class_uid":null`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"uid":"u"`, `"uid":"u\u00e9\n"`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"uid":"u"`, "\"uid\":\"u\xff\"", 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"resources":[{`, `"resources":[null,{`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"resources":[{"uid":"r","type":"t","region":"x"}]`, `"resources":[]`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"cloud":{"account":{"uid":"a"},"region":"y"}`, `"cloud":null`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"metadata":{"event_code":"c"}`, `"metadata":{"event_code":7}`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"status_code":"FAIL"`, `"status_code":"FAIL","status":"Suppressed"`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"status_code":"FAIL"`, `"status_code":"PASSED"`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"time":1700000000`, `"time":{"a": 1}`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"time":1700000000`, `"time":null,"time_dt":"2026-02-03T04:05:06"`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"event_code"`, `"event\u005fcode"`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"severity"`, `"ſeverity"`, 1) + `,{"severity":"High"}]`,
		`[` + one + `,` + strings.Replace(one, `"status_code":"FAIL"`, `"status_code":"PASS","status_code":"FAIL"`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"metadata":{"event_code":"c"}`, `"metadata":{"event_code":"c"},"metadata":{"other":1}`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"region":"x"`, `"region":"x","region":"z"`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"region":"y"}`, `"region":"y"},"cloud":{"region":"z"}`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"class_uid":2004`, `"message":"a","class_uid":2004,"message":"b"`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"HIPAA":["164_312_b"]`, `"HIPAA":["164_312_b"],"HIPAA":["164_308_a_1_i"]`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"CIS":[1]`, `"CIS":[1],"CIS":{}`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"HIPAA":["164_312_b"]`, `"HIPAA":null`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"compliance":{`, `"compliance":null,"x":{`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"HIPAA":["164_312_b"]`, `"HIPAA":[" 164_312_b ",""],"SOC2-2017":["cc_6_1"],"soc2":["cc_7_2"]`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"HIPAA":["164_312_b"]`, `"HIPAA":["164_312_\u0062"],"S\u004fC2":["cc_6_1"]`, 1) + `]`,
		`[` + one + `,` + strings.Replace(one, `"HIPAA":["164_312_b"]`, `"HIPAA":["164_312_b"],"hipaa":[1]`, 1) + `]`,
		`[` + one + `,{"SchemaVersion":"2018-10-08","ProductArn":"arn"}]`,
		`[` + one + `,1]`,
		`[` + one + `,[]]`,
		`[[]]`,
		`[1]`,
		`[]`,
		"[\n]\n",
		`[ ] ] `,
		`[`,
		`[` + one,
		`[` + one + `,`,
	}
	for _, s := range odd {
		inputs = append(inputs, []byte(s))
	}
	for _, in := range inputs {
		cuts := []int{len(in)}
		for i := 1; i < len(in); i += max(1, len(in)/23) {
			cuts = append(cuts, i)
		}
		for _, n := range cuts {
			fast, slow := readBoth(t, in[:n])
			if fast != slow {
				t.Fatalf("input %.80q (cut at %d of %d):\nfast path:\n%s\nencoding/json:\n%s", in, n, len(in), fast, slow)
			}
		}
	}
}

// TestFastSynthetic compares the two paths on a synthetic file large
// enough to take many of the tokenizer's reads, and one with a damaged
// finding near its end (the hand-over after many findings).
func TestFastSynthetic(t *testing.T) {
	var buf bytes.Buffer
	if _, err := WriteSynthetic(&buf, 3<<20, 3, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	fast, slow := readBoth(t, data)
	if fast != slow || !strings.HasSuffix(fast, "EOF naive=0\n") {
		t.Fatalf("the two paths differ on the synthetic file (or it fails): %.300s", fast[max(0, len(fast)-300):])
	}
	damaged := slices.Clone(data)
	i := bytes.LastIndex(damaged, []byte(`"status_code"`))
	damaged[i+len(`"status_code"`)] = ';'
	fast, slow = readBoth(t, damaged)
	if fast != slow || !strings.Contains(fast, "error: byte ") {
		t.Fatalf("the two paths differ on a damaged finding: %.300s\nvs\n%.300s", fast[max(0, len(fast)-300):], slow[max(0, len(slow)-300):])
	}
}

// FuzzFastMatchesJSON: on any input, the fast path and encoding/json
// agree.
func FuzzFastMatchesJSON(f *testing.F) {
	f.Add([]byte(`[{"class_uid":2004,"metadata":{"event_code":"c"},"status_code":"FAIL","finding_info":{"uid":"u"},"time":1}]`))
	f.Add([]byte(`[{"class_uid":2004,"metadata":{"event_code":"c"},"status_code":"FAIL","finding_info":{"uid":"u"},"time":1},{"Class_uid":1}]`))
	f.Add([]byte("[\n  {\"class_uid\":2004,\"metadata\":{\"event_code\":\"c\"},\"status_code\":\"FAIL\",\"finding_info\":{\"uid\":\"u\"},\"time\":1\n  },\n  {\"class_uid\":2004,\"metadata\":{\"event_code\":\"d\"},\"status_code\":\"PASS\",\"finding_info\":{\"uid\":\"v\"},\"time\":2\n  },\n  {\"class_uid\":2004,\"metadata\":{\"event_code\":\"e\"},\"status_code\":\"FAIL\",\"finding_info\":{\"uid\":\"w\"},\"time\":3\n  }\n]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if fast, slow := readBoth(t, data); fast != slow {
			t.Fatalf("fast path:\n%s\nencoding/json:\n%s", fast, slow)
		}
	})
}

// TestPlainValuesMatchJSON: the severity, time and requirement lists read
// without reflection (unquote, unquoteList) give what json.Unmarshal
// gives, value or refusal, on plain values and on every kind it hands
// over (escapes, invalid UTF-8, control bytes, other types, bad syntax).
func TestPlainValuesMatchJSON(t *testing.T) {
	strs := []string{`"High"`, `""`, `"caf\u00e9"`, `"café"`, "\"caf\xe9\"", "\"a\tb\"", `"a\"b"`, `"a\\b"`, `12`, `null`, `{}`, `"`, `"x`, `x"`}
	for _, in := range strs {
		var want, got string
		werr := json.Unmarshal([]byte(in), &want)
		gerr := unquote([]byte(in), &got)
		if (werr == nil) != (gerr == nil) || got != want {
			t.Errorf("unquote(%q) = %q, %v; json.Unmarshal: %q, %v", in, got, gerr, want, werr)
		}
	}
	lists := []string{`[]`, ` [ ] `, `["164_308_a_1_ii_a"]`, "[\n \"cc_6_1\",\n \"cc_7_2\"\n]", `["a","b",]`, `["a" "b"]`, `["a",1]`,
		`["a\u0041"]`, "[\"a\xff\"]", `[null]`, `["a"]x`, `["a"`, `[`, `{}`, `"a"`, `[,]`, `[ "a" , "" ]`, `["é"]`}
	for _, in := range lists {
		var want, got []string
		werr := json.Unmarshal([]byte(in), &want)
		gerr := unquoteList([]byte(in), &got)
		if (werr == nil) != (gerr == nil) || !slices.Equal(got, want) || (werr == nil && (got == nil) != (want == nil)) {
			t.Errorf("unquoteList(%q) = %q, %v; json.Unmarshal: %q, %v", in, got, gerr, want, werr)
		}
	}
}

// TestParallelSynthetic: a synthetic file read on several goroutines
// gives the findings read on one, decoding nearly all its blocks on
// them; and so do damaged copies (a refused finding early, in the
// middle and near the end, a cut, a read error): each gives the error
// read on one goroutine gives, where and what.
func TestParallelSynthetic(t *testing.T) {
	var buf bytes.Buffer
	if _, err := WriteSynthetic(&buf, 3<<20, 3, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	read := func(r io.Reader, opt Options) (string, int) {
		rd, err := NewReaderOptions(r, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		out := transcript(rd, 1<<30)
		return out, rd.blocks
	}
	one, _ := read(bytes.NewReader(data), Options{})
	for _, block := range []int{0, 20 << 10} {
		par, blocks := read(bytes.NewReader(data), Options{Workers: 2, block: block})
		if par != one {
			a, b := strings.Split(par, "\n"), strings.Split(one, "\n")
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Fatalf("blocks of %d bytes: the findings differ from one goroutine's at %d of %d/%d:\n%s\n%s", block, i, len(a), len(b), a[i], b[i])
				}
			}
			t.Fatalf("blocks of %d bytes: %d lines, want %d", block, len(a), len(b))
		}
		if want := len(data) / max(block, parallelBlock) / 2; blocks < want {
			t.Errorf("blocks of %d bytes: %d decoded on the workers, want at least %d", block, blocks, want)
		}
	}
	statusAt := func(frac float64) []byte {
		d := slices.Clone(data)
		i := bytes.Index(d[int(float64(len(d))*frac):], []byte(`"status_code"`)) + int(float64(len(d))*frac)
		d[i+len(`"status_code"`)] = ';'
		return d
	}
	damaged := map[string][]byte{
		"early": statusAt(0.01), "middle": statusAt(0.5), "late": statusAt(0.97),
		"cut": data[:len(data)*2/3], "no end": data[:len(data)-3],
		"after the end": append(slices.Clone(data), "x"...),
		"severity":      bytes.Replace(data, []byte(`"severity": "High"`), []byte(`"severity": 7`), 1),
	}
	for name, d := range damaged {
		want, _ := read(bytes.NewReader(d), Options{})
		if !strings.Contains(want, "error: ") {
			t.Fatalf("%s: no error read on one goroutine", name)
		}
		for _, block := range []int{0, 20 << 10} {
			if got, _ := read(bytes.NewReader(d), Options{Workers: 2, block: block}); got != want {
				t.Errorf("%s, blocks of %d bytes: on two goroutines\n%.300s\non one\n%.300s", name, block, got[max(0, len(got)-300):], want[max(0, len(want)-300):])
			}
		}
	}
	failing := func() io.Reader {
		return io.MultiReader(bytes.NewReader(data[:len(data)/2]), errReader{errors.New("disk on fire")})
	}
	want, _ := read(failing(), Options{})
	if got, _ := read(failing(), Options{Workers: 2, block: 20 << 10}); got != want || !strings.Contains(want, "disk on fire") {
		t.Errorf("a read error: on two goroutines\n%.300s\non one\n%.300s", got[max(0, len(got)-300):], want[max(0, len(want)-300):])
	}
}

// TestParallelClose: a reader closed before its end stops its
// goroutines and reads no more.
func TestParallelClose(t *testing.T) {
	var buf bytes.Buffer
	if _, err := WriteSynthetic(&buf, 2<<20, 3, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	src := &countingReader{r: bytes.NewReader(buf.Bytes())}
	rd, err := NewReaderOptions(src, Options{Workers: 2, block: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if _, err := rd.Next(); err != nil {
			t.Fatal(err)
		}
	}
	rd.Close()
	n := src.n.Load()
	time.Sleep(20 * time.Millisecond)
	if src.n.Load() != n || n == int64(buf.Len()) {
		t.Fatalf("read %d bytes at Close, %d after, of %d", n, src.n.Load(), buf.Len())
	}
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestParallelExamples: Prowler's own example outputs, in blocks of a
// finding each, are decoded on the workers, all but the first finding.
func TestParallelExamples(t *testing.T) {
	files, _ := filepath.Glob("testdata/prowler-5.40/*.ocsf.json")
	if len(files) < 4 {
		t.Fatalf("only %d example files", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rd, err := NewReaderOptions(bytes.NewReader(data), Options{Workers: 2, block: 1})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			_, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			n++
		}
		if n < 2 || rd.blocks != n-1 {
			t.Errorf("%s: %d findings, %d blocks decoded on the workers, want %d", f, n, rd.blocks, n-1)
		}
	}
}
