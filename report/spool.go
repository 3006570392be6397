package report

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"slices"
	"sync/atomic"
)

// DefaultSpillBytes is the memory the findings (and, apart, the rejects)
// of a run take before they go to a temporary file.
const DefaultSpillBytes = 2 << 20

// spillRuns counts the sorted runs written to temporary files, so tests
// can tell that the files were used.
var spillRuns atomic.Int64

// SpilledRuns returns how many sorted runs of findings or rejects this
// process has written to temporary files.
func SpilledRuns() int64 { return spillRuns.Load() }

// errBadSpill is a temporary file that does not read back as written.
var errBadSpill = errors.New("temporary file of findings: bad record")

// spanSize is what a record's place in the arena costs in memory.
const spanSize = 16

// span is the place of one encoded record in the arena.
type span struct{ off, end int }

// run is a sorted run of records in the temporary file. A run of level
// L+1 is the merge of fanIn runs of level L.
type run struct {
	off, size int64
	level     int
}

// fanIn is how many runs of one level are merged into one of the next,
// so that reading merges at most fanIn-1 runs per level: the readers'
// buffers stay a few hundred kilobytes however many runs were spilled.
const fanIn = 16

// spool keeps records of one kind, each compactly encoded: in memory up
// to a bound, then as runs sorted by cmp in a temporary file. Reading
// merges the runs and what is in memory, in cmp's order, records cmp
// finds equal in the order they were added.
type spool struct {
	cmp   func(a, b []byte) int
	limit int // bytes in memory before a run is spilled; <= 0: DefaultSpillBytes
	arena []byte
	spans []span // the records in memory, in the order added until sorted
	// sorted says spans is in cmp's order: records added in order (a
	// source read from top to bottom) need no sort. Records added after
	// a sort come after every earlier one, so a stable sort keeps the
	// order of addition among equal records.
	sorted bool
	// follows says no record in memory goes before the last record of
	// the last run (last): the memory then lengthens that run when it
	// is spilled, and reads back after it without a merge when it is
	// the only one. Records added in order make one run.
	follows bool
	last    []byte
	n       int // records added
	f       *os.File
	name    string // the file's name while it still has to be removed
	size    int64  // bytes in the file
	runs    []run
	err     error // the first error writing the file
	hdr     [binary.MaxVarintLen64]byte
}

func (s *spool) bound() int {
	if s.limit <= 0 {
		return DefaultSpillBytes
	}
	return s.limit
}

// add appends an encoded record (copied).
func (s *spool) add(rec []byte) {
	if len(s.spans) > 0 && len(s.arena)+len(rec)+(len(s.spans)+1)*spanSize > s.bound() {
		s.spill()
	}
	switch {
	case len(s.spans) == 0:
		s.sorted = true
		s.follows = len(s.runs) == 0 || s.cmp(s.last, rec) <= 0
	case s.sorted:
		// In order after the last record in memory, the record is in
		// order after the last run's as well.
		if sp := s.spans[len(s.spans)-1]; s.cmp(s.arena[sp.off:sp.end], rec) > 0 {
			s.sorted = false
			s.follows = s.follows && (len(s.runs) == 0 || s.cmp(s.last, rec) <= 0)
		}
	case s.follows && len(s.runs) > 0:
		s.follows = s.cmp(s.last, rec) <= 0
	}
	if need := len(s.arena) + len(rec); need > cap(s.arena) {
		// Grown by hand: append's growth would pass the bound by a
		// quarter or more.
		a := make([]byte, len(s.arena), max(need, min(2*cap(s.arena), s.bound()), 4096))
		copy(a, s.arena)
		s.arena = a
	}
	off := len(s.arena)
	s.arena = append(s.arena, rec...)
	s.spans = append(s.spans, span{off, len(s.arena)})
	s.n++
}

func (s *spool) sort() {
	if s.sorted {
		return
	}
	a := s.arena
	slices.SortStableFunc(s.spans, func(x, y span) int { return s.cmp(a[x.off:x.end], a[y.off:y.end]) })
	s.sorted = true
}

// spill writes what is in memory, sorted, as a run of the temporary
// file. Where no file can be made, the records stay in memory.
func (s *spool) spill() {
	if s.err != nil {
		return
	}
	if s.f == nil {
		f, err := os.CreateTemp("", "tally-findings-*")
		if err != nil {
			s.limit = math.MaxInt
			return
		}
		s.f = f
		if os.Remove(f.Name()) != nil {
			s.name = f.Name()
		}
	}
	s.sort()
	w := bufio.NewWriterSize(io.NewOffsetWriter(s.f, s.size), 64<<10)
	start := s.size
	for _, sp := range s.spans {
		h := binary.PutUvarint(s.hdr[:], uint64(sp.end-sp.off))
		w.Write(s.hdr[:h])
		w.Write(s.arena[sp.off:sp.end])
		s.size += int64(h + sp.end - sp.off)
	}
	if err := w.Flush(); err != nil {
		s.err = err
		return
	}
	if n := len(s.runs); s.follows && n > 0 && s.runs[n-1].off+s.runs[n-1].size == start {
		// The records come after the last run's: they lengthen it,
		// and it reads back without a merge. Its level grows with its
		// size as if it had been merged, so that runs spilled after
		// it, out of order, are not merged into it.
		r := &s.runs[n-1]
		r.size = s.size - r.off
		level := 0
		for q := r.size / int64(s.bound()); q >= fanIn; q /= fanIn {
			level++
		}
		r.level = max(r.level, level)
	} else {
		s.runs = append(s.runs, run{off: start, size: s.size - start})
	}
	spillRuns.Add(1)
	sp := s.spans[len(s.spans)-1]
	s.last = append(s.last[:0], s.arena[sp.off:sp.end]...)
	s.arena, s.spans = s.arena[:0], s.spans[:0]
	s.sorted, s.follows = true, true
	s.compact()
}

// compact merges the last fanIn runs into one while they are of one
// level. They are the last ones added, so the merged run keeps their
// place among the others, and the order of addition among equal records.
func (s *spool) compact() {
	for n := len(s.runs); n >= fanIn && s.err == nil; n = len(s.runs) {
		last := s.runs[n-fanIn:]
		if last[0].level != last[fanIn-1].level {
			return
		}
		w := bufio.NewWriterSize(io.NewOffsetWriter(s.f, s.size), 64<<10)
		start := s.size
		err := s.merge(last, false, func(rec []byte) error {
			h := binary.PutUvarint(s.hdr[:], uint64(len(rec)))
			w.Write(s.hdr[:h])
			_, err := w.Write(rec)
			s.size += int64(h + len(rec))
			s.last = append(s.last[:0], rec...)
			return err
		})
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			s.err = err
			return
		}
		for _, r := range last {
			// The merged runs' room in the file is given back where
			// the system can.
			punchHole(s.f, r.off, r.size)
		}
		s.runs = append(s.runs[:n-fanIn], run{off: start, size: s.size - start, level: last[0].level + 1})
	}
}

// runReader reads the records of one run.
type runReader struct {
	r   *bufio.Reader
	buf []byte
	cur []byte
	i   int // the run's place: lower is earlier
}

func (rr *runReader) next() (bool, error) {
	n, err := binary.ReadUvarint(rr.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, errBadSpill
	}
	if n > math.MaxInt32 {
		return false, errBadSpill
	}
	if cap(rr.buf) < int(n) {
		rr.buf = make([]byte, n)
	}
	rr.cur = rr.buf[:n]
	if _, err := io.ReadFull(rr.r, rr.cur); err != nil {
		return false, errBadSpill
	}
	return true, nil
}

// each calls fn with every record in order; rec is valid until fn
// returns. It may be called again; records may be added in between.
func (s *spool) each(fn func(rec []byte) error) error {
	if s.err != nil {
		return s.err
	}
	s.sort()
	if len(s.runs) > 0 {
		if !s.follows || len(s.runs) > 1 {
			return s.merge(s.runs, true, fn)
		}
		// What is in memory comes after the one run.
		if err := s.merge(s.runs, false, fn); err != nil {
			return err
		}
	}
	for _, sp := range s.spans {
		if err := fn(s.arena[sp.off:sp.end]); err != nil {
			return err
		}
	}
	return nil
}

// merge calls fn with the records of runs, and with mem those in memory
// (added after every run), in order: a k-way merge by a heap of readers,
// equal records by the run's place.
func (s *spool) merge(runs []run, mem bool, fn func(rec []byte) error) error {
	var h []*runReader
	for i, r := range runs {
		rr := &runReader{r: bufio.NewReaderSize(io.NewSectionReader(s.f, r.off, r.size), 16<<10), i: i}
		ok, err := rr.next()
		if err != nil {
			return err
		}
		if ok {
			h = append(h, rr)
		}
	}
	next := 0
	var memR *runReader
	if mem && len(s.spans) > 0 {
		sp := s.spans[0]
		memR = &runReader{cur: s.arena[sp.off:sp.end], i: len(runs)}
		next = 1
		h = append(h, memR)
	}
	less := func(a, b *runReader) bool {
		if c := s.cmp(a.cur, b.cur); c != 0 {
			return c < 0
		}
		return a.i < b.i
	}
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && less(h[r], h[l]) {
				m = r
			}
			if !less(h[m], h[i]) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for len(h) > 0 {
		top := h[0]
		if err := fn(top.cur); err != nil {
			return err
		}
		var ok bool
		if top == memR {
			ok = next < len(s.spans)
			if ok {
				sp := s.spans[next]
				top.cur = s.arena[sp.off:sp.end]
				next++
			}
		} else {
			var err error
			if ok, err = top.next(); err != nil {
				return err
			}
		}
		if !ok {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(0)
	}
	return nil
}

// close removes the temporary file and drops what is in memory.
func (s *spool) close() error {
	var err error
	if s.f != nil {
		err = s.f.Close()
		if s.name != "" {
			if rerr := os.Remove(s.name); err == nil {
				err = rerr
			}
		}
		s.f, s.name, s.runs, s.size = nil, "", nil, 0
	}
	s.arena, s.spans, s.n = nil, nil, 0
	return err
}

// Encoding: strings as a uvarint length and the bytes, integers as
// varints.

func putStr(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func putInt(b []byte, v int) []byte { return binary.AppendVarint(b, int64(v)) }

func putUint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

// getStr reads a string field; a malformed record reads as empty
// fields, never a panic. Lengths under 128 (one byte) are read inline.
func getStr(b []byte) ([]byte, []byte) {
	if len(b) > 0 && b[0] < 0x80 {
		if n := int(b[0]); n < len(b) {
			return b[1 : 1+n], b[1+n:]
		}
		return nil, nil
	}
	return getStrLong(b)
}

func getStrLong(b []byte) ([]byte, []byte) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil
	}
	return b[k : k+int(n)], b[k+int(n):]
}

// getUint reads an unsigned varint; values under 128 inline.
func getUint(b []byte) (uint64, []byte) {
	if len(b) > 0 && b[0] < 0x80 {
		return uint64(b[0]), b[1:]
	}
	return getUintLong(b)
}

func getUintLong(b []byte) (uint64, []byte) {
	v, k := binary.Uvarint(b)
	if k <= 0 {
		return 0, nil
	}
	return v, b[k:]
}

// getInt reads a signed (zig-zag) varint; values from -64 to 63 inline.
func getInt(b []byte) (int, []byte) {
	if len(b) > 0 && b[0] < 0x80 {
		u := int(b[0])
		return u>>1 ^ -(u & 1), b[1:]
	}
	return getIntLong(b)
}

func getIntLong(b []byte) (int, []byte) {
	v, k := binary.Varint(b)
	if k <= 0 {
		return 0, nil
	}
	return int(v), b[k:]
}

// strCache gives the string of a field that repeats from one record to
// the next (a file, a sheet, a code) without a new copy each time.
type strCache struct{ last string }

func (c *strCache) get(b []byte) string {
	if string(b) != c.last {
		c.last = string(b)
	}
	return c.last
}
