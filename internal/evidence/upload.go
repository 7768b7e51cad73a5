package evidence

import (
	"path"
	"strings"

	"ward/internal/workspace"
)

// UploadPath is the workspace path given to an uploaded file (web upload
// or `ward evidence add`), so that `ward export` writes it out and a
// re-apply finds it: evidence/uploads/<first 12 hex of its SHA-256>-<name>.
// The hash prefix keeps two different files with one name apart; the name
// is reduced to letters, digits, dot, dash and underscore so it is a safe,
// local path on every system.
func UploadPath(sha, name string) string {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	var b strings.Builder
	for _, r := range base {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	clean := strings.TrimLeft(b.String(), ".")
	if clean == "" {
		clean = "file"
	}
	if len(sha) > 12 {
		sha = sha[:12]
	}
	return "evidence/uploads/" + sha + "-" + clean
}

// SupersededBy maps each superseded item's id to the id of the item that
// supersedes it: both stay on record, the map says which one counts.
func SupersededBy(items []workspace.Evidence) map[string]string {
	out := map[string]string{}
	for _, e := range items {
		if e.Supersedes != "" {
			out[e.Supersedes] = e.ID
		}
	}
	return out
}
