package imports

import (
	"io"
	"sync"
)

// chunkPipe carries the bytes the parser reads to the blob store, like
// io.Pipe but buffered: a write copies its bytes into a free chunk and
// returns, so the parser does not wait while the blob store writes and
// hashes what it read before (with io.Pipe each of the parser's reads
// waited for the blob's last file write). At most pipeChunks chunks are
// held, each as large as one of the parser's reads.
type chunkPipe struct {
	full  chan []byte
	free  chan []byte
	made  int // chunks allocated (writer side)
	done  chan struct{}
	stop  sync.Once
	rerr  error // why the reader stopped, set before done is closed
	close sync.Once
	werr  error  // why the writer stopped (nil: EOF), set before full is closed
	cur   []byte // the chunk being read
	rest  []byte // its unread part
}

const pipeChunks = 8

func newChunkPipe() *chunkPipe {
	return &chunkPipe{full: make(chan []byte, pipeChunks), free: make(chan []byte, pipeChunks), done: make(chan struct{})}
}

// Write copies p into a chunk for the reader; it waits only when every
// chunk is full, and fails once the reader has stopped.
func (p *chunkPipe) Write(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	var c []byte
	select {
	case c = <-p.free:
	case <-p.done:
		return 0, p.rerr
	default:
		if p.made < pipeChunks {
			p.made++
		} else {
			select {
			case c = <-p.free:
			case <-p.done:
				return 0, p.rerr
			}
		}
	}
	c = append(c[:0], b...)
	select {
	case p.full <- c:
		return len(b), nil
	case <-p.done:
		return 0, p.rerr
	}
}

// CloseWriter ends the stream: the reader gets err, or io.EOF for nil,
// after the bytes written before.
func (p *chunkPipe) CloseWriter(err error) {
	p.close.Do(func() {
		p.werr = err
		close(p.full)
	})
}

// Read reads what was written, in order.
func (p *chunkPipe) Read(b []byte) (int, error) {
	if len(p.rest) == 0 {
		if p.cur != nil {
			p.free <- p.cur // never blocks: free holds every chunk
			p.cur = nil
		}
		c, ok := <-p.full
		if !ok {
			if p.werr != nil {
				return 0, p.werr
			}
			return 0, io.EOF
		}
		p.cur, p.rest = c, c
	}
	n := copy(b, p.rest)
	p.rest = p.rest[n:]
	return n, nil
}

// WriteTo writes each chunk to w as it comes, whole (io.Copy uses it:
// the blob file is written in the parser's large pieces).
func (p *chunkPipe) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for {
		if len(p.rest) > 0 {
			k, err := w.Write(p.rest)
			n += int64(k)
			p.rest = p.rest[k:]
			if err != nil {
				return n, err
			}
		}
		if p.cur != nil {
			p.free <- p.cur
			p.cur = nil
		}
		c, ok := <-p.full
		if !ok {
			return n, p.werr
		}
		p.cur, p.rest = c, c
	}
}

// CloseReader stops the reader: writes fail with err from then on.
func (p *chunkPipe) CloseReader(err error) {
	if err == nil {
		err = io.ErrClosedPipe
	}
	p.stop.Do(func() {
		p.rerr = err
		close(p.done)
	})
}
