package audit

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
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

// encoded is e as a store hands it to NextEncoded: the six middle
// fields as Hash encodes them.
func encoded(e *Stored) *Encoded {
	var f []byte
	for _, s := range [][]byte{e.At, e.Actor, e.Action, e.Kind, e.Key, e.Data} {
		f = appendField(f, s)
	}
	return &Encoded{Seq: e.Seq, Fields: f, Prev: e.Prev, Hash: e.Hash}
}

// TestNextEncodedAgreesWithNext: a chain read as encoded fields verifies;
// an entry whose hash does not match as encoded is handed back (false)
// and Next then decides it as it always did: altered (named at that
// entry) or stored otherwise (re-indented data, still verifies); a
// missing or misplaced entry is an error from NextEncoded itself.
func TestNextEncodedAgreesWithNext(t *testing.T) {
	chain, head, _ := storedChain(300)
	run := func(edit func(c []Stored)) (fellBack int, err error) {
		c := make([]Stored, len(chain))
		copy(c, chain)
		edit(c)
		v := NewVerifier()
		for i := range c {
			ok, err := v.NextEncoded(encoded(&c[i]))
			if err != nil {
				return fellBack, err
			}
			if !ok {
				fellBack++
				if err := v.Next(&c[i]); err != nil {
					return fellBack, err
				}
			}
		}
		return fellBack, v.End(head)
	}
	if n, err := run(func([]Stored) {}); err != nil || n != 0 {
		t.Fatalf("intact chain: %d fell back, %v", n, err)
	}
	reindent := func(c []Stored) {
		var v any
		json.Unmarshal(c[99].Data, &v)
		c[99].Data, _ = json.MarshalIndent(v, "", "  ")
	}
	if n, err := run(reindent); err != nil || n != 1 {
		t.Errorf("data re-indented: %d fell back, %v; want 1 and nil", n, err)
	}
	for name, tc := range map[string]struct {
		edit func(c []Stored)
		seq  int64
	}{
		"actor":            {func(c []Stored) { c[99].Actor = []byte("mallory") }, 100},
		"byte moved":       {func(c []Stored) { c[99].Kind, c[99].Key = []byte("syste"), append([]byte("m"), c[99].Key...) }, 100},
		"prev":             {func(c []Stored) { c[99].Prev = c[98].Prev }, 100},
		"removed":          {func(c []Stored) { copy(c[99:], c[100:]) }, 100},
		"swapped with 101": {func(c []Stored) { c[99], c[100] = c[100], c[99] }, 100},
	} {
		var bad *BadEntry
		if _, err := run(tc.edit); !asBad(err, &bad) || bad.Seq != tc.seq {
			t.Errorf("%s: %v, want entry %d named", name, err, tc.seq)
		}
	}
}
