package workspace

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"ward/internal/bounds"
	"ward/internal/date"
)

// checkBounds holds every value of every record to the limits of package
// bounds (issue 20): ids of a safe character set and length, text of a
// sane length and valid UTF-8 without control characters, lists and maps
// of a bounded size, numbers and dates in range. It walks the model by
// reflection, so a field added later is bounded too without a line here.
func (c *checker) checkBounds() {
	v := reflect.ValueOf(c.ws).Elem()
	t := v.Type()
	for i := range t.NumField() {
		name, _ := yamlName(t.Field(i))
		if name == "" {
			continue
		}
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Slice:
			if f.Len() > bounds.MaxRecords {
				c.errf(name, bounds.MaxRecords, "", "%d records: a workspace holds at most %d %s", f.Len(), bounds.MaxRecords, name)
			}
			for j := range min(f.Len(), bounds.MaxRecords) {
				c.boundRecord(name, j, f.Index(j))
			}
		case reflect.Struct:
			c.boundRecord(name, 0, f)
		}
	}
	o := c.ws.Organization.SOC2
	if m := o.ObservationMonths; m != 0 && (m < bounds.MinObservationMonths || m > bounds.MaxObservationMonths) {
		c.errf("organization", 0, "soc2.observation_months", "%d is outside %d..%d: a SOC 2 Type II observation period runs from %d month to %d years (3 to 6 months is usual for a first one)",
			m, bounds.MinObservationMonths, bounds.MaxObservationMonths, bounds.MinObservationMonths, bounds.MaxObservationMonths/12)
	}
	for i, a := range c.ws.Agreements {
		if a.BreachNoticeDays > 365 {
			c.errf("agreements", i, "breach_notice_days", "%d days is more than a year: give the agreement's term in days (such as 10, 30 or 60)", a.BreachNoticeDays)
		}
	}
}

// Dates ward accepts in a workspace: the years date.CheckYears allows.
const (
	minYear = date.MinYear
	maxYear = date.MaxYear
)

var dateT = reflect.TypeFor[date.Date]()

// boundRecord walks one record.
func (c *checker) boundRecord(section string, i int, v reflect.Value) {
	t := v.Type()
	for k := range t.NumField() {
		name, _ := yamlName(t.Field(k))
		if name == "" {
			continue
		}
		c.boundValue(section, i, name, name, v.Field(k), true)
	}
}

// boundValue checks one value at path (the field's user-facing path
// inside the record); top says it is a field of the record itself, where
// "id" is the record's id.
func (c *checker) boundValue(section string, i int, path, name string, v reflect.Value, top bool) {
	switch {
	case v.Type() == dateT:
		if d := v.Interface().(date.Date); !d.IsZero() && (d.Year() < minYear || d.Year() > maxYear) {
			c.errf(section, i, path, "%s is outside the years %d to %d", d, minYear, maxYear)
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		c.boundString(section, i, path, name, v.String(), top)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n := v.Int()
		limit := int64(bounds.MaxCount)
		if name == "size" {
			limit = 1 << 40 // a file's bytes: 1 TiB
		}
		if n > limit || n < -limit {
			c.errf(section, i, path, "%d is out of range (at most %d)", n, limit)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			c.boundValue(section, i, path, name, v.Elem(), false)
		}
	case reflect.Struct:
		t := v.Type()
		for k := range t.NumField() {
			fn, _ := yamlName(t.Field(k))
			if fn == "" {
				continue
			}
			c.boundValue(section, i, path+"."+fn, fn, v.Field(k), false)
		}
	case reflect.Slice:
		if v.Len() > bounds.MaxList {
			c.errf(section, i, path, "has %d items; a list holds at most %d", v.Len(), bounds.MaxList)
			return
		}
		for j := range v.Len() {
			c.boundValue(section, i, path+"["+strconv.Itoa(j)+"]", name, v.Index(j), false)
		}
	case reflect.Map:
		if v.Len() > bounds.MaxList {
			c.errf(section, i, path, "has %d entries; at most %d", v.Len(), bounds.MaxList)
			return
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			if a.String() < b.String() {
				return -1
			}
			return 1
		})
		for _, key := range keys {
			p := path + "." + key.String()
			if err := bounds.Line(key.String(), bounds.MaxName); err != nil {
				c.errf(section, i, path, "the key %q %v", bounds.Clip(key.String(), 40), err)
				continue
			}
			c.boundValue(section, i, p, name, v.MapIndex(key), false)
		}
	}
}

// oneLine are the fields that name something in a line: a name, a title.
var oneLine = map[string]bool{"name": true, "title": true}

func (c *checker) boundString(section string, i int, path, name, s string, top bool) {
	var err error
	switch {
	case top && name == "id" && (section == "threats" || section == "vulnerabilities"):
		// Their own, stricter rule checks the characters (ownLibraryID).
		if len(s) > bounds.MaxID {
			err = fmt.Errorf("is %d characters long; an id has at most %d", len(s), bounds.MaxID)
		}
	case top && name == "id":
		if s == "" {
			return // "is missing" is reported by the section's own rule
		}
		err = bounds.ID(s)
	case name == "email" && section == "people":
		// Whether it is an address at all is checkPeople's to say.
		if err = bounds.Line(s, bounds.MaxEmail); err == nil && strings.ContainsAny(s, " /\\") {
			err = fmt.Errorf("%q has a space or a slash, which no e-mail address has", s)
		}
	case name == "file":
		err = filePath(s)
	case oneLine[name]:
		err = bounds.Text(s, bounds.MaxName)
	default:
		err = bounds.Text(s, bounds.MaxText)
	}
	if err != nil {
		c.errf(section, i, path, "%v", err)
	}
}

// filePath bounds a path to an evidence or agreement file: each part a
// name a file system can hold (at most 255 bytes), no control characters.
func filePath(p string) error {
	if err := bounds.Line(p, 1024); err != nil {
		return err
	}
	start := 0
	for j := 0; j <= len(p); j++ {
		if j == len(p) || p[j] == '/' || p[j] == '\\' {
			if j-start > 255 {
				return fmt.Errorf("has a name of %d bytes; a file system allows at most 255 (%q...)", j-start, bounds.Clip(p[start:j], 40))
			}
			start = j + 1
		}
	}
	return nil
}
