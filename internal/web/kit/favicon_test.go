package kit_test

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ward/internal/web/kit"
	"ward/internal/web/webtest"
)

// /favicon.ico answers an icon to anyone (browsers ask before logging
// in), and the pages link the SVG.
func TestFavicon(t *testing.T) {
	t.Parallel()
	e := webtest.NewEnv(t, kit.Config{})
	r := e.Get(e.Client(), "/favicon.ico")
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/x-icon" {
		t.Fatalf("GET /favicon.ico: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
	ico := []byte(r.Body)
	// ICONDIR and its one entry (the ICO format): reserved 0, type 1,
	// one image of 32×32 at 32 bits, its bytes right after the header.
	var dir [3]uint16
	binary.Read(bytes.NewReader(ico[:6]), binary.LittleEndian, &dir)
	size := binary.LittleEndian.Uint32(ico[14:18])
	offset := binary.LittleEndian.Uint32(ico[18:22])
	if dir != [3]uint16{0, 1, 1} || ico[6] != 32 || ico[7] != 32 || offset != 22 || int(size) != len(ico)-22 {
		t.Fatalf("not a one-image ICO: dir %v, %dx%d, size %d offset %d of %d bytes", dir, ico[6], ico[7], size, offset, len(ico))
	}
	img, err := png.Decode(bytes.NewReader(ico[offset:]))
	if err != nil || img.Bounds().Dx() != 32 || img.Bounds().Dy() != 32 {
		t.Fatalf("the image inside: %v %v", err, img)
	}
	// Another reader agrees it is an icon, when the machine has one.
	if _, err := exec.LookPath("file"); err == nil {
		p := filepath.Join(t.TempDir(), "favicon.ico")
		os.WriteFile(p, ico, 0o644)
		out, err := exec.Command("file", "-b", p).Output()
		if err != nil || !strings.Contains(string(out), "icon") {
			t.Errorf("file(1) reads %q (%v)", out, err)
		}
	}
	svg := e.Get(e.Client(), "/static/favicon.svg")
	if svg.StatusCode != http.StatusOK || !strings.HasPrefix(svg.Header.Get("Content-Type"), "image/svg+xml") || !strings.Contains(svg.Body, "<svg") {
		t.Errorf("GET /static/favicon.svg: %d %q", svg.StatusCode, svg.Header.Get("Content-Type"))
	}
	if login := e.Get(e.Client(), "/login"); !strings.Contains(login.Body, `<link rel="icon" href="/static/favicon.svg"`) {
		t.Errorf("the pages do not link the icon")
	}
}
