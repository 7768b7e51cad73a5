// Package oscaltest validates documents against NIST's OSCAL JSON schemas
// (internal/report/oscal/testdata/schema). It is for tests only: the ward
// binary never imports it, so the schema validator stays a test
// dependency. It must not import package oscal (oscal's own tests use it).
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

// SchemaFiles maps a document kind (as `ward export oscal` names it) to
// NIST's schema file.
var SchemaFiles = map[string]string{
	"ssp":                "oscal_ssp_schema.json",
	"assessment-results": "oscal_assessment-results_schema.json",
	"poam":               "oscal_poam_schema.json",
}

var (
	once    sync.Once
	schemas map[string]*jsonschema.Schema
	loadErr error
)

// SchemaDir is where the NIST schemas are stored.
func SchemaDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "schema")
}

// Validate checks a document of the kind against NIST's schema, with
// format assertions on (date-time, URI, e-mail), as NIST's tooling does.
func Validate(kind string, data []byte) error {
	once.Do(compile)
	if loadErr != nil {
		return fmt.Errorf("NIST schema: %w", loadErr)
	}
	s := schemas[kind]
	if s == nil {
		return fmt.Errorf("no schema for %q", kind)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(inst)
}

func compile() {
	schemas = map[string]*jsonschema.Schema{}
	for kind, name := range SchemaFiles {
		f, err := os.Open(filepath.Join(SchemaDir(), name))
		if err != nil {
			loadErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			loadErr = fmt.Errorf("%s: %w", name, err)
			return
		}
		anchorRefs(doc)
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		url := "file:///schema/" + name
		if err := c.AddResource(url, doc); err != nil {
			loadErr = err
			return
		}
		s, err := c.Compile(url)
		if err != nil {
			loadErr = fmt.Errorf("%s: %w", name, err)
			return
		}
		schemas[kind] = s
	}
}

// anchorRefs rewrites, in memory, every schema object that has both a
// "$ref" and a plain-name "$id" ("#field_...") into one whose "$ref" sits
// in an allOf. NIST's generated draft-07 schemas name definitions that
// way; draft-07 says a "$ref" object's other keywords are ignored, so a
// strict validator does not see the anchor and cannot resolve references
// to it. The rewrite keeps what the object validates (exactly its $ref)
// and keeps the anchor; the stored files stay byte for byte NIST's.
func anchorRefs(v any) {
	switch v := v.(type) {
	case map[string]any:
		id, hasID := v["$id"].(string)
		if ref, ok := v["$ref"]; ok && hasID && strings.HasPrefix(id, "#") {
			delete(v, "$ref")
			all, _ := v["allOf"].([]any)
			v["allOf"] = append([]any{map[string]any{"$ref": ref}}, all...)
		}
		for _, x := range v {
			anchorRefs(x)
		}
	case []any:
		for _, x := range v {
			anchorRefs(x)
		}
	}
}
