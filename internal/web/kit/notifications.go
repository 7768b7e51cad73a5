package kit

import (
	"net/http"
	"strings"
)

func IsAPIPath(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }
