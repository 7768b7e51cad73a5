// Package oscaltest validates documents against NIST's OSCAL JSON schema
// (internal/report/oscal/testdata/schema: the complete schema of OSCAL
// 1.1.3, every model in one file). It is for tests only: the ward binary
// never imports it, so the schema validator stays a test dependency. It
// must not import package oscal (oscal's own tests use it).
package oscaltest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaFile is NIST's complete schema of the OSCAL release ward writes.
const SchemaFile = "oscal_complete_schema-1-1-3.json"

var (
	once    sync.Once
	schema  *jsonschema.Schema
	loadErr error
)

// SchemaDir is where the NIST schema is stored.
func SchemaDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "schema")
}

// Validate checks a document (any OSCAL model: its one top-level key says
// which) against NIST's complete schema, with format assertions on
// (date-time, URI, e-mail), as NIST's tooling does. kind is kept for the
// callers' messages; the schema itself tells the models apart.
func Validate(kind string, data []byte) error {
	once.Do(compile)
	if loadErr != nil {
		return fmt.Errorf("NIST schema: %w", loadErr)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%s: not JSON: %w", kind, err)
	}
	return schema.Validate(inst)
}

func compile() {
	f, err := os.Open(filepath.Join(SchemaDir(), SchemaFile))
	if err != nil {
		loadErr = err
		return
	}
	doc, err := jsonschema.UnmarshalJSON(f)
	f.Close()
	if err != nil {
		loadErr = fmt.Errorf("%s: %w", SchemaFile, err)
		return
	}
	dropPointerIDs(doc)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	url := "file:///schema/" + SchemaFile
	if err := c.AddResource(url, doc); err != nil {
		loadErr = err
		return
	}
	if schema, err = c.Compile(url); err != nil {
		loadErr = fmt.Errorf("%s: %w", SchemaFile, err)
	}
}

// dropPointerIDs removes, in memory, the "$id" of each definition that is
// the definition's own JSON pointer ("#/definitions/NAME"). NIST's
// generated draft-07 schema names every definition that way; a draft-07
// "$id" is a base URI, not a pointer, and a strict validator refuses a
// fragment that is not a plain name. Every "$ref" already uses the same
// pointer, so what the schema validates is unchanged; the stored file
// stays byte for byte NIST's.
func dropPointerIDs(v any) {
	switch v := v.(type) {
	case map[string]any:
		if id, ok := v["$id"].(string); ok && strings.HasPrefix(id, "#/") {
			delete(v, "$id")
		}
		for _, x := range v {
			dropPointerIDs(x)
		}
	case []any:
		for _, x := range v {
			dropPointerIDs(x)
		}
	}
}
