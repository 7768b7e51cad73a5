package kit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ward/internal/auth"
)

// Device cookies (OWASP's answer to lock-out by a neighbour): after a
// successful login the browser gets a cookie that says "this browser has
// logged in to this account". A login attempt that carries one for the
// account it names is rate-limited on its own counter, not on the
// account's nor the address's, so twenty failures from the address of an
// office's proxy, or five guesses at one person's password from
// elsewhere, do not lock out the people who log in from their usual
// browser. The cookie is signed with a key made when the server starts;
// after a restart old cookies are simply not recognised (the ordinary
// limits apply) until the next login.

const (
	DeviceCookie   = "ward_device"
	deviceLifetime = 30 * 24 * time.Hour
)

func (s *Server) deviceMAC(email, expiry, nonce string) string {
	m := hmac.New(sha256.New, s.deviceKey)
	m.Write([]byte(email + "\x00" + expiry + "\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) SetDeviceCookie(w http.ResponseWriter, email string, now time.Time) {
	nonce, err := auth.NewToken()
	if err != nil {
		return
	}
	exp := strconv.FormatInt(now.Add(deviceLifetime).Unix(), 10)
	http.SetCookie(w, &http.Cookie{
		Name: DeviceCookie, Value: exp + "." + nonce + "." + s.deviceMAC(email, exp, nonce),
		Path: "/login", HttpOnly: true, Secure: s.Config.Secure, SameSite: http.SameSiteStrictMode,
		MaxAge: int(deviceLifetime / time.Second),
	})
}

// DeviceFor is the id of the request's device cookie when it is valid
// for email and not expired, else "".
func (s *Server) DeviceFor(r *http.Request, email string, now time.Time) string {
	c, err := r.Cookie(DeviceCookie)
	if err != nil {
		return ""
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		return ""
	}
	exp, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || now.Unix() > exp {
		return ""
	}
	if !hmac.Equal([]byte(parts[2]), []byte(s.deviceMAC(email, parts[0], parts[1]))) {
		return ""
	}
	return parts[1]
}
