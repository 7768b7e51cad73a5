package cli

import (
	"fmt"
	"sort"
	"strings"

	"ward/internal/date"
	"ward/internal/workspace"
)

// Person resolves a person given by email or by name (case-insensitive)
// to their email, since the workspace refers to people by email.
func Person(ws *workspace.Workspace, flagName, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if p := ws.Person(s); p != nil {
		return p.Email, nil
	}
	var found []string
	for _, p := range ws.People {
		if strings.EqualFold(p.Email, s) || strings.EqualFold(p.Name, s) {
			found = append(found, p.Email)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		var names []string
		for _, p := range ws.People {
			names = append(names, p.Email)
		}
		return "", BadInput("%s %q is not anyone under people (by email or name): one of %s; nothing was written", flagName, s, strings.Join(names, ", "))
	}
	return "", BadInput("%s %q names %d people (%s): give the email; nothing was written", flagName, s, len(found), strings.Join(found, ", "))
}

// ParseDateFlag parses the date of flag name (YYYY-MM-DD) as bad input
// naming the flag.
func ParseDateFlag(name, s string) (date.Date, error) {
	if s == "" {
		return date.Date{}, nil
	}
	d, err := date.Parse(s)
	if err != nil {
		return d, BadInput("%s: %v; nothing was written", name, err)
	}
	return d, nil
}

// SplitList splits a comma-separated flag value, dropping blanks.
func SplitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// ValidateEdit checks the organization as it would be after an edit with
// apply's rules, and returns the errors about the changed record (section
// and index), as an exit-2 error naming each flag.
func ValidateEdit(env *Env, ws *workspace.Workspace, section string, index int, cmd string, flagOf map[string]string) error {
	opt := WorkspaceOptions()
	opt.Today = date.Today()
	errs := workspace.Validate(ws, opt)
	if len(errs) == 0 {
		return nil
	}
	fields := errs.FieldErrors(section, index)
	if len(fields) == 0 {
		return nil // the stored organization's own problems, not this edit's
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: not recorded; nothing was written:", cmd)
	for _, k := range keys {
		name := k
		for prefix, f := range flagOf {
			if k == prefix || strings.HasPrefix(k, prefix+".") || strings.HasPrefix(k, prefix+"[") {
				name = f + " (" + k + ")"
				break
			}
		}
		if name == "" {
			name = section
		}
		fmt.Fprintf(&b, "\n  %s: %s", name, fields[k])
	}
	return BadInput("%s", b.String())
}
