package prowler

import (
	"bytes"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// An OCSF file's findings are decoded on several goroutines
// (Options.Workers) when the file allows it, in blocks of about
// parallelBlock bytes: a splitter reads the stream and cuts it where one
// finding ends and the next begins, workers decode the blocks with the
// fast path, and Next returns their findings in file order.
//
// The cuts are guessed, not scanned for: after the first finding (read
// as ever), the bytes that close it and open the next (with
// pretty-printed output, the closing brace's line, the comma and the
// next brace) are looked for near the end of each block. A block is
// decoded as if it followed a finding, "[{}" put before it, so its bytes
// are tokenized exactly as they are in the file when its start is where
// a finding ends, and a block that ends anywhere but where a finding
// ends cannot decode to its end. Each block's start is where the one
// before ended, decoded in full, so every block Next takes is decoded as
// the fast path would decode it in turn. A block the fast path does not
// take (a guess that cut inside a finding, anything it refuses, a syntax
// error, a read error) is where Next goes back to one goroutine for
// good: the fast path (resumeFast) takes over from that block's start,
// as if it had read every finding before, so the findings, the error,
// its offset, finding number and field, are what reading on one
// goroutine gives.
const parallelBlock = 128 << 10

// parallelPrefix stands for the findings before a block.
const parallelPrefix = "[{}"

type parallel struct {
	r       *Reader
	src     io.Reader // the stream after what the splitter has read
	pattern []byte    // what ends a finding and opens the next
	cut     int       // the bytes of pattern that belong to the finding before
	size    int
	order   chan *block // every block, in file order
	work    chan *block // the blocks to decode
	stop    chan struct{}
	ended   chan splitEnd
	free    chan []byte
	cur     *block
	i       int
	// at is the file offset of the next block's first byte; scan is
	// what encoding/json's scanner would have read by then (the fast
	// path's base + scanned).
	at, scan int64
	closed   bool
}

type block struct {
	buf  []byte // parallelPrefix, then the block's bytes
	last bool   // the stream ended after it
	err  error  // reading the stream failed after it (it is not decoded)
	done chan struct{}
	// What the worker found: ok when it decoded the whole block.
	ok       bool
	end      bool // the array ended in it (a last block)
	findings []*Finding
	naive    int
	scanned  int64
}

// splitEnd is what the splitter had read and not handed on when it
// stopped.
type splitEnd struct {
	pending *block
	rest    []byte
}

// parallelOCSF is the fast path over br (the tokenizer starting at file
// offset base), reading the first finding on this goroutine and the rest
// on workers.
func (r *Reader) parallelOCSF(br io.Reader, base int64, workers, size int) func() (*Finding, error) {
	first := r.newFast(br, base)
	var p *parallel
	started := false
	return func() (*Finding, error) {
		if p != nil {
			return p.next()
		}
		f, err := first.next()
		if started || err != nil || first.slow != nil || first.state != 2 {
			return f, err
		}
		started = true
		p = r.startParallel(first, workers, size)
		r.stopParallel = func() {
			if p != nil {
				p.close()
			}
		}
		return f, nil
	}
}

// startParallel starts the splitter and the workers after the first
// finding, or returns nil when it cannot see how that finding ended (the
// fast path then reads on alone).
func (r *Reader) startParallel(first *fast, workers, size int) *parallel {
	// The bytes that close the first finding: its closing brace, and the
	// white space before it back to its line's start.
	end := first.mark - first.rec.base
	if end < 1 || end > int64(len(first.rec.buf)) || first.rec.buf[end-1] != '}' {
		return nil
	}
	buf := first.rec.buf[:end]
	closing := buf[end-1:]
	for i := end - 2; i >= 0 && i >= end-256; i-- {
		if c := buf[i]; c == '\n' {
			closing = buf[i:]
			break
		} else if c != ' ' && c != '\t' && c != '\r' {
			break
		}
	}
	p := &parallel{
		r: r, src: first.br, cut: len(closing), size: size,
		order: make(chan *block, 2*workers), work: make(chan *block), stop: make(chan struct{}),
		ended: make(chan splitEnd, 1), free: make(chan []byte, 3*workers+2),
		at: first.base + first.mark, scan: first.base + first.scanned,
	}
	p.pattern = append([]byte(nil), closing...)
	go p.splitter(bytes.Clone(first.rec.since(first.mark)))
	for range workers {
		go p.worker()
	}
	return p
}

// buffer returns an emptied block buffer holding parallelPrefix.
func (p *parallel) buffer() []byte {
	select {
	case b := <-p.free:
		return append(b[:0], parallelPrefix...)
	default:
		return append(make([]byte, 0, p.size+p.size/4), parallelPrefix...)
	}
}

// splitter reads the stream (read: what the first finding's tokenizer
// had read past it), cutting it into blocks, until the stream ends, a
// read fails, no cut is found in 16 blocks' or 8 MiB's worth, whichever
// is more (a finding larger than that, or a file written otherwise: the
// rest is read on one goroutine), or it is stopped.
func (p *parallel) splitter(read []byte) {
	buf := append(p.buffer(), read...)
	var pending *block
	defer func() {
		close(p.order)
		p.ended <- splitEnd{pending, buf}
	}()
	send := func(b *block) bool {
		select {
		case p.order <- b:
		case <-p.stop:
			pending = b
			return false
		}
		if b.err != nil {
			return true // not decoded
		}
		select {
		case p.work <- b:
			return true
		case <-p.stop:
			return false
		}
	}
	learnt := false
	most := max(16*p.size, 8<<20)
	want := p.size // bytes to read before looking for a cut
	for {
		var err error
		for len(buf) < len(parallelPrefix)+want && err == nil {
			if len(buf) == cap(buf) {
				buf = append(buf, 0)[:len(buf)]
			}
			var n int
			n, err = p.src.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
		}
		if err != nil {
			b := &block{buf: buf, last: true, done: make(chan struct{})}
			if err != io.EOF {
				b.err = err
				close(b.done) // not decoded: Next reads it on one goroutine
			}
			buf = nil
			send(b)
			return
		}
		data := buf[len(parallelPrefix):]
		if !learnt {
			// The separator after the first finding: white space, a
			// comma, white space and the next brace. Anything else
			// (the array's end, bad syntax) is read on one goroutine.
			sep, ok := separator(data)
			switch {
			case !ok:
				p.giveUp(&buf, &pending)
				return
			case sep == nil && len(data) < most:
				want *= 2 // only white space so far: read on
				continue
			case sep == nil:
				p.giveUp(&buf, &pending)
				return
			}
			p.pattern = append(p.pattern, sep...)
			learnt = true
		}
		at := bytes.LastIndex(data, p.pattern)
		if at < 0 || at+p.cut == 0 {
			if len(data) >= most {
				p.giveUp(&buf, &pending)
				return
			}
			want *= 2 // read on: a finding larger than a block
			continue
		}
		want = p.size
		at += len(parallelPrefix) + p.cut
		next := append(p.buffer(), buf[at:]...)
		b := &block{buf: buf[:at], done: make(chan struct{})}
		buf = next
		if !send(b) {
			return
		}
	}
}

// separator returns the bytes data begins with up to the next finding's
// opening brace: white space, a comma, white space and '{'. ok is false
// when data begins otherwise; sep is nil when it may yet (only white
// space and perhaps the comma so far).
func separator(data []byte) (sep []byte, ok bool) {
	i := 0
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	if i == len(data) {
		return nil, true
	}
	if data[i] != ',' {
		return nil, false
	}
	for i++; i < len(data) && isSpace(data[i]); i++ {
	}
	if i == len(data) {
		return nil, true
	}
	if data[i] != '{' {
		return nil, false
	}
	return data[:i+1], true
}

// giveUp hands what the splitter holds to Next undecoded: Next reads
// from there on one goroutine.
func (p *parallel) giveUp(buf *[]byte, pending **block) {
	b := &block{buf: *buf, done: make(chan struct{})}
	close(b.done)
	*buf = nil
	if !sendNoWork(p, b) {
		*pending = b
	}
}

// sendNoWork queues a block that is not to be decoded.
func sendNoWork(p *parallel, b *block) bool {
	select {
	case p.order <- b:
		return true
	case <-p.stop:
		return false
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// worker decodes blocks until stopped.
func (p *parallel) worker() {
	wr := &Reader{format: p.r.format, zone: p.r.zone}
	var src bytes.Reader
	dec := jsontext.NewDecoder(&src)
	for {
		select {
		case b := <-p.work:
			src.Reset(b.buf)
			dec.Reset(&src, jsontext.AllowDuplicateNames(true))
			wr.naive = 0
			p.decode(wr, dec, b)
			b.naive = wr.naive
			close(b.done)
		case <-p.stop:
			return
		}
	}
}

// decode reads a block's findings as the fast path reads them after a
// finding; ok only when they end exactly where the block does (or, in
// the last block, the array ends and only white space follows).
func (p *parallel) decode(wr *Reader, dec *jsontext.Decoder, b *block) {
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '[' {
		return
	}
	if dec.SkipValue() != nil {
		return
	}
	total := int64(len(b.buf))
	mark := dec.InputOffset()
	for {
		if !b.last && mark == total {
			b.ok = true
			return
		}
		switch dec.PeekKind() {
		case ']':
			if !b.last {
				return
			}
			if _, err := dec.ReadToken(); err != nil {
				return
			}
			if _, err := dec.ReadToken(); err == io.EOF {
				b.ok, b.end = true, true
			}
			return
		case '{':
		default:
			return
		}
		// As the fast path counts encoding/json's scanner: from after
		// the comma.
		from := mark + int64(bytes.IndexByte(b.buf[mark:], ',')) + 1
		var o ocsfFinding
		if !fastFinding(dec, &o) {
			return
		}
		f, _, err := wr.finding(&o)
		if err != nil {
			return
		}
		mark = dec.InputOffset()
		b.scanned += mark - from
		b.findings = append(b.findings, f)
	}
}

// next returns the next finding in file order.
func (p *parallel) next() (*Finding, error) {
	for {
		if p.cur != nil {
			if p.i < len(p.cur.findings) {
				f := p.cur.findings[p.i]
				p.cur.findings[p.i] = nil
				p.i++
				return f, nil
			}
			if p.cur.end {
				p.close()
				return nil, io.EOF
			}
			p.at += int64(len(p.cur.buf) - len(parallelPrefix))
			p.scan += p.cur.scanned
			select {
			case p.free <- p.cur.buf:
			default:
			}
			p.cur = nil
		}
		b, ok := <-p.order
		if !ok {
			// The splitter ended without a last block: cannot happen,
			// but reading on alone is always right.
			return p.alone(nil).next()
		}
		<-b.done
		if !b.ok {
			return p.alone(b).next()
		}
		p.r.naive += b.naive
		p.r.blocks++
		p.cur, p.i = b, 0
	}
}

// alone stops the splitter and the workers and returns the fast path
// reading on one goroutine from block b's start (b nil: from what the
// splitter had not handed on), and makes it what Next reads from.
func (p *parallel) alone(b *block) *fast {
	close(p.stop)
	p.closed = true
	end := <-p.ended
	var parts []io.Reader
	var readErr error
	add := func(b *block) {
		if b == nil || readErr != nil {
			return
		}
		parts = append(parts, bytes.NewReader(b.buf[len(parallelPrefix):]))
		readErr = b.err
	}
	add(b)
	for q := range p.order {
		add(q)
	}
	add(end.pending)
	if readErr == nil && end.rest != nil {
		parts = append(parts, bytes.NewReader(end.rest[len(parallelPrefix):]))
	}
	if readErr != nil {
		parts = append(parts, errReader{readErr})
	} else {
		parts = append(parts, p.src)
	}
	f := p.r.resumeFast(io.MultiReader(parts...), p.at, p.scan)
	p.r.next = f.next
	return f
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// close stops the splitter and the workers (Next is done with them).
func (p *parallel) close() {
	if p.closed {
		return
	}
	p.closed = true
	close(p.stop)
	<-p.ended
}
