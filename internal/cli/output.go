package cli

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// Plural is "s" unless n is 1 or -1.
func Plural(n int) string {
	if n == 1 || n == -1 {
		return ""
	}
	return "s"
}

// Clip shortens s to n characters, ending in an ellipsis, for a message.
func Clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// WriteFileAtomic writes through a temporary file in the same folder and
// renames it into place, so a failed write leaves no partial document.
func WriteFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
