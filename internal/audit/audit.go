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
	v := NewVerifier()
	for i := range entries {
		e := &entries[i]
		err := v.Next(&Stored{Seq: e.Seq, At: []byte(e.At.UTC().Format(TimeLayout)), Actor: []byte(e.Actor), Action: []byte(e.Action),
			Kind: []byte(e.Kind), Key: []byte(e.Key), Data: e.Data, Prev: []byte(e.Prev), Hash: []byte(e.Hash)})
		if err != nil {
			return err
		}
	}
	return v.End(head)
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

// Canonical is data as it enters the hash: compact JSON (or the bytes as
// they are when they are not JSON). The store keeps an entry's data in
// this form, so that verifying it needs no re-canonicalising.
func Canonical(data []byte) []byte { return compact(data) }

// Stored is an entry as the store keeps it, every field as text: At in
// TimeLayout, Data compact. The byte slices may be reused by the caller
// once Verifier.Next returns.
type Stored struct {
	Seq                          int64
	At, Actor, Action, Kind, Key []byte
	Data                         []byte
	Prev, Hash                   []byte
}

// Verifier checks a chain one entry at a time, oldest first, in constant
// memory: Next for each entry as loaded by sequence number, then End
// with the head. It finds what Verify finds, at the same entry, for the
// same reason.
type Verifier struct {
	n       int64 // entries checked, or the entry before the first to check
	prev    [sha256.Size * 2]byte
	hasPrev bool
	buf     []byte // the bytes the hash covers, reused

	// midChain: the first entry's prev is taken as stored, into first,
	// for the caller to compare with the hash of the entry before it.
	midChain bool
	first    [sha256.Size * 2]byte
	hasFirst bool
}

// NewVerifier starts checking a chain from its first entry.
func NewVerifier() *Verifier { return &Verifier{} }

// NewVerifierFrom starts checking a chain at entry seq (> 1), for a
// caller that checks the entries before it separately, for example on
// another connection. The first entry must be numbered seq; its prev is
// taken as stored, and FirstPrev returns it: the chain holds only if it
// is the hash the entries before seq end on (Last of their Verifier).
func NewVerifierFrom(seq int64) *Verifier {
	return &Verifier{n: seq - 1, midChain: seq > 1}
}

// FirstPrev is the stored prev of the first entry a Verifier from
// NewVerifierFrom checked, and whether it checked one.
func (v *Verifier) FirstPrev() ([]byte, bool) { return v.first[:], v.hasFirst }

// Last is the last checked entry's sequence number and hash: what the
// next entry's prev must be.
func (v *Verifier) Last() (int64, []byte) { return v.n, v.prevHash() }

// Entries is how many entries were checked.
func (v *Verifier) Entries() int64 { return v.n }

// Next checks the next entry.
func (v *Verifier) Next(e *Stored) error {
	if err := v.order(e.Seq, e.Prev); err != nil {
		return err
	}
	// The stored form is the canonical one: hash it as it is. Only an
	// entry whose time or data is stored otherwise (re-indented data, a
	// time in another layout) is canonicalised and hashed again.
	if !v.matches(e, e.At, e.Data) {
		t, err := time.Parse(time.RFC3339Nano, string(e.At))
		if err != nil || !v.matches(e, []byte(t.UTC().Format(TimeLayout)), compact(e.Data)) {
			return &BadEntry{Seq: e.Seq, Reason: "its content does not match its hash (the entry was altered)"}
		}
	}
	v.advance(e.Hash)
	return nil
}

// order checks that an entry numbered seq comes next and that its prev is
// the hash of the entry before it.
func (v *Verifier) order(seq int64, prev []byte) error {
	want := v.n + 1
	switch {
	case seq > want:
		if want == 1 {
			return &BadEntry{Seq: want, Reason: fmt.Sprintf("entries %d to %d are missing: the chain starts at %d", want, seq-1, seq)}
		}
		return &BadEntry{Seq: want, Reason: fmt.Sprintf("missing: entry %d is followed by %d (an entry was removed)", want-1, seq)}
	case seq < want:
		return &BadEntry{Seq: seq, Reason: fmt.Sprintf("out of order: found after entry %d (entries were reordered or duplicated)", want-1)}
	}
	if v.midChain {
		if len(prev) != len(v.first) {
			return &BadEntry{Seq: seq, Reason: "its prev does not match the hash of the entry before it (an entry was removed, reordered or rewritten)"}
		}
		v.midChain = false
		copy(v.first[:], prev)
		v.hasFirst = true
		v.hasPrev = true
		copy(v.prev[:], prev) // hashed as its own prev, then replaced by advance
		return nil
	}
	if !bytes.Equal(prev, v.prevHash()) {
		return &BadEntry{Seq: seq, Reason: "its prev does not match the hash of the entry before it (an entry was removed, reordered or rewritten)"}
	}
	return nil
}

// advance records a verified entry's hash as the next one's prev.
func (v *Verifier) advance(hash []byte) {
	v.n++
	copy(v.prev[:], hash) // it matched a SHA-256 in hex: the whole array
	v.hasPrev = true
}

func (v *Verifier) prevHash() []byte {
	if !v.hasPrev {
		return nil
	}
	return v.prev[:]
}

// matches hashes e with at and data as given (the encoding of Hash) and
// compares the result with e.Hash.
func (v *Verifier) matches(e *Stored, at, data []byte) bool {
	var seq [20]byte
	b := appendField(v.buf[:0], version)
	b = appendField(b, strconv.AppendInt(seq[:0], e.Seq, 10))
	b = appendField(b, at)
	b = appendField(b, e.Actor)
	b = appendField(b, e.Action)
	b = appendField(b, e.Kind)
	b = appendField(b, e.Key)
	b = appendField(b, data)
	b = appendField(b, v.prevHash())
	v.buf = b
	return sumIs(b, e.Hash)
}

// sumIs reports whether hash is the hex SHA-256 of b.
func sumIs(b, hash []byte) bool {
	sum := sha256.Sum256(b)
	var hexSum [sha256.Size * 2]byte
	hex.Encode(hexSum[:], sum[:])
	return bytes.Equal(hexSum[:], hash)
}

var version = []byte("ward-audit-v1")

// appendField appends one length-prefixed field, as Hash encodes it.
func appendField(b, s []byte) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	b = append(b, s...)
	return append(b, ',')
}

// End checks the chain's end against head, after the last entry.
func (v *Verifier) End(head Head) error {
	last := v.n
	switch {
	case last < head.Seq:
		return &BadEntry{Seq: last + 1, Reason: fmt.Sprintf("missing: the chain ends at entry %d but its head is at %d (the trail was cut back)", last, head.Seq)}
	case last > head.Seq:
		return &BadEntry{Seq: head.Seq + 1, Reason: fmt.Sprintf("beyond the head: the head is at entry %d but the chain runs to %d", head.Seq, last)}
	case string(v.prevHash()) != head.Hash:
		return &BadEntry{Seq: head.Seq, Reason: "the last entry's hash does not match the head (the end of the trail was rewritten)"}
	}
	return nil
}
