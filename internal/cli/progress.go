package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// workBar is the progress bar of a long command (apply, backup,
// restore): bytes done of the total when it is known (with an ETA), the
// records done and what is being done. It shows only on a terminal, and
// only once the work has taken barDelay: a quick command prints nothing
// more than it did. Its counters are safe to move from any goroutine.
type workBar struct {
	w       io.Writer
	total   int64 // bytes, -1 when not known
	noun    string
	bytes   atomic.Int64
	records atomic.Int64
	mu      sync.Mutex
	what    string
	start   time.Time
	bar     *progressbar.ProgressBar
	stop    chan struct{}
	stopped chan struct{}
}

// barDelay is how long work runs before its bar appears.
const barDelay = 2 * time.Second

// startBar starts a bar on env.Stderr, when it is a terminal; otherwise
// it returns a bar that counts and draws nothing.
func startBar(env *Env, total int64, noun string) *workBar {
	return newWorkBar(env.Stderr, IsTerminal(env.Stderr), total, noun, barDelay)
}

func newWorkBar(w io.Writer, show bool, total int64, noun string, delay time.Duration) *workBar {
	b := &workBar{w: w, total: total, noun: noun, start: time.Now()}
	if !show {
		return b
	}
	b.stop, b.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(b.stopped)
		select {
		case <-b.stop:
			return
		case <-time.After(delay):
		}
		b.bar = progressbar.NewOptions64(b.total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(b.total > 0),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionSetWidth(30),
			progressbar.OptionClearOnFinish(),
		)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			b.draw()
			select {
			case <-b.stop:
				return
			case <-t.C:
			}
		}
	}()
	return b
}

func (b *workBar) draw() {
	b.mu.Lock()
	what := b.what
	b.mu.Unlock()
	n := b.records.Load()
	rate := float64(n) / max(time.Since(b.start).Seconds(), 0.001)
	desc := fmt.Sprintf("%d %s, %.0f/s", n, b.noun, rate)
	if what != "" {
		desc = what + ": " + desc
	}
	b.bar.Set64(b.bytes.Load())
	b.bar.Describe(desc) // draws now, whatever the throttle
}

// doing says what is being done now ("table records", "blob 1a2b…").
func (b *workBar) doing(what string) {
	b.mu.Lock()
	b.what = what
	b.mu.Unlock()
}

// done removes the bar, leaving the terminal as it was.
func (b *workBar) done() {
	if b.stop == nil {
		return
	}
	close(b.stop)
	<-b.stopped
	b.stop = nil
	if b.bar != nil {
		b.bar.Finish()
		b.bar.Clear()
		fmt.Fprintln(b.w)
	}
}

// reader counts what r reads as the bar's bytes.
func (b *workBar) reader(r io.Reader) io.Reader { return CountingReader{R: r, N: &b.bytes} }

// writer counts what is written to w as the bar's bytes.
func (b *workBar) writer(w io.Writer) io.Writer { return countingWriter{w, &b.bytes} }

type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// CountingReader adds the bytes read through it to n, for a progress
// bar that shows bytes.
type CountingReader struct {
	R io.Reader
	N *atomic.Int64
}

func (c CountingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.N.Add(int64(n))
	return n, err
}

// IsTerminal reports whether w is a terminal: only there is a progress
// bar drawn.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// HumanBytes is n bytes in B, KiB, MiB or GiB.
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
