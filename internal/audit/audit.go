// Package audit is ward's tamper-evident trail: a hash chain per
// organization, where every entry commits to its own content and to the
// hash of the entry before it, and a separately kept head (the last
// sequence number and hash) commits to the chain's length.
//
// Changing an entry breaks its hash; removing or reordering entries breaks
// the sequence or the prev links; cutting entries off the end leaves a
// chain that is consistent in itself but shorter than its head. An auditor
// who keeps a Head outside the database (ward audit checkpoint) can later
// also detect a rewrite of everything after it.
//
// The package is pure: no SQL, no clock, no I/O. The store appends and
// loads entries; Verify decides whether they are intact.
package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// TimeLayout is how an entry's time enters the hash, and how the store
// keeps it: UTC, fixed width (so text order is time order), nanoseconds.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// Entry is one link of an organization's audit chain.
type Entry struct {
	Seq    int64           `json:"seq"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	Kind   string          `json:"kind"`
	Key    string          `json:"key"`
	Data   json.RawMessage `json:"data"` // for record changes {"before":..., "after":...}
	Prev   string          `json:"prev"` // hex SHA-256 of the previous entry, "" for the first
	Hash   string          `json:"hash"`
}

// Head is the chain's checkpoint: the last entry's sequence number and
// hash. The store keeps it in its own row, written in the same transaction
// as each entry; an auditor can keep a copy as JSON.
type Head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// BadEntry names the first entry at which a chain stops verifying.
type BadEntry struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

func (b *BadEntry) Error() string {
	return fmt.Sprintf("audit entry %d: %s", b.Seq, b.Reason)
}

// Hash is the hex SHA-256 of the entry's content and prev. The encoding is
// length-prefixed, so no two different entries encode the same; Data is
// compacted first, so an export that re-indents the JSON still verifies.
// e.Prev and e.Hash are ignored: prev is the argument.
func Hash(prev string, e Entry) string {
	h := sha256.New()
	field := func(s []byte) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write(s)
		h.Write([]byte{','})
	}
	field([]byte("ward-audit-v1"))
	field([]byte(strconv.FormatInt(e.Seq, 10)))
	field([]byte(e.At.UTC().Format(TimeLayout)))
	field([]byte(e.Actor))
	field([]byte(e.Action))
	field([]byte(e.Kind))
	field([]byte(e.Key))
	field(compact(e.Data))
	field([]byte(prev))
	return hex.EncodeToString(h.Sum(nil))
}

func compact(data []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return data // not JSON: hash the bytes as they are
	}
	return buf.Bytes()
}

// Link fills in e.Prev and e.Hash to append e after head, and returns the
// new head. e.Seq must be head.Seq+1.
func Link(head Head, e *Entry) Head {
	e.Prev = head.Hash
	e.Hash = Hash(head.Hash, *e)
	return Head{Seq: e.Seq, Hash: e.Hash}
}

// Verify checks entries (oldest first, as loaded by sequence number)
// against head and returns nil or a *BadEntry for the first entry that is
// missing, out of place, altered, or not linked to its predecessor.
func Verify(entries []Entry, head Head) error {
	prev := ""
	for i, e := range entries {
		want := int64(i) + 1
		switch {
		case e.Seq > want:
			if want == 1 {
				return &BadEntry{Seq: want, Reason: fmt.Sprintf("entries %d to %d are missing: the chain starts at %d", want, e.Seq-1, e.Seq)}
			}
			return &BadEntry{Seq: want, Reason: fmt.Sprintf("missing: entry %d is followed by %d (an entry was removed)", want-1, e.Seq)}
		case e.Seq < want:
			return &BadEntry{Seq: e.Seq, Reason: fmt.Sprintf("out of order: found after entry %d (entries were reordered or duplicated)", want-1)}
		}
		if e.Prev != prev {
			return &BadEntry{Seq: e.Seq, Reason: "its prev does not match the hash of the entry before it (an entry was removed, reordered or rewritten)"}
		}
		if got := Hash(prev, e); got != e.Hash {
			return &BadEntry{Seq: e.Seq, Reason: "its content does not match its hash (the entry was altered)"}
		}
		prev = e.Hash
	}
	last := int64(len(entries))
	switch {
	case last < head.Seq:
		return &BadEntry{Seq: last + 1, Reason: fmt.Sprintf("missing: the chain ends at entry %d but its head is at %d (the trail was cut back)", last, head.Seq)}
	case last > head.Seq:
		return &BadEntry{Seq: head.Seq + 1, Reason: fmt.Sprintf("beyond the head: the head is at entry %d but the chain runs to %d", head.Seq, last)}
	case prev != head.Hash:
		return &BadEntry{Seq: head.Seq, Reason: "the last entry's hash does not match the head (the end of the trail was rewritten)"}
	}
	return nil
}

// CheckCheckpoint confirms that entries still contain the entry a saved
// checkpoint names, with the same hash. Verify alone cannot see a trail
// that was cut back and its head rewritten to match, or rewritten from
// some entry onwards and re-hashed; a checkpoint kept outside the database
// can. Run Verify first: this only compares against saved.
func CheckCheckpoint(entries []Entry, saved Head) error {
	if saved.Seq == 0 {
		return nil
	}
	for _, e := range entries {
		if e.Seq == saved.Seq {
			if e.Hash != saved.Hash {
				return &BadEntry{Seq: e.Seq, Reason: "its hash differs from the saved checkpoint (history up to the checkpoint was rewritten)"}
			}
			return nil
		}
	}
	return &BadEntry{Seq: saved.Seq, Reason: "the entry named by the saved checkpoint is missing (the trail was cut back)"}
}
