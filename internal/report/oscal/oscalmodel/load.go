package oscalmodel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
)

// Load reads an OSCAL JSON document into the generated model of its one
// top-level key, as a tool built on NIST's schema would: a property the
// model does not define, a value of the wrong JSON type or a required
// property left out is an error. It returns the typed document.
//
// Required properties are plain fields, so one that is missing decodes to
// its zero value and comes back out on encoding: encoding the typed
// document again must give the same JSON, or the document is not one the
// model holds.
func Load(data []byte) (any, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	var model string
	for k := range top {
		if k == "$schema" {
			continue
		}
		if model != "" {
			return nil, fmt.Errorf("two models in one document: %s and %s", model, k)
		}
		model = k
	}
	newDoc, ok := Models[model]
	if !ok {
		return nil, fmt.Errorf("%q is not an OSCAL model", model)
	}
	doc := newDoc()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(doc); err != nil {
		return nil, fmt.Errorf("%s: %w", model, err)
	}
	again, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var a, b any
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(again, &b); err != nil {
		return nil, err
	}
	if !reflect.DeepEqual(a, b) {
		return nil, fmt.Errorf("%s: the model does not hold the document as written: %s", model, firstDifference("", a, b))
	}
	return doc, nil
}

// firstDifference names where two decoded JSON values first differ.
func firstDifference(path string, a, b any) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return path + ": type differs"
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok {
				return path + "/" + k + ": dropped by the model"
			}
			if !reflect.DeepEqual(v, w) {
				return firstDifference(path+"/"+k, v, w)
			}
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				return path + "/" + k + ": required but missing"
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return path + ": array differs"
		}
		for i := range x {
			if !reflect.DeepEqual(x[i], y[i]) {
				return firstDifference(fmt.Sprintf("%s/%d", path, i), x[i], y[i])
			}
		}
	}
	return fmt.Sprintf("%s: %v became %v", path, a, b)
}
