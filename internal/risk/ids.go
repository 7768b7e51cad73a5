package risk

import (
	"fmt"
	"regexp"
	"strings"

	"ward/internal/workspace"
)

// Find is the risk with id in ws, or nil.
func Find(ws *workspace.Workspace, id string) *workspace.Risk {
	for i := range ws.Risks {
		if ws.Risks[i].ID == id {
			return &ws.Risks[i]
		}
	}
	return nil
}

var idRun = regexp.MustCompile(`[^a-z0-9]+`)

// NewID names a new risk r-ASSET-THREAT (the threat shortened to 32
// characters), with -2, -3, ... when that is taken. `ward risk add` and
// the web's new-risk form both use it, so a risk gets the same id either
// way.
func NewID(ws *workspace.Workspace, asset, threat string) string {
	t := strings.Trim(idRun.ReplaceAllString(strings.ToLower(threat), "-"), "-")
	if len(t) > 32 {
		t = strings.TrimRight(t[:32], "-")
	}
	base := "r-" + asset
	if t != "" {
		base += "-" + t
	}
	id := base
	for n := 2; Find(ws, id) != nil; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	return id
}
