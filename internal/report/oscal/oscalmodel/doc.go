// Package oscalmodel is every OSCAL 1.1.3 model as Go types generated from
// NIST's complete JSON schema (model_gen.go; the generator is ./gen). Tests
// decode ward's exports into these types with unknown fields refused and
// encode them again, the way a tool built on NIST's schema (compliance-
// trestle's generated models, go-oscal's types) loads a document: an
// object model ward's writer did not define. The ward binary never imports
// this package.
package oscalmodel

//go:generate go run ./gen
