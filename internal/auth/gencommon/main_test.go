package main

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// TestListIsGenerated: the shipped list is exactly what this program
// writes, so nobody edits it by hand (or pastes in someone else's list).
func TestListIsGenerated(t *testing.T) {
	want, err := os.ReadFile("../common-passwords.txt")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "run", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, want) {
		t.Error("internal/auth/common-passwords.txt differs from what gencommon writes: run go run ./internal/auth/gencommon > internal/auth/common-passwords.txt")
	}
}
