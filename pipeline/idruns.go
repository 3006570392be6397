package pipeline

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"
)

// # Sorting units by id while they are read
//
// The cross-unit checks read a contest's units sorted by id. A million
// units take a few hundred milliseconds to sort, on one core, after the
// last row, where nothing else is left to do. So a store's log that
// spills to a file is sorted as it is written, on the other core: the
// file is cut at record boundaries into sections of sectionBytes, and as
// each is complete a goroutine reads it back (from the page cache),
// follows whether the ids so far came in bytewise or in natural order
// (keyOrder) and, once they came in neither, sorts the section by id
// (bytewise) and appends it to a file of sorted runs; a section whose ids
// came in order is a run where it is. After the last row, byID waits for
// the last section and merges the runs as they are read: what is left of
// the sort is that section's and the merge.
//
// The choice of order is the same as for a log in memory: bytewise when
// the ids came so, else natural when they came so, else bytewise sorted.
// The merge is stable (runs in the order they were written, each sorted
// stably), so the units of an id come in the order they were kept. The
// goroutine holds one section and 28 bytes per record to sort it: about
// 1.4 times sectionBytes (a quarter of spillBytes), whatever the number
// of units.

// sectionBytes is the size of a section of a spilled log that is sorted
// on its own.
func sectionBytes() int64 { return max(int64(spillBytes)/4, 1) }

// sortedSections counts the sections sorted in the background, so tests
// can tell that they were.
var sortedSections atomic.Int64

// unitLog is the log of a unitStore: a recLog that, once spilled, is
// sorted by id in the background.
type unitLog struct {
	recLog
	bg *idRuns
}

// append adds a record, and hands each complete section of a spilled log
// to the sorting goroutine.
func (l *unitLog) append(rec []byte) {
	l.recLog.append(rec)
	if l.f == nil {
		return
	}
	if l.bg == nil {
		l.bg = &idRuns{f: l.f, inBytes: true, inNatural: true}
	}
	if l.size-l.bg.sent >= sectionBytes() {
		l.send()
	}
}

// send hands what was written since the last section to the sorting
// goroutine.
func (l *unitLog) send() {
	b := l.bg
	if b.sent == l.size || l.finish() != nil {
		return
	}
	b.add(section{b.sent, l.size})
	b.sent = l.size
}

// sortedRuns waits for the sorting goroutine to be done with the whole
// log, and returns what it found; nil when the log is not in a file.
func (l *unitLog) sortedRuns() (*idRuns, error) {
	if l.f == nil || l.bg == nil {
		return nil, l.err
	}
	l.send()
	l.bg.wait()
	if l.err != nil {
		return nil, l.err
	}
	if l.bg.err == nil && l.bg.out != nil {
		l.bg.err = l.bg.out.finish()
	}
	if l.bg.err != nil {
		return nil, l.bg.err
	}
	return l.bg, nil
}

// release waits for the sorting goroutine and frees the log, its runs and
// their files.
func (l *unitLog) release() {
	if l.bg != nil {
		l.bg.wait()
		if l.bg.out != nil {
			l.bg.out.release()
		}
		l.bg = nil
	}
	l.recLog.release()
}

type section struct{ from, to int64 }

// idRun is a run of records sorted by id: a section of the log's file, or
// of the file of sorted sections.
type idRun struct {
	sorted   bool // in out, else in the log's file
	from, to int64
}

// idRuns sorts the sections of a log's file by id in the background.
type idRuns struct {
	f    *os.File // the log's file
	sent int64    // the log's bytes sent as sections

	mu      sync.Mutex
	queue   []section
	running bool
	wg      sync.WaitGroup

	// Only the sorting goroutine touches the rest until wait returns.
	inBytes   bool      // the ids so far came in bytewise order
	inNatural bool      // and in natural order
	bytesEnd  int64     // where the bytewise order of the log ends
	pending   []section // sections after bytesEnd, while the ids came in natural order
	split     bool      // the ids came in neither order: the sections are sorted
	runs      []idRun   // once they came in neither order
	out       *recLog   // the sorted sections, one after another
	last      []byte    // the last id so far
	seen      bool      // whether last is set
	err       error
	buf       []byte
	recs      []uint32 // where the records read start in buf
	ents      []idEnt
}

// add queues a section, starting the goroutine if it is not running; the
// goroutine ends when the queue is empty, so none is left behind when a
// run stops early.
func (b *idRuns) add(s section) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.queue = append(b.queue, s)
	if !b.running {
		b.running = true
		b.wg.Add(1)
		go b.work()
	}
}

func (b *idRuns) wait() { b.wg.Wait() }

func (b *idRuns) work() {
	defer b.wg.Done()
	for {
		b.mu.Lock()
		if len(b.queue) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		s := b.queue[0]
		b.queue = b.queue[1:]
		b.mu.Unlock()
		// The first section is all the log held in memory: it is read in
		// pieces of sectionBytes.
		for from := s.from; from < s.to && b.err == nil; {
			var to int64
			if to, b.err = b.readPiece(from, s.to); b.err == nil {
				b.err = b.section(section{from, to})
			}
			from = to
		}
	}
}

// section follows the order of the ids of a section just read, and sorts
// it once the ids came in neither order.
func (b *idRuns) section(s section) error {
	sorted := true // within the section
	for i := range b.recs {
		id := b.id(i)
		if b.seen {
			if bytes.Compare(id, b.last) < 0 {
				if b.inBytes {
					b.inBytes, b.bytesEnd = false, s.from
				}
				if i > 0 {
					sorted = false
				}
			}
			if b.inNatural && naturalCompare(id, b.last) < 0 {
				b.inNatural = false
			}
		}
		b.last = append(b.last[:0], id...)
		b.seen = true
	}
	switch {
	case b.inBytes:
		return nil
	case b.inNatural:
		b.pending = append(b.pending, s)
		return nil
	}
	if !b.split {
		// The ids just left both orders: the log up to bytesEnd is a
		// run, and every section after it is sorted.
		b.split = true
		if b.bytesEnd > 0 {
			b.runs = append(b.runs, idRun{from: 0, to: b.bytesEnd})
		}
		if len(b.pending) > 0 {
			for _, p := range b.pending {
				if err := b.read(p); err != nil {
					return err
				}
				b.sort(p, b.inOrder())
			}
			b.pending = nil
			if err := b.read(s); err != nil {
				return err
			}
			sorted = b.inOrder()
		}
	}
	b.sort(s, sorted)
	return nil
}

// inOrder tells whether the records read are in bytewise order of ids.
func (b *idRuns) inOrder() bool {
	for i := 1; i < len(b.recs); i++ {
		if bytes.Compare(b.id(i), b.id(i-1)) < 0 {
			return false
		}
	}
	return true
}

// rec returns record i of those read; id returns its id.
func (b *idRuns) rec(i int) []byte {
	p := b.buf[b.recs[i]:]
	l, w := binary.Uvarint(p)
	return p[w : w+int(l) : w+int(l)]
}

func (b *idRuns) id(i int) []byte {
	o, n := b.idAt(i)
	return b.buf[o : o+n : o+n]
}

// idAt returns where record i's id is in buf, and its length.
func (b *idRuns) idAt(i int) (int, int) {
	p := int(b.recs[i])
	var n uint64
	for range 3 { // the record's length, its place in the order kept, the id's length
		var w int
		if n, w = binary.Uvarint(b.buf[p:]); w <= 0 {
			return p, 0
		}
		p += w
	}
	if n > uint64(len(b.buf)-p) {
		return p, 0
	}
	return p, int(n)
}

// read reads a section's records.
func (b *idRuns) read(s section) error {
	if err := b.load(s.from, s.to-s.from); err != nil {
		return err
	}
	if b.parse() != len(b.buf) {
		return errBadLog
	}
	return nil
}

// load reads n bytes of the file from an offset.
func (b *idRuns) load(from, n int64) error {
	if int64(cap(b.buf)) < n {
		b.buf = make([]byte, n)
	}
	b.buf = b.buf[:n]
	_, err := b.f.ReadAt(b.buf, from)
	if err == io.EOF {
		err = errBadLog
	}
	return err
}

// readPiece reads the records from an offset up to another, or as many of
// them as sectionBytes holds (one at least), and returns where they end.
func (b *idRuns) readPiece(from, to int64) (int64, error) {
	n := min(to-from, sectionBytes())
	for {
		if err := b.load(from, n); err != nil {
			return 0, err
		}
		m := int64(b.parse())
		switch {
		case n == to-from && m != n:
			return 0, errBadLog
		case m > 0:
			return from + m, nil
		}
		n = min(to-from, 2*n) // a record larger than sectionBytes
	}
}

// parse finds the records of the buffer, up to the last complete one, and
// returns where it ends.
func (b *idRuns) parse() int {
	b.recs = b.recs[:0]
	p := 0
	for p < len(b.buf) {
		l, w := binary.Uvarint(b.buf[p:])
		if w <= 0 || l > uint64(len(b.buf)-p-w) {
			break
		}
		b.recs = append(b.recs, uint32(p))
		p += w + int(l)
	}
	return p
}

// idEnt is a record to sort by id: the id's first 8 bytes as a number,
// which decide most comparisons, where the id is in buf, and the
// record's index.
type idEnt struct {
	pfx       uint64
	off, n, i uint32
}

// keyPrefix returns the first 8 bytes of a key as a big-endian number,
// zeros past its end: keys compare as their prefixes do, or, where the
// prefixes are equal, as themselves.
func keyPrefix(k []byte) uint64 {
	if len(k) >= 8 {
		return binary.BigEndian.Uint64(k)
	}
	var b [8]byte
	copy(b[:], k)
	return binary.BigEndian.Uint64(b[:])
}

// sort appends the section read as a run: where it is when its ids are in
// order, else sorted by id to out.
func (b *idRuns) sort(s section, sorted bool) {
	if sorted {
		b.runs = append(b.runs, idRun{from: s.from, to: s.to})
		return
	}
	sortedSections.Add(1)
	es := b.ents[:0]
	buf := b.buf
	for i := range b.recs {
		o, n := b.idAt(i)
		es = append(es, idEnt{keyPrefix(buf[o : o+n]), uint32(o), uint32(n), uint32(i)})
	}
	slices.SortFunc(es, func(x, y idEnt) int {
		if x.pfx != y.pfx {
			return cmp.Compare(x.pfx, y.pfx)
		}
		if c := bytes.Compare(buf[x.off:x.off+x.n], buf[y.off:y.off+y.n]); c != 0 {
			return c
		}
		return cmp.Compare(x.i, y.i)
	})
	if b.out == nil {
		b.out = &recLog{limit: -1}
	}
	from := b.out.size
	for _, e := range es {
		b.out.append(b.rec(int(e.i)))
	}
	b.runs = append(b.runs, idRun{sorted: true, from: from, to: b.out.size})
	b.ents = es[:0]
}

// idMerge reads the runs of a log merged by id (bytewise), stably.
type idMerge struct {
	h   []mergeIn
	top bool // h[0] was returned: it moves on at the next call
	bad error
}

type mergeIn struct {
	r   *logReader
	b   []byte
	k   []byte
	pfx uint64
	i   int
}

func (a *mergeIn) less(b *mergeIn) bool {
	if a.pfx != b.pfx {
		return a.pfx < b.pfx
	}
	if c := bytes.Compare(a.k, b.k); c != 0 {
		return c < 0
	}
	return a.i < b.i
}

func newIDMerge(main *recLog, runs *idRuns) *idMerge {
	m := &idMerge{}
	if runs.out != nil {
		if err := runs.out.finish(); err != nil {
			m.bad = err
			return m
		}
	}
	bufSize := mergeBufSize(len(runs.runs))
	for i, run := range runs.runs {
		l := main
		if run.sorted {
			l = runs.out
		}
		r := l.section(run.from, run.to, bufSize)
		b, ok := r.next()
		if !ok {
			if m.bad = r.err(); m.bad != nil {
				return m
			}
			continue
		}
		k := idKey(b)
		m.h = append(m.h, mergeIn{r: r, b: b, k: k, pfx: keyPrefix(k), i: i})
	}
	for i := len(m.h)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
	return m
}

func (m *idMerge) down(i int) {
	h := m.h
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && h[c+1].less(&h[c]) {
			c++
		}
		if !h[c].less(&h[i]) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// next returns the next record, valid until the next call.
func (m *idMerge) next() ([]byte, bool) {
	if m.bad != nil {
		return nil, false
	}
	if m.top {
		m.top = false
		t := &m.h[0]
		if b, ok := t.r.next(); ok {
			t.b, t.k = b, idKey(b)
			t.pfx = keyPrefix(t.k)
		} else {
			if m.bad = t.r.err(); m.bad != nil {
				return nil, false
			}
			m.h[0] = m.h[len(m.h)-1]
			m.h = m.h[:len(m.h)-1]
		}
		m.down(0)
	}
	if len(m.h) == 0 {
		return nil, false
	}
	m.top = true
	return m.h[0].b, true
}
