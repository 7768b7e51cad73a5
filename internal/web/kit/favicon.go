package kit

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"sync"
)

// Browsers ask for /favicon.ico whatever the page links; pages link the
// SVG (static/favicon.svg). The ICO is the same mark, drawn here at 32×32
// (a PNG inside an ICO container), so no binary file is kept in the
// repository.

func init() {
	Register(Route{Method: "GET", Pattern: "/favicon.ico", Role: Public, Anonymous: true, Handler: (*Server).favicon})
}

func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/x-icon")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(faviconICO())
}

var faviconICO = sync.OnceValue(func() []byte {
	const n = 32
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	accent := color.NRGBA{0x2b, 0x6a, 0x83, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	// The check mark of the SVG: two strokes 2.4 wide.
	check := [][4]float64{{11.8, 16, 14.8, 19}, {14.8, 19, 20.4, 13}}
	for y := range n {
		for x := range n {
			px, py := float64(x)+0.5, float64(y)+0.5
			if !inRoundedSquare(px, py, n, 7) {
				continue
			}
			c := accent
			for _, s := range check {
				if segmentDistance(px, py, s) <= 1.4 {
					c = white
				}
			}
			if shieldEdge(px, py) {
				c = white
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, img); err != nil {
		panic(err)
	}
	var ico bytes.Buffer
	// ICONDIR: reserved, type 1 (icon), one image; then its entry.
	binary.Write(&ico, binary.LittleEndian, [3]uint16{0, 1, 1})
	ico.Write([]byte{n, n, 0, 0})
	binary.Write(&ico, binary.LittleEndian, [2]uint16{1, 32})
	binary.Write(&ico, binary.LittleEndian, [2]uint32{uint32(pngData.Len()), 6 + 16})
	ico.Write(pngData.Bytes())
	return ico.Bytes()
})

func inRoundedSquare(x, y float64, size, r float64) bool {
	cx := math.Max(r, math.Min(size-r, x))
	cy := math.Max(r, math.Min(size-r, y))
	return math.Hypot(x-cx, y-cy) <= r
}

func segmentDistance(px, py float64, s [4]float64) float64 {
	dx, dy := s[2]-s[0], s[3]-s[1]
	t := math.Max(0, math.Min(1, ((px-s[0])*dx+(py-s[1])*dy)/(dx*dx+dy*dy)))
	return math.Hypot(px-(s[0]+t*dx), py-(s[1]+t*dy))
}

// shieldEdge draws the shield's outline: the top edges, the straight
// sides and the curved bottom, as in the SVG.
func shieldEdge(x, y float64) bool {
	edges := [][4]float64{{16, 5.5, 24.5, 9}, {16, 5.5, 7.5, 9}, {24.5, 9, 24.5, 15.5}, {7.5, 9, 7.5, 15.5}, {24.5, 15.5, 16, 26.5}, {7.5, 15.5, 16, 26.5}}
	for _, e := range edges {
		if segmentDistance(x, y, e) <= 1.2 {
			return true
		}
	}
	return false
}
