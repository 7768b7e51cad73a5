// Package secq answers a customer's security questionnaire from the
// program ward already runs: a bank of questions in ward's own words (data/
// bank.yaml, embedded), each mapped to unified controls; answer logic that
// turns those controls' standing on a date into yes, no, partial or not
// applicable with a narrative and its sources; a lexical matcher (BM25
// with synonyms) that finds the bank question a customer's row asks; and
// the approved answers a person signed off, reused until a control under
// them changes.
//
// It is not the risk questionnaire (internal/risk), which asks the
// organization about itself to propose risks. Here the questions come from
// a hospital's vendor-risk team and ward answers them.
//
// Everything is a pure function of the workspace, the catalog and the
// dates given: no clock, no storage, no HTTP. Reading and writing the
// customer's spreadsheet lives in secq/sheet.
package secq

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"

	"ward/internal/catalog"
)

//go:embed data/bank.yaml
var bankYAML []byte

// Answer logic over a question's controls.
const (
	LogicAll = "all" // yes only when every adopted control operates
	LogicAny = "any" // yes when one of them does (alternatives)
)

// Polarity of a question: a negative one asks about something that should
// not happen ("Is real PHI used in testing?"), so controls that operate
// answer it "no".
const (
	PolarityPositive = "positive"
	PolarityNegative = "negative"
)

// Facts a question may quote from the workspace (see facts.go).
var Facts = []string{"officers", "risk-analysis", "soc2", "hitrust", "subprocessors", "phi-encryption", "baa-customers", "breaches"}

// Bank is the embedded question bank.
type Bank struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	Version   string      `json:"version"`
	Source    string      `json:"source"`
	Published string      `json:"published"`
	Domains   []Domain    `json:"domains"`
	Questions []*Question `json:"questions"`

	index map[string]*Question
}

// Domain is a group of questions, with the sections of the public
// questionnaires (SIG Lite, CAIQ, HECVAT) it corresponds to, by name.
type Domain struct {
	ID        string   `json:"id" yaml:"id"`
	Name      string   `json:"name" yaml:"name"`
	Structure []string `json:"structure" yaml:"structure"`
}

// Question is one bank question and how ward answers it.
type Question struct {
	ID       string `json:"id" yaml:"id"`
	Domain   string `json:"domain" yaml:"domain"`
	Question string `json:"question" yaml:"question"`
	// Answer is what ward says when the controls operate.
	Answer   string   `json:"answer" yaml:"answer"`
	Controls []string `json:"controls" yaml:"controls"`
	Logic    string   `json:"logic" yaml:"logic"`
	Polarity string   `json:"polarity" yaml:"polarity"`
	// Manual: ward keeps no data that decides the answer (an uptime
	// figure, a product feature); the text is a draft and the row always
	// goes to review until a person approves an answer.
	Manual bool     `json:"manual,omitempty" yaml:"manual"`
	Terms  []string `json:"terms,omitempty" yaml:"terms"`
	Fact   string   `json:"fact,omitempty" yaml:"fact"`
}

// Question returns the bank question with id, or nil.
func (b *Bank) Question(id string) *Question { return b.index[id] }

// Domain returns the domain with id, or nil.
func (b *Bank) Domain(id string) *Domain {
	for i := range b.Domains {
		if b.Domains[i].ID == id {
			return &b.Domains[i]
		}
	}
	return nil
}

var (
	defaultOnce sync.Once
	defaultBank *Bank
)

// Default is the embedded bank, checked against the default catalog. It
// panics if the embedded data is invalid, which a test catches first.
func Default() *Bank {
	defaultOnce.Do(func() {
		b, err := Load(bankYAML, catalog.Default())
		if err != nil {
			panic("secq: embedded bank: " + err.Error())
		}
		defaultBank = b
	})
	return defaultBank
}

type bankFile struct {
	Bank struct {
		ID        string `yaml:"id"`
		Name      string `yaml:"name"`
		Version   string `yaml:"version"`
		Source    string `yaml:"source"`
		Published string `yaml:"published"`
	} `yaml:"bank"`
	Domains   []Domain    `yaml:"domains"`
	Questions []*Question `yaml:"questions"`
}

// Load parses and validates a bank: ids unique and lower-case, every
// question in a known domain, with text, an answer and at least one
// control, every control in the catalog, logic, polarity and fact known.
func Load(data []byte, cat *catalog.Catalog) (*Bank, error) {
	var f bankFile
	if err := yaml.NewDecoder(bytes.NewReader(data), yaml.Strict()).Decode(&f); err != nil {
		return nil, fmt.Errorf("bank: %s", yaml.FormatError(err, false, true))
	}
	b := &Bank{ID: f.Bank.ID, Name: f.Bank.Name, Version: f.Bank.Version, Source: f.Bank.Source, Published: f.Bank.Published,
		Domains: f.Domains, Questions: f.Questions, index: map[string]*Question{}}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if b.ID == "" || b.Version == "" || b.Source == "" || b.Published == "" {
		bad("bank: id, version, source and published are required (provenance)")
	}
	domains := map[string]bool{}
	for i, d := range b.Domains {
		if d.ID == "" || d.Name == "" || domains[d.ID] {
			bad("domains[%d]: an id (unique) and a name are required", i)
		}
		domains[d.ID] = true
	}
	for i, q := range b.Questions {
		where := fmt.Sprintf("questions[%d] (%s)", i, q.ID)
		if !validID(q.ID) {
			bad("%s: id %q must be lower-case letters, digits and hyphens", where, q.ID)
		}
		if b.index[q.ID] != nil {
			bad("%s: id %q appears twice", where, q.ID)
		}
		b.index[q.ID] = q
		if !domains[q.Domain] {
			bad("%s: domain %q is not one of the domains", where, q.Domain)
		}
		if strings.TrimSpace(q.Question) == "" || strings.TrimSpace(q.Answer) == "" {
			bad("%s: question and answer are required", where)
		}
		if len(q.Controls) == 0 {
			bad("%s: map it to at least one control", where)
		}
		for _, c := range q.Controls {
			if cat.Control(c) == nil {
				bad("%s: control %q is not in the catalog", where, c)
			}
		}
		switch q.Logic {
		case "":
			q.Logic = LogicAll
		case LogicAll, LogicAny:
		default:
			bad("%s: logic %q is not all or any", where, q.Logic)
		}
		switch q.Polarity {
		case "":
			q.Polarity = PolarityPositive
		case PolarityPositive, PolarityNegative:
		default:
			bad("%s: polarity %q is not positive or negative", where, q.Polarity)
		}
		if q.Fact != "" && !slices.Contains(Facts, q.Fact) {
			bad("%s: fact %q is not one of %s", where, q.Fact, strings.Join(Facts, ", "))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return b, nil
}

func validID(id string) bool {
	if id == "" || id[0] == '-' || id[len(id)-1] == '-' {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
