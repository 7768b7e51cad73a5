package plan

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Question is one of the decision tree's four questions, as data: the CLI
// asks it on a terminal, the web renders it as a form field.
type Question struct {
	// ID is the key under organization.answers.
	ID string `json:"id"`
	// Rule is the number of the rule that reads the answer.
	Rule int    `json:"rule"`
	Text string `json:"text"`
	Help string `json:"help"`
	// Field is the answer's path in the workspace file.
	Field string `json:"field"`
}

// Questions returns the four questions in the order they are asked.
func Questions() []Question {
	qs := []Question{
		{
			ID: "handles_phi", Rule: 1,
			Text: "Will you create, receive, store or transmit protected health information (PHI)?",
			Help: "PHI is individually identifiable health information held for a covered entity: patient names with appointments, diagnoses, claims, device readings. Test data that is not real PHI does not count. If yes, HIPAA applies from the first PHI, and first.",
		},
		{
			ID: "sells_to_covered_entities", Rule: 2,
			Text: "Do you sell to covered entities (providers, health plans, clearinghouses) or to their business associates?",
			Help: "If yes, each of them must sign a Business Associate Agreement with you before live PHI (45 CFR 164.502(e), 164.504(e)). A customer recorded with covered_entity: true counts as yes.",
		},
		{
			ID: "enterprise_health_systems", Rule: 3,
			Text: "Do your enterprise sales include large health systems or academic medical centers?",
			Help: "If yes, plan HITRUST CSF later: it is not a first-program framework, and it reuses the HIPAA and SOC 2 evidence.",
		},
		{
			ID: "buyers_ask_soc2", Rule: 4,
			Text: "Do buyers ask you for a SOC 2 report?",
			Help: "If yes, SOC 2 readiness is planned: in parallel with HIPAA when you touch PHI, first when you do not; a BAA is never delayed to wait for SOC 2.",
		},
	}
	// Field is derived from ID so that the two cannot drift apart.
	for i := range qs {
		qs[i].Field = FieldOf(qs[i].ID)
	}
	return qs
}

// questionIDs are the answer keys in the order they are asked.
var questionIDs = func() []string {
	var ids []string
	for _, q := range Questions() {
		ids = append(ids, q.ID)
	}
	return ids
}()

// FieldOf is the workspace path of an answer key.
func FieldOf(id string) string { return "organization.answers." + id }

var (
	// keyLine matches "  key: value  # comment" (value and comment optional).
	keyLine = regexp.MustCompile(`^(\s*)([A-Za-z_][A-Za-z0-9_-]*)(\s*:)(?:(\s*)([^#]*?))?(\s+#.*)?\s*$`)
)

// ApplyAnswers rewrites the organization.answers block of an organization
// YAML file with answers (keys: the Question ids; keys not given keep their
// value) and returns the new file. Everything else in the file, comments
// included, is kept byte for byte: the edit is a line edit, because a
// workspace file is reviewed in git and a reformatted file hides the change.
// It handles a block answers mapping (the form ward writes), adds missing
// keys, adds the block when absent, and turns a flow mapping
// (answers: {handles_phi: true}) into a block.
func ApplyAnswers(yamlBytes []byte, answers map[string]bool) ([]byte, error) {
	for k := range answers {
		if !slices.Contains(questionIDs, k) {
			return nil, fmt.Errorf("organization.answers.%s: unknown question; the questions are %s", k, strings.Join(questionIDs, ", "))
		}
	}
	nl := "\n"
	if bytes.Contains(yamlBytes, []byte("\r\n")) {
		nl = "\r\n"
	}
	text := strings.ReplaceAll(string(yamlBytes), "\r\n", "\n")
	trailingNL := strings.HasSuffix(text, "\n")
	text = strings.TrimSuffix(text, "\n")
	lines := strings.Split(text, "\n")
	if text == "" {
		lines = nil
	}

	// The top-level organization mapping.
	org := -1
	for i, l := range lines {
		if m := keyLine.FindStringSubmatch(l); m != nil && m[1] == "" && m[2] == "organization" {
			if strings.TrimSpace(m[5]) != "" {
				return nil, fmt.Errorf("line %d: organization: is written on one line; write it as a block mapping so answers can be edited", i+1)
			}
			org = i
			break
		}
	}
	if org < 0 {
		return nil, fmt.Errorf("no top-level organization: mapping in the file; add one (ward init writes it) and try again")
	}
	orgEnd := blockEnd(lines, org, 0)
	childIndent := firstIndent(lines, org+1, orgEnd)
	if childIndent < 0 {
		childIndent = 2
	}

	// The answers key among organization's children.
	ans := -1
	for i := org + 1; i < orgEnd; i++ {
		if m := keyLine.FindStringSubmatch(lines[i]); m != nil && len(m[1]) == childIndent && m[2] == "answers" {
			ans = i
			break
		}
	}
	pad := strings.Repeat(" ", childIndent)
	if ans < 0 {
		// Add the block after the organization's last line of content.
		at := lastContent(lines, org, orgEnd)
		block := []string{pad + "answers:"}
		for _, id := range questionIDs {
			if v, ok := answers[id]; ok {
				block = append(block, pad+"  "+id+": "+yesNo(v))
			}
		}
		lines = slices.Insert(lines, at+1, block...)
		return join(lines, nl, trailingNL), nil
	}

	m := keyLine.FindStringSubmatch(lines[ans])
	val := strings.TrimSpace(m[5])
	if val != "" {
		// A flow mapping or a scalar: read what it holds, write a block.
		old := map[string]string{}
		if strings.HasPrefix(val, "{") && strings.HasSuffix(val, "}") {
			for _, kv := range strings.Split(strings.Trim(val, "{}"), ",") {
				k, v, ok := strings.Cut(kv, ":")
				if ok {
					old[strings.TrimSpace(k)] = strings.TrimSpace(v)
				}
			}
		} else if val != "null" && val != "~" {
			return nil, fmt.Errorf("line %d: organization.answers is %q, not a mapping; write the four answers as a block", ans+1, val)
		}
		block := []string{pad + "answers:" + m[6]}
		for _, id := range questionIDs {
			v, given := answers[id]
			switch {
			case given:
				block = append(block, pad+"  "+id+": "+yesNo(v))
			case old[id] != "":
				block = append(block, pad+"  "+id+": "+old[id])
			}
		}
		lines = slices.Replace(lines, ans, ans+1, block...)
		return join(lines, nl, trailingNL), nil
	}

	// A block mapping: edit the keys in place, add the missing ones.
	end := blockEnd(lines, ans, childIndent)
	ind := firstIndent(lines, ans+1, end)
	if ind < 0 {
		ind = childIndent + 2
	}
	seen := map[string]bool{}
	for i := ans + 1; i < end; i++ {
		km := keyLine.FindStringSubmatch(lines[i])
		if km == nil || len(km[1]) != ind {
			continue
		}
		v, ok := answers[km[2]]
		if !ok {
			continue
		}
		seen[km[2]] = true
		sep := km[4]
		if sep == "" {
			sep = " "
		}
		lines[i] = km[1] + km[2] + km[3] + sep + yesNo(v) + km[6]
	}
	var add []string
	for _, id := range questionIDs {
		if v, ok := answers[id]; ok && !seen[id] {
			add = append(add, strings.Repeat(" ", ind)+id+": "+yesNo(v))
		}
	}
	if len(add) > 0 {
		at := lastContent(lines, ans, end)
		lines = slices.Insert(lines, at+1, add...)
	}
	return join(lines, nl, trailingNL), nil
}

func yesNo(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func join(lines []string, nl string, trailing bool) []byte {
	s := strings.Join(lines, nl)
	if trailing {
		s += nl
	}
	return []byte(s)
}

// indentOf is the number of leading spaces, or -1 for a blank or comment
// line (which belongs to no block by itself).
func indentOf(l string) int {
	t := strings.TrimLeft(l, " ")
	if t == "" || strings.HasPrefix(t, "#") {
		return -1
	}
	return len(l) - len(t)
}

// blockEnd is the index after the last line of the block opened at line
// at, whose key is indented by indent: the next content line indented no
// deeper, or a document marker.
func blockEnd(lines []string, at, indent int) int {
	for i := at + 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "---") || strings.HasPrefix(lines[i], "...") {
			return i
		}
		if n := indentOf(lines[i]); n >= 0 && n <= indent {
			// A sequence item at the parent's indent still belongs to it
			// ("key:\n- a"), but organization's children are mappings.
			return i
		}
	}
	return len(lines)
}

// firstIndent is the indent of the first content line in [from, to), or -1.
func firstIndent(lines []string, from, to int) int {
	for i := from; i < to; i++ {
		if n := indentOf(lines[i]); n >= 0 {
			return n
		}
	}
	return -1
}

// lastContent is the last content line in (at, end), or at itself, so an
// insertion goes before trailing blank lines and comments that introduce
// the next block.
func lastContent(lines []string, at, end int) int {
	last := at
	for i := at + 1; i < end; i++ {
		if indentOf(lines[i]) >= 0 {
			last = i
		}
	}
	return last
}
