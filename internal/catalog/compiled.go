package catalog

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"sync"
)

// The data files are YAML, for people to read and review; parsing them
// took 50 ms, paid by every ward command that reads the catalog (an
// import, a check, a report) before it did anything. compiled.json holds
// each file as it parses, in JSON, which decodes in a few milliseconds,
// under the SHA-256 of the YAML it came from: a file whose hash does not
// match (edited since, or a variant in a test) is parsed from its YAML
// as before, so the compiled form can make the catalog slower to load,
// never different. TestCompiledCatalog fails while it is out of date,
// and rewrites it with -update:
//
//	go test ./internal/catalog -run TestCompiledCatalog -update
//
//go:embed data/compiled.json
var compiledJSON []byte

// compiledFile is one data file in compiled.json.
type compiledFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	File   file   `json:"file"`
}

var compiled = sync.OnceValue(func() map[string]compiledFile {
	var files []compiledFile
	if err := json.Unmarshal(compiledJSON, &files); err != nil {
		return nil // the YAML is parsed instead; the test says why
	}
	out := make(map[string]compiledFile, len(files))
	for _, f := range files {
		out[f.Name] = f
	}
	return out
})

// compiledOf is the parsed form of the data file name with content data,
// when compiled.json holds it for exactly that content.
func compiledOf(name string, data []byte) (file, bool) {
	c, ok := compiled()[name]
	if !ok {
		return file{}, false
	}
	sum := sha256.Sum256(data)
	if c.SHA256 != hex.EncodeToString(sum[:]) {
		return file{}, false
	}
	return c.File, true
}
