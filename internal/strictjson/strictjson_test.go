package strictjson

import (
	"strings"
	"testing"
)

type rec struct {
	ID    string   `json:"id"`
	Tags  []string `json:"tags"`
	Inner *struct {
		N int `json:"n"`
	} `json:"inner"`
}

// TestStrict is issue 20's finding 18 (the API side): trailing garbage,
// duplicate keys and invalid UTF-8 were accepted or silently altered.
func TestStrict(t *testing.T) {
	tests := []struct {
		name, body string
		says       string // "" for accepted
	}{
		{"plain", `{"id":"a","tags":["x"],"inner":{"n":1}}`, ""},
		{"whitespace after", "{\"id\":\"a\"}\n\t ", ""},
		{"trailing garbage", `{"id":"a"}xyz`, "at byte 10: data after the JSON value"},
		{"second value", `{"id":"a"} {"id":"b"}`, "data after the JSON value"},
		{"duplicate key", `{"id":"a","id":"b"}`, `at byte 10: key "id" is given twice`},
		{"duplicate nested key", `{"inner":{"n":1,"n":2}}`, `key "n" is given twice`},
		{"same key in two objects", `{"inner":{"n":1},"tags":[]}`, ""},
		{"unknown field", `{"id":"a","admin":true}`, `unknown field "admin"`},
		{"invalid UTF-8", "{\"id\":\"a\xffb\"}", "at byte 8: not valid UTF-8"},
		{"escaped lone surrogate is text", `{"id":"\ud800"}`, ""},
		{"empty", ``, "empty"},
		{"truncated", `{"id":"a"`, "ends too early"},
		{"wrong type", `{"id":5}`, "at byte 7: id is number, not string"},
		// The wanted type in JSON's words, never Go's (a client cannot act
		// on "struct { ID string ... }" or "[]string").
		{"array for the body", `[]`, "at byte 1: the body is array, not object"},
		{"text for a list", `{"tags":"x"}`, "tags is string, not array"},
		{"text for a whole number", `{"inner":{"n":"x"}}`, "inner.n is string, not whole number"},
		{"object for text", `{"id":{}}`, "id is object, not string"},
		{"too deep", `{"tags":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, "nested more than 32 deep"},
	}
	for _, tt := range tests {
		var v rec
		err := Unmarshal([]byte(tt.body), &v)
		switch {
		case tt.says == "" && err != nil:
			t.Errorf("%s: %v, want accepted", tt.name, err)
		case tt.says != "" && (err == nil || !strings.Contains(err.Error(), tt.says)):
			t.Errorf("%s: %v, want an error saying %q", tt.name, err, tt.says)
		}
	}
	if err := Decode(strings.NewReader(`{"id":"`+strings.Repeat("a", 100)+`"}`), 50, &rec{}); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("over the limit: %v", err)
	}
}

func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(`{"id":"a","tags":["x"],"inner":{"n":1}}`))
	f.Add([]byte(`{"id":"a","id":"b"}`))
	f.Add([]byte("{\"id\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v rec
		if Unmarshal(data, &v) == nil && invalidUTF8(data) >= 0 {
			t.Fatal("accepted invalid UTF-8")
		}
	})
}
