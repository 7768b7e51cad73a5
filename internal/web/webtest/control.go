package webtest

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"
)

// multipartBody is an upload form: fields, then files (name -> content).
func multipartBody(t *testing.T, fields map[string]string, files [][2]string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("file", f[0])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f[1]))
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func (e *TestEnv) Upload(c *http.Client, path string, fields map[string]string, files [][2]string, header map[string]string) Response {
	e.T.Helper()
	body, ct := multipartBody(e.T, fields, files)
	req, _ := http.NewRequest("POST", e.HTTP.URL+path, body)
	req.Header.Set("Content-Type", ct)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return e.Send(c, req)
}
