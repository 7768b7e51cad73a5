package audit

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// chain builds n linked entries and their head.
func chain(n int) ([]Entry, Head) {
	var head Head
	t0 := time.Date(2027, 4, 3, 9, 0, 0, 123456789, time.UTC)
	var out []Entry
	for i := 1; i <= n; i++ {
		e := Entry{
			Seq: int64(i), At: t0.Add(time.Duration(i) * time.Minute),
			Actor: "raj@acme.example", Action: "update", Kind: "system", Key: "patient-api",
			Data: json.RawMessage(`{"before":null,"after":{"n":` + string(rune('0'+i%10)) + `}}`),
		}
		head = Link(head, &e)
		out = append(out, e)
	}
	return out, head
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func(es []Entry, h Head) ([]Entry, Head)
		wantSeq int64 // 0: verifies
		reason  string
	}{
		{"intact", func(es []Entry, h Head) ([]Entry, Head) { return es, h }, 0, ""},
		{"empty chain, empty head", func([]Entry, Head) ([]Entry, Head) { return nil, Head{} }, 0, ""},
		{"data changed", func(es []Entry, h Head) ([]Entry, Head) {
			es[2].Data = json.RawMessage(`{"before":null,"after":{"n":9}}`)
			return es, h
		}, 3, "altered"},
		{"actor changed", func(es []Entry, h Head) ([]Entry, Head) { es[1].Actor = "mallory"; return es, h }, 2, "altered"},
		{"time changed", func(es []Entry, h Head) ([]Entry, Head) { es[3].At = es[3].At.Add(time.Second); return es, h }, 4, "altered"},
		{"rewritten and rehashed: the next prev breaks", func(es []Entry, h Head) ([]Entry, Head) {
			es[2].Key = "other"
			es[2].Hash = Hash(es[2].Prev, es[2])
			return es, h
		}, 4, "prev"},
		{"middle removed", func(es []Entry, h Head) ([]Entry, Head) {
			return append(es[:2:2], es[3:]...), h
		}, 3, "removed"},
		{"first removed", func(es []Entry, h Head) ([]Entry, Head) { return es[1:], h }, 1, "missing"},
		{"two entries swap seq (reordered)", func(es []Entry, h Head) ([]Entry, Head) {
			es[1], es[3] = es[3], es[1]
			es[1].Seq, es[3].Seq = 2, 4
			return es, h
		}, 2, "prev"},
		{"loaded out of order", func(es []Entry, h Head) ([]Entry, Head) {
			es[1], es[2] = es[2], es[1]
			return es, h
		}, 2, "missing"},
		{"duplicated", func(es []Entry, h Head) ([]Entry, Head) {
			return append(es[:3:3], es[2:]...), h
		}, 3, "out of order"},
		{"tail cut: caught by the head", func(es []Entry, h Head) ([]Entry, Head) { return es[:3], h }, 4, "cut back"},
		{"tail cut and head rolled back consistently", func(es []Entry, h Head) ([]Entry, Head) {
			return es[:3], Head{Seq: 3, Hash: es[2].Hash}
		}, 0, ""},
		{"head hash wrong", func(es []Entry, h Head) ([]Entry, Head) { h.Hash = es[0].Hash; return es, h }, 5, "head"},
		{"head behind the chain", func(es []Entry, h Head) ([]Entry, Head) { return es, Head{Seq: 4, Hash: es[3].Hash} }, 5, "beyond"},
		{"re-indented data still verifies", func(es []Entry, h Head) ([]Entry, Head) {
			es[0].Data = json.RawMessage("{\n  \"before\": null,\n  \"after\": {\"n\": 1}\n}")
			return es, h
		}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, h := chain(5)
			es, h = tt.tamper(es, h)
			err := Verify(es, h)
			if tt.wantSeq == 0 {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			var bad *BadEntry
			if !errors.As(err, &bad) {
				t.Fatalf("Verify = %v, want *BadEntry", err)
			}
			if bad.Seq != tt.wantSeq || !strings.Contains(bad.Reason, tt.reason) {
				t.Fatalf("Verify = %v, want entry %d (%s)", bad, tt.wantSeq, tt.reason)
			}
		})
	}
}

func TestHashCommitsToEveryField(t *testing.T) {
	base := Entry{Seq: 7, At: time.Date(2027, 1, 2, 3, 4, 5, 6, time.UTC), Actor: "a", Action: "b", Kind: "c", Key: "d", Data: json.RawMessage(`{"x":1}`)}
	h0 := Hash("p", base)
	vary := map[string]func(e *Entry) string{
		"seq":    func(e *Entry) string { e.Seq++; return "p" },
		"at":     func(e *Entry) string { e.At = e.At.Add(time.Nanosecond); return "p" },
		"actor":  func(e *Entry) string { e.Actor = "x"; return "p" },
		"action": func(e *Entry) string { e.Action = "x"; return "p" },
		"kind":   func(e *Entry) string { e.Kind = "x"; return "p" },
		"key":    func(e *Entry) string { e.Key = "x"; return "p" },
		"data":   func(e *Entry) string { e.Data = json.RawMessage(`{"x":2}`); return "p" },
		"prev":   func(e *Entry) string { return "q" },
		// Length prefixes: moving a byte between adjacent fields changes the hash.
		"boundary": func(e *Entry) string { e.Kind, e.Key = "cd", ""; return "p" },
	}
	for name, f := range vary {
		e := base
		prev := f(&e)
		if Hash(prev, e) == h0 {
			t.Errorf("changing %s did not change the hash", name)
		}
	}
	// The same instant in another zone is the same entry.
	e := base
	e.At = e.At.In(time.FixedZone("X", 3600))
	if Hash("p", e) != h0 {
		t.Error("the hash depends on the time zone of At")
	}
}

func TestHeadJSON(t *testing.T) {
	_, h := chain(3)
	raw, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var back Head
	if err := json.Unmarshal(raw, &back); err != nil || back != h {
		t.Fatalf("round trip: %s -> %+v (%v)", raw, back, err)
	}
	if !strings.Contains(string(raw), `"seq":3`) {
		t.Errorf("head JSON %s does not name seq", raw)
	}
}

func TestCheckCheckpoint(t *testing.T) {
	es, h := chain(6)
	saved := Head{Seq: 4, Hash: es[3].Hash} // an auditor's copy, taken at entry 4

	// Cut back to 3 and the head rewritten to match: Verify cannot tell,
	// the checkpoint can.
	cut := es[:3]
	if err := Verify(cut, Head{Seq: 3, Hash: cut[2].Hash}); err != nil {
		t.Fatalf("a consistently cut chain should verify on its own: %v", err)
	}
	var bad *BadEntry
	if err := CheckCheckpoint(cut, saved); !errors.As(err, &bad) || bad.Seq != 4 {
		t.Errorf("cut chain against checkpoint = %v, want entry 4", err)
	}

	// Rewritten from entry 2 onwards and re-linked: consistent, but entry
	// 4's hash is not the one the auditor kept.
	forged := append([]Entry(nil), es...)
	var fh Head = Head{Seq: 1, Hash: forged[0].Hash}
	for i := 1; i < len(forged); i++ {
		forged[i].Actor = "mallory"
		fh = Link(fh, &forged[i])
	}
	if err := Verify(forged, fh); err != nil {
		t.Fatalf("a re-linked forgery verifies on its own: %v", err)
	}
	if err := CheckCheckpoint(forged, saved); !errors.As(err, &bad) || bad.Seq != 4 {
		t.Errorf("forged chain against checkpoint = %v, want entry 4", err)
	}

	// The honest chain, grown since the checkpoint, passes.
	if err := CheckCheckpoint(es, saved); err != nil {
		t.Errorf("honest chain: %v", err)
	}
	if err := CheckCheckpoint(es, Head{}); err != nil || Verify(es, h) != nil {
		t.Errorf("empty checkpoint: %v", err)
	}
}
