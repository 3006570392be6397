package pipeline

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"sync/atomic"
)

// logChunk is the size of a chunk of an in-memory log.
const logChunk = 1 << 20

// spilled counts the logs moved to a file, so tests can tell that the
// files were used.
var spilled atomic.Int64

// errBadLog is a log that does not read back as it was written.
var errBadLog = errors.New("temporary file of unit records: bad record")

// recLog is an append-only sequence of records, each a length and its
// bytes: in memory, in chunks that no record spans, until it would pass
// its bound; then in a temporary file, unlinked as soon as it is created
// (where the system allows; else removed by release).
type recLog struct {
	chunks [][]byte
	size   int64 // bytes appended, lengths included
	n      int   // records appended
	limit  int   // the bound in memory: 0 means spillBytes, -1 a file from the start
	f      *os.File
	name   string // the file's name while it still has to be removed
	w      *bufio.Writer
	err    error // the first error writing the file
	hdr    [binary.MaxVarintLen64]byte
}

func (l *recLog) bound() int64 {
	switch {
	case l.limit == 0:
		return int64(spillBytes)
	case l.limit < 0:
		return -1
	}
	return int64(l.limit)
}

// append adds a record.
func (l *recLog) append(rec []byte) {
	hdr := binary.AppendUvarint(l.hdr[:0], uint64(len(rec)))
	h := len(hdr)
	need := h + len(rec)
	if l.f == nil && l.size+int64(need) > l.bound() {
		l.spill()
	}
	l.size += int64(need)
	l.n++
	if l.f != nil {
		if l.err == nil {
			l.w.Write(hdr[:h])
			_, l.err = l.w.Write(rec)
		}
		return
	}
	c := len(l.chunks) - 1
	switch {
	case c < 0:
		// The first chunk grows as needed: small logs stay small.
		l.chunks = append(l.chunks, make([]byte, 0, max(need, 4096)))
		c = 0
	case len(l.chunks[c])+need > max(cap(l.chunks[c]), logChunk):
		l.chunks = append(l.chunks, make([]byte, 0, max(need, logChunk)))
		c++
	}
	l.chunks[c] = append(append(l.chunks[c], hdr[:h]...), rec...)
}

// spill moves the log to a temporary file. Where no file can be made,
// a log of units stays in memory (the checks are the same, only larger);
// one that must be a file (limit -1) fails.
func (l *recLog) spill() {
	f, err := os.CreateTemp("", "tally-units-*")
	if err != nil {
		if l.limit < 0 {
			l.err = err
		}
		l.limit = math.MaxInt
		return
	}
	l.f = f
	spilled.Add(1)
	if os.Remove(f.Name()) != nil {
		l.name = f.Name()
	}
	l.w = bufio.NewWriterSize(f, 64<<10)
	for _, c := range l.chunks {
		if l.err == nil {
			_, l.err = l.w.Write(c)
		}
	}
	l.chunks = nil
}

// finish flushes what is buffered for the file.
func (l *recLog) finish() error {
	if l.w != nil && l.err == nil && l.w.Buffered() > 0 {
		l.err = l.w.Flush()
	}
	return l.err
}

// reset empties an in-memory log, keeping its first chunk.
func (l *recLog) reset() {
	if len(l.chunks) > 0 {
		l.chunks = append(l.chunks[:0], l.chunks[0][:0])
	}
	l.size, l.n = 0, 0
}

// all returns the log's records in order.
func (l *recLog) all() recSeq { return recSeq{log: l, n: l.n} }

// release frees the log and removes its file.
func (l *recLog) release() {
	if l.f != nil {
		l.f.Close()
		if l.name != "" {
			os.Remove(l.name)
		}
	}
	*l = recLog{limit: l.limit}
}

// at returns the record at an offset of an in-memory log (as a logReader
// gives them): chunk<<32 | offset in the chunk.
func (l *recLog) at(off uint64) []byte {
	c, o := int(off>>32), int(off&math.MaxUint32)
	for c < len(l.chunks) && o >= len(l.chunks[c]) {
		c, o = c+1, 0 // the end of a chunk is the start of the next
	}
	if c >= len(l.chunks) {
		return nil
	}
	b := l.chunks[c][o:]
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return nil
	}
	return b[w : w+int(n) : w+int(n)]
}

// logReader reads a log's records in order from an offset: for a log in
// memory chunk<<32 | offset in the chunk, for a file its byte offset.
type logReader struct {
	l   *recLog
	off uint64
	end int64 // in a file, where to stop
	br  *bufio.Reader
	buf []byte
	e   error
}

func (l *recLog) reader(off uint64) *logReader {
	r := &logReader{l: l}
	r.seek(off, l.size, 64<<10)
	return r
}

// section reads the records of a file between two offsets.
func (l *recLog) section(from, to int64, bufSize int) *logReader {
	r := &logReader{l: l}
	r.seek(uint64(from), to, bufSize)
	return r
}

func (r *logReader) seek(off uint64, end int64, bufSize int) {
	r.off, r.end = off, end
	if r.l.f == nil {
		return
	}
	if r.e = r.l.finish(); r.e != nil {
		return
	}
	sr := io.NewSectionReader(r.l.f, int64(off), end-int64(off))
	if r.br == nil {
		r.br = bufio.NewReaderSize(sr, bufSize)
	} else {
		r.br.Reset(sr)
	}
}

// next returns the next record, valid until the next call.
func (r *logReader) next() ([]byte, bool) {
	if r.e != nil {
		return nil, false
	}
	if r.l.f == nil {
		c, o := int(r.off>>32), int(r.off&math.MaxUint32)
		for c < len(r.l.chunks) && o >= len(r.l.chunks[c]) {
			c, o = c+1, 0
		}
		if c >= len(r.l.chunks) {
			r.off = uint64(c) << 32
			return nil, false
		}
		r.off = uint64(c)<<32 | uint64(o)
		b := r.l.at(r.off)
		if b == nil {
			r.e = errBadLog
			return nil, false
		}
		r.off += uint64(uvarintLen(uint64(len(b))) + len(b))
		return b, true
	}
	if int64(r.off) >= r.end {
		return nil, false
	}
	// Most records are read where they are in the buffer.
	if hdr, _ := r.br.Peek(binary.MaxVarintLen64); len(hdr) > 0 {
		n, w := binary.Uvarint(hdr)
		if w > 0 && n <= uint64(r.end-int64(r.off)-int64(w)) && int(n)+w <= r.br.Size() {
			if b, err := r.br.Peek(w + int(n)); err == nil {
				r.br.Discard(w + int(n))
				r.off += uint64(w) + n
				return b[w:len(b):len(b)], true
			}
		}
	}
	n, err := binary.ReadUvarint(r.br)
	if err != nil || n > uint64(r.end-int64(r.off)) {
		r.e = errBadLog
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			r.e = err
		}
		return nil, false
	}
	if uint64(cap(r.buf)) < n {
		r.buf = make([]byte, n)
	}
	r.buf = r.buf[:n]
	if _, err := io.ReadFull(r.br, r.buf); err != nil {
		r.e = err
		return nil, false
	}
	r.off += uint64(uvarintLen(n)) + n
	return r.buf, true
}

func (r *logReader) err() error { return r.e }

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// recSeq is a sequence of unit records: a whole log in order, or (a
// view) the records of an in-memory log at the given offsets, in their
// order.
type recSeq struct {
	log   *recLog
	offs  []uint64
	view  bool
	n     int
	owned bool    // the log is the sequence's own (a sorted copy)
	runs  *idRuns // when set, the log's runs sorted by id, merged as they are read
}

// seqPos is a place in a recSeq to read from again.
type seqPos struct {
	i   int
	off uint64
}

// release frees what the sequence owns.
func (q recSeq) release() {
	if q.owned {
		q.log.release()
	}
}

type seqReader struct {
	q   recSeq
	i   int
	lr  *logReader
	m   *idMerge
	bad bool
}

func (q recSeq) reader(p seqPos) *seqReader {
	r := &seqReader{}
	r.seek(q, p)
	return r
}

// seek makes r read q from p, reusing its buffer.
func (r *seqReader) seek(q recSeq, p seqPos) { r.seekTo(q, p, 0) }

// seekTo makes r read q from p, and in a file no further than end (when
// end > 0), reusing its buffer.
func (r *seqReader) seekTo(q recSeq, p seqPos, end int64) {
	r.q, r.i, r.bad = q, p.i, false
	if q.view {
		return
	}
	if q.runs != nil {
		// A merge reads from the start.
		r.m, r.i = newIDMerge(q.log, q.runs), 0
		for r.i < p.i {
			if _, ok := r.next(); !ok {
				break
			}
		}
		return
	}
	if end <= 0 || end > q.log.size {
		end = q.log.size
	}
	if r.lr == nil || r.lr.l != q.log {
		r.lr = &logReader{l: q.log}
	}
	r.lr.e = nil
	r.lr.seek(p.off, end, 64<<10)
}

// pos returns where the next record is.
func (r *seqReader) pos() seqPos {
	p := seqPos{i: r.i}
	if r.lr != nil {
		p.off = r.lr.off
	}
	return p
}

// next returns the next record, valid until the next call.
func (r *seqReader) next() ([]byte, bool) {
	if r.q.view {
		if r.i >= len(r.q.offs) {
			return nil, false
		}
		b := r.q.log.at(r.q.offs[r.i])
		r.i++
		r.bad = b == nil
		return b, !r.bad
	}
	if r.m != nil {
		b, ok := r.m.next()
		if ok {
			r.i++
		}
		return b, ok
	}
	b, ok := r.lr.next()
	if ok {
		r.i++
	}
	return b, ok
}

func (r *seqReader) err() error {
	if r.bad {
		return errBadLog
	}
	if r.m != nil {
		return r.m.bad
	}
	if r.lr != nil {
		return r.lr.e
	}
	return nil
}
