package catalog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"testing"
	"testing/fstest"
)

// TestCompiledCatalog: compiled.json holds every data file exactly as
// its YAML parses, under the YAML's hash; -update rewrites it. A catalog
// loaded through it equals one parsed from the YAML alone.
func TestCompiledCatalog(t *testing.T) {
	names, err := fs.Glob(dataFS, "data/*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no data files: %v", err)
	}
	slices.Sort(names)
	var want []compiledFile
	for _, name := range names {
		data, err := fs.ReadFile(dataFS, name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parseYAML(name, data)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		want = append(want, compiledFile{Name: name, SHA256: hex.EncodeToString(sum[:]), File: f})
	}
	b, err := json.MarshalIndent(want, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.WriteFile("data/compiled.json", b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(b, compiledJSON) {
		t.Fatal("data/compiled.json is out of date with data/*.yaml (the catalog loads from the YAML meanwhile, 50 ms slower): go test ./internal/catalog -run TestCompiledCatalog -update")
	}
	for _, w := range want {
		data, _ := fs.ReadFile(dataFS, w.Name)
		got, ok := compiledOf(w.Name, data)
		if !ok {
			t.Fatalf("%s: not taken from compiled.json", w.Name)
		}
		if !reflect.DeepEqual(got, w.File) {
			t.Errorf("%s: compiled.json's form differs from the YAML's", w.Name)
		}
	}
	// The whole catalog, through compiled.json and from the YAML alone.
	viaCompiled, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	yamlOnly := fstest.MapFS{}
	for _, name := range names {
		data, _ := fs.ReadFile(dataFS, name)
		// A trailing comment changes the hash, not the content: every file
		// is parsed from its YAML.
		yamlOnly[name] = &fstest.MapFile{Data: append(slices.Clone(data), "\n# parsed from YAML\n"...)}
	}
	fromYAML, err := LoadFrom(yamlOnly)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(viaCompiled, fromYAML) {
		t.Error("the catalog through compiled.json differs from the catalog parsed from its YAML")
	}
}

// An edited data file is parsed from its YAML, whatever compiled.json
// holds for the file as it was.
func TestCompiledCatalogIgnoresEditedFile(t *testing.T) {
	data, err := fs.ReadFile(dataFS, "data/baa.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := compiledOf("data/baa.yaml", data); !ok {
		t.Skip("compiled.json is out of date; TestCompiledCatalog says so")
	}
	edited := bytes.Replace(data, []byte("\n"), []byte("\n# edited\n"), 1)
	if _, ok := compiledOf("data/baa.yaml", edited); ok {
		t.Error("an edited file was taken from compiled.json")
	}
}
