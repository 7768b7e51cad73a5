package webtest

import (
	"bytes"
	"net/http"
	"net/url"
	"sync"
	"testing"
)

func SessionCookie(t *testing.T, e *TestEnv, c *http.Client) string {
	t.Helper()
	u, _ := url.Parse(e.HTTP.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "ward_session" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie in the jar")
	return ""
}

type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
