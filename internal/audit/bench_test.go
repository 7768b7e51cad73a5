package audit

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// storedChain is a linked chain of n entries in their stored form, with
// data the size of a typical record change, and the bytes their hashes
// cover.
func storedChain(n int) ([]Stored, Head, int64) {
	var head Head
	out := make([]Stored, n)
	var covered int64
	at := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for i := range n {
		data, _ := json.Marshal(map[string]any{"before": nil, "after": map[string]any{
			"id": fmt.Sprintf("sys-%d", i), "kind": "server", "name": fmt.Sprintf("System %d", i),
			"owner": "dana@acme.example", "phi": true, "vendors": []string{"aws", "okta"},
			"notes": "holds ePHI; encrypted at rest with KMS; access reviewed quarterly",
		}})
		e := Entry{Seq: int64(i + 1), At: at.Add(time.Duration(i) * time.Millisecond), Actor: "dana@acme.example", Action: "put", Kind: "system", Key: fmt.Sprintf("sys-%d", i), Data: data}
		head = Link(head, &e)
		out[i] = Stored{Seq: e.Seq, At: []byte(e.At.Format(TimeLayout)), Actor: []byte(e.Actor), Action: []byte(e.Action), Kind: []byte(e.Kind),
			Key: []byte(e.Key), Data: e.Data, Prev: []byte(e.Prev), Hash: []byte(e.Hash)}
		covered += int64(len(hashInput(&out[i])))
	}
	return out, head, covered
}

// hashInput is the bytes Hash covers for e, as one slice.
func hashInput(e *Stored) []byte {
	var b []byte
	for _, f := range [][]byte{version, []byte(fmt.Sprint(e.Seq)), e.At, e.Actor, e.Action, e.Kind, e.Key, e.Data, e.Prev} {
		b = append(b, fmt.Sprintf("%d:%s,", len(f), f)...)
	}
	return b
}

// BenchmarkVerify reports the streaming verifier's MB/s over the bytes
// the hashes cover, and (ratio) its speed against SHA-256 alone over the
// same bytes, one hash per entry, measured in the same run.
func BenchmarkVerify(b *testing.B) {
	chain, head, covered := storedChain(2000)
	inputs := make([][]byte, len(chain))
	for i := range chain {
		inputs[i] = hashInput(&chain[i])
		if got := fmt.Sprintf("%x", sha256.Sum256(inputs[i])); got != string(chain[i].Hash) {
			b.Fatalf("entry %d: hash input does not give its hash", i+1)
		}
	}
	b.SetBytes(covered)
	var verify, sha time.Duration
	for b.Loop() {
		start := time.Now()
		v := NewVerifier()
		for i := range chain {
			if err := v.Next(&chain[i]); err != nil {
				b.Fatal(err)
			}
		}
		if err := v.End(head); err != nil {
			b.Fatal(err)
		}
		verify += time.Since(start)
		start = time.Now()
		for _, in := range inputs {
			sha256.Sum256(in)
		}
		sha += time.Since(start)
	}
	b.ReportMetric(float64(covered)*float64(b.N)/1e6/sha.Seconds(), "sha256-MB/s")
	b.ReportMetric(sha.Seconds()/verify.Seconds(), "ratio")
}

// TestVerifierFindsTheFirstBadEntry: a chain verifies row by row; a byte
// changed in the middle of its data, actor or time is found at that
// entry; the same data re-indented still verifies.
func TestVerifierFindsTheFirstBadEntry(t *testing.T) {
	chain, head, _ := storedChain(500)
	run := func(edit func(c []Stored)) error {
		c := make([]Stored, len(chain))
		copy(c, chain)
		edit(c)
		v := NewVerifier()
		for i := range c {
			if err := v.Next(&c[i]); err != nil {
				return err
			}
		}
		return v.End(head)
	}
	if err := run(func([]Stored) {}); err != nil {
		t.Fatalf("intact chain: %v", err)
	}
	for name, edit := range map[string]func(c []Stored){
		"data":  func(c []Stored) { c[249].Data = []byte(string(c[249].Data[:20]) + "X" + string(c[249].Data[21:])) },
		"actor": func(c []Stored) { c[249].Actor = []byte("mallory") },
		"time":  func(c []Stored) { c[249].At = []byte(time.Now().UTC().Format(TimeLayout)) },
		"hash":  func(c []Stored) { c[249].Hash = []byte("f00d") },
	} {
		var bad *BadEntry
		if err := run(edit); !asBad(err, &bad) || bad.Seq != 250 {
			t.Errorf("%s changed at entry 250: %v", name, err)
		}
	}
	reindented := func(c []Stored) {
		var v any
		json.Unmarshal(c[249].Data, &v)
		c[249].Data, _ = json.MarshalIndent(v, "", "  ")
	}
	if err := run(reindented); err != nil {
		t.Errorf("data re-indented: %v, want it to verify (hashes cover compact JSON)", err)
	}
}

func asBad(err error, bad **BadEntry) bool {
	b, ok := err.(*BadEntry)
	*bad = b
	return ok
}

// TestVerifierFromJoinsRanges: a chain checked in two ranges, the second
// by a Verifier from its first entry, verifies and joins (the first
// range's last hash is the second's first prev) wherever it is split; an
// altered or missing entry at the start of the second range is named
// there; a second range linked to some other chain verifies on its own
// and only the join shows it.
func TestVerifierFromJoinsRanges(t *testing.T) {
	chain, head, _ := storedChain(300)
	check := func(c []Stored, k int) (*Verifier, *Verifier, error) {
		v1, v2 := NewVerifier(), NewVerifierFrom(int64(k+1))
		for i := range c[:k] {
			if err := v1.Next(&c[i]); err != nil {
				return v1, v2, err
			}
		}
		for i := range c[k:] {
			if err := v2.Next(&c[k+i]); err != nil {
				return v1, v2, err
			}
		}
		return v1, v2, v2.End(head)
	}
	for _, k := range []int{1, 150, 299} {
		v1, v2, err := check(chain, k)
		if err != nil {
			t.Fatalf("split at %d: %v", k, err)
		}
		seq, last := v1.Last()
		first, ok := v2.FirstPrev()
		if seq != int64(k) || !ok || string(first) != string(last) || string(last) != string(chain[k-1].Hash) {
			t.Errorf("split at %d: first range ends at %d %s, second starts after %s", k, seq, last, first)
		}
	}
	for name, tc := range map[string]func(c []Stored) []Stored{
		"altered": func(c []Stored) []Stored { c[150].Actor = []byte("mallory"); return c },
		"removed": func(c []Stored) []Stored { return append(c[:150:150], c[151:]...) },
		"prev":    func(c []Stored) []Stored { c[150].Prev = c[149].Prev; return c },
	} {
		c := tc(append([]Stored(nil), chain...))
		var bad *BadEntry
		if _, _, err := check(c, 150); !asBad(err, &bad) || bad.Seq != 151 {
			t.Errorf("%s at the start of the second range: %v, want entry 151 named", name, err)
		}
	}
	// Entries 151 on, re-linked after a forged entry 150: each range holds.
	forged := append([]Stored(nil), chain...)
	h := Head{Seq: 150, Hash: strings.Repeat("f", 64)}
	for i := 150; i < len(forged); i++ {
		e := Entry{Seq: forged[i].Seq, Actor: string(forged[i].Actor), Action: string(forged[i].Action), Kind: string(forged[i].Kind),
			Key: string(forged[i].Key), Data: forged[i].Data}
		e.At, _ = time.Parse(TimeLayout, string(forged[i].At))
		h = Link(h, &e)
		forged[i].Prev, forged[i].Hash = []byte(e.Prev), []byte(e.Hash)
	}
	v1, v2, err := check(forged, 150)
	if err != nil {
		if bad := (*BadEntry)(nil); !asBad(err, &bad) || bad.Seq != 300 {
			t.Fatalf("forged second range: %v", err)
		}
	}
	_, last := v1.Last()
	if first, _ := v2.FirstPrev(); string(first) == string(last) {
		t.Errorf("forged second range joins the first: %s", first)
	}
}
