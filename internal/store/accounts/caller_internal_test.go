package accounts

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"ward/internal/audit"
)

// TestParseMembershipArrays: the hand-written reader of the caller's
// memberships reads what both engines' JSON functions write (escapes,
// nulls, spaces) and refuses anything else.
func TestParseMembershipArrays(t *testing.T) {
	created := "2026-12-05T02:44:00.123456789Z"
	at, _ := time.Parse(time.RFC3339Nano, created)
	got, err := parseMembershipArrays([]byte(`[[1,"alpha","Alpha \"A\" \\ Caf\u00e9 \/ x","` + created + `","admin",12,"ab12"], [ 2 , "bravo" , "Bravo Ünï" , "` + created + `" , "viewer" , null , null ]]`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Membership{
		{Org: Org{ID: 1, Slug: "alpha", Name: `Alpha "A" \ Café / x`, Created: at}, Role: "admin", Head: audit.Head{Seq: 12, Hash: "ab12"}},
		{Org: Org{ID: 2, Slug: "bravo", Name: "Bravo Ünï", Created: at}, Role: "viewer"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if got, err := parseMembershipArrays([]byte(" [] ")); err != nil || len(got) != 0 {
		t.Errorf("empty: %v, %v", got, err)
	}
	for _, bad := range []string{``, `[`, `[[1,"a","b","` + created + `","r",1]]`, `[[1,"a","b","` + created + `","r",1,"h"]`, `[[1,"a","b","` + created + `","r",1,"h"]] x`,
		`[["1","a","b","` + created + `","r",1,"h"]]`, `[[1,"a,"b","` + created + `","r",1,"h"]]`, `[[1,"a","b","yesterday","r",1,"h"]]`, `[[1,"a","b\x","` + created + `","r",1,"h"]]`} {
		if got, err := parseMembershipArrays([]byte(bad)); err == nil {
			t.Errorf("%q read as %+v, want an error", bad, got)
		} else if strings.TrimSpace(err.Error()) == "" {
			t.Errorf("%q: empty error", bad)
		}
	}
}
