package msp

import (
	"crypto/rand"
	"debug/elf"
	"encoding/hex"
	"os"
	"sync"
)

// RulesVersion names the program that evaluates a row: the Go build ID
// of the running executable, which changes with any change to its code,
// its rules or its embedded catalog, so a row stored by another build is
// never taken for this one's. Where the build ID cannot be read (not an
// ELF executable), it is made up for this process: stored rows are then
// not reused across restarts, never wrong.
var RulesVersion = sync.OnceValue(func() string {
	if id := buildID(); id != "" {
		return "go:" + id
	}
	b := make([]byte, 16)
	rand.Read(b)
	return "process:" + hex.EncodeToString(b)
})

// buildID reads the Go build ID note of the running executable ("" when
// there is none).
func buildID() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := elf.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	sec := f.Section(".note.go.buildid")
	if sec == nil {
		return ""
	}
	note, err := sec.Data()
	// The note: name size, description size, type (4 each, in the
	// file's byte order), the name "Go\x00\x00", the description (the ID).
	if err != nil || len(note) < 16 || string(note[12:16]) != "Go\x00\x00" {
		return ""
	}
	n := f.ByteOrder.Uint32(note[4:8])
	if uint64(n) > uint64(len(note)-16) || n == 0 {
		return ""
	}
	return string(note[16 : 16+n])
}
