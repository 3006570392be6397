package pipeline

import (
	"bytes"
	"cmp"
	"container/heap"
	"encoding/binary"
	"math"
	"slices"

	"tally/report"
)

// # How the cross-unit checks hold their units
//
// The cross-unit checks (hierarchy.go, reference.go) need every unit of a
// contest at once, long after its rows are gone. A unitStore keeps each
// unit as one record of plain bytes (no pointers for the collector to
// scan): its place in the order units were kept, id, parent, level, name
// (for total rows), first row, and its figures and option votes as
// variable-length integers, one or two bytes each for a polling station's
// counts; a polling station of a dozen options with an id like
// "district/123" takes about 80 bytes. Records go to a recLog, which holds
// them in memory up to spillBytes and past that in a temporary file,
// removed when the checks are done (or, when the run stops on an error,
// by the collector's finalizer on the file, unlinked as soon as it was
// made).
//
// The checks never index units in memory. They read the log in the order
// the units were kept, or sorted by id, so that the units of an id come
// together: no sort when the ids came in order (keyOrder); a log in
// memory sorted by offsets into it; a spilled one sorted by sections in
// the background as it is written and merged as it is read (idruns.go). A parent's
// children are read in the runs they came in, found in one pass and
// sorted by parent as one small record per run (at most runBytes of
// them), or, where runs are too many, sorted by parent themselves; a
// parent is matched with its children by merging with the units sorted by
// id. What is held in memory beside the logs does not grow with the
// units: the contest's options, levels, files and sheets, the patterns of
// cell positions (the units of a table share a few; past maxPatterns a
// record carries its own), the total and subtotal rows (a table has few),
// one parent and its children (up to groupBytes) at a time, and the
// findings themselves.
//
// So the memory of the checks is bounded by a few times spillBytes
// whatever the number of units, and a contest whose records fit in
// spillBytes never touches the disk.

// spillBytes bounds the memory of one log of unit records and of one run
// of a sort; past it, records go to a temporary file. Tests lower it to
// force the files.
var spillBytes = 16 << 20

// maxPatterns bounds the table of shared patterns of cell positions.
const maxPatterns = 1024

// absent marks a value a unit does not carry.
const absent = math.MinInt64

const sumDiffLarge = math.MinInt32

// unitStore keeps the per-unit aggregates of one contest. Values are
// indexed by figure (the standard ones, then the spec's extra lines) and
// then by the store's own option index.
type unitStore struct {
	log      unitLog
	n        int
	optIdx   optIndex
	opts     []Option
	places   []place
	placeIdx map[place]int32
	// lastLevel and lastPlace index the last unit's level and place.
	lastLevel uint16
	lastPlace int32
	nfig      int
	levels    []string
	levelIdx  map[string]uint16
	pats      [][]uint32 // shared patterns of positions
	patIdx    map[string]int32
	totals    [][]byte // records of the total and subtotal rows, in order
	lastID    []byte
	unsorted  bool     // the ids did not come in increasing order
	order     keyOrder // the order of ids and parents of the cross-unit checks
	orderSet  bool     // once chosen (byID) or set (follow)
	vbuf      []int64
	ibuf      []int
	abuf      []uint32
	ebuf      []byte
	kbuf      []byte
}

type place struct{ file, sheet string }

// urec is one unit as the cross-unit checks see it, decoded from its
// record. Its byte fields alias the record; clone copies them.
type urec struct {
	seq     int
	id      []byte
	parent  []byte
	name    []byte // of a total or subtotal row
	level   uint16
	place   int32
	row     int32
	sumDiff int32 // options minus valid ballots when they differ, else 0; sumDiffLarge when that does not fit
	pat     int32 // its shared pattern of positions, or -1 when at holds its own
	at      []uint32
	vals    []int64
}

// n returns the number of values the unit has.
func (u *urec) n() int { return len(u.vals) }

// val returns value k, or absent.
func (u *urec) val(k int) int64 {
	if k < 0 || k >= len(u.vals) {
		return absent
	}
	return u.vals[k]
}

func (u *urec) clone() *urec {
	c := *u
	c.id = bytes.Clone(u.id)
	c.parent = bytes.Clone(u.parent)
	c.name = bytes.Clone(u.name)
	c.at = slices.Clone(u.at)
	c.vals = slices.Clone(u.vals)
	return &c
}

// len returns the number of units kept.
func (s *unitStore) len() int { return s.n }

func zig(v int64) uint64 {
	if v == absent {
		return 0
	}
	return uint64(v<<1^v>>63) + 1
}

func unzig(x uint64) int64 {
	if x == 0 {
		return absent
	}
	x--
	return int64(x>>1) ^ -int64(x&1)
}

// lvl returns a unit's level.
func (s *unitStore) lvl(u *urec) string { return s.levels[u.level] }

func (s *unitStore) isTotal(u *urec) bool { return isTotalLevel(s.levels[u.level]) }

func isTotalLevel(level string) bool { return level == LevelTotal || level == LevelSubtotal }

// keep adds a flushed unit. nextra is the number of the spec's extra
// figures.
func (s *unitStore) keep(u *unitBuf, nextra int) {
	if s.placeIdx == nil {
		s.placeIdx = map[place]int32{}
		s.levelIdx = map[string]uint16{}
		s.patIdx = map[string]int32{}
	}
	nfig := int(numFigures) + nextra
	s.nfig = nfig
	n := nfig
	ks := s.ibuf[:0]     // each result's option index
	results := u.results // held here, not read again through u at each step
	for i := range results {
		res := &results[i] // by pointer: a result is too big to copy
		k, isNew := s.optIdx.get(res.opt, len(s.opts))
		if isNew {
			s.opts = append(s.opts, res.opt.Option)
		}
		ks = append(ks, k)
		n = max(n, nfig+k+1)
	}
	s.ibuf = ks
	// Consecutive units mostly share their level and place: the last
	// ones are compared before the maps are asked.
	li, pi := s.lastLevel, s.lastPlace
	if len(s.levels) == 0 || s.levels[li] != u.level {
		var ok bool
		li, ok = s.levelIdx[u.level]
		if !ok {
			li = uint16(len(s.levels))
			s.levels = append(s.levels, u.level)
			s.levelIdx[u.level] = li
		}
		s.lastLevel = li
	}
	if pl := (place{u.pos.File, u.pos.Sheet}); len(s.places) == 0 || s.places[pi] != pl {
		var ok bool
		pi, ok = s.placeIdx[pl]
		if !ok {
			pi = int32(len(s.places))
			s.places = append(s.places, pl)
			s.placeIdx[pl] = pi
		}
		s.lastPlace = pi
	}
	vals, at := s.vbuf, s.abuf
	if cap(vals) < n {
		vals, at = make([]int64, n, 2*n), make([]uint32, n, 2*n)
	}
	vals, at = vals[:n], at[:n]
	for i := range vals {
		vals[i] = absent
	}
	clear(at)
	row0 := u.pos.Row
	pack := func(row, col int) uint32 {
		off := row - row0
		if off < 0 || off > 0xffff || col > 0xffff || col < 0 {
			return 0
		}
		return uint32(off)<<16 | uint32(col)
	}
	for f := range numFigures {
		if fg := &u.fig[f]; fg.v.ok {
			vals[f] = fg.v.v
			at[f] = pack(fg.pos.Row, fg.pos.Column)
		}
	}
	for i, x := range u.extra {
		if i < nextra && x.v.ok {
			vals[int(numFigures)+i] = x.v.v
			at[int(numFigures)+i] = pack(x.pos.Row, x.pos.Column)
		}
	}
	var sum int64
	has := false
	ks = ks[:len(results)]
	for i := range results {
		res := &results[i]
		k := nfig + ks[i]
		at[k] = pack(res.row, colNum(res.col))
		if !res.votes.ok {
			continue
		}
		has = true
		sum += res.votes.v
		if vals[k] == absent {
			vals[k] = res.votes.v
		} else {
			vals[k] += res.votes.v
		}
	}
	var sumDiff int32
	if v := u.fig[FigValid].v; v.ok && has && sum != v.v {
		d := sum - v.v
		if d <= math.MinInt32 || d > math.MaxInt32 {
			sumDiff = sumDiffLarge
		} else {
			sumDiff = int32(d)
		}
	}
	s.vbuf, s.abuf = vals, at
	total := isTotalLevel(u.level)
	name := ""
	if total {
		name = u.name
	}
	e := s.ebuf[:0]
	e = binary.AppendUvarint(e, uint64(s.n))
	e = appendStr(e, u.id)
	e = appendStr(e, u.parent)
	e = binary.AppendUvarint(e, uint64(li))
	e = binary.AppendUvarint(e, uint64(pi))
	e = binary.AppendVarint(e, int64(int32(u.pos.Row)))
	e = binary.AppendVarint(e, int64(sumDiff))
	e = appendStr(e, name)
	e = binary.AppendUvarint(e, uint64(n))
	if p := s.pattern(at); p >= 0 {
		e = binary.AppendUvarint(e, uint64(p)+1)
	} else {
		e = binary.AppendUvarint(e, 0)
		for _, a := range at {
			e = binary.AppendUvarint(e, uint64(a))
		}
	}
	e = appendZigs(e, vals)
	s.ebuf = e
	s.log.append(e)
	if s.n > 0 && u.id < string(s.lastID) {
		s.unsorted = true
	}
	s.lastID = append(s.lastID[:0], u.id...)
	if total {
		s.totals = append(s.totals, bytes.Clone(e))
	}
	s.n++
}

// appendZigs appends each value as zig would have it, a variable-length
// integer (binary.AppendUvarint's bytes), into room made for all first.
func appendZigs(b []byte, vals []int64) []byte {
	b = slices.Grow(b, len(vals)*binary.MaxVarintLen64)
	at := len(b)
	out := b[at : at+len(vals)*binary.MaxVarintLen64]
	j := 0
	for _, v := range vals {
		x := zig(v)
		for x >= 0x80 {
			out[j] = byte(x) | 0x80
			x >>= 7
			j++
		}
		out[j] = byte(x)
		j++
	}
	return b[:at+j]
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// pattern returns the index of a shared pattern of positions, or -1 when
// the table of patterns is full and the unit keeps its own.
func (s *unitStore) pattern(at []uint32) int32 {
	if n := len(s.pats); n > 0 && slices.Equal(s.pats[n-1], at) {
		return int32(n - 1)
	}
	k := s.kbuf[:0]
	for _, a := range at {
		k = binary.AppendUvarint(k, uint64(a))
	}
	s.kbuf = k
	if p, ok := s.patIdx[string(k)]; ok {
		return p
	}
	if len(s.pats) >= maxPatterns {
		return -1
	}
	p := int32(len(s.pats))
	s.pats = append(s.pats, slices.Clone(at))
	s.patIdx[string(k)] = p
	return p
}

// recReader decodes records; a failure to decode (which would be a bug)
// leaves the unit empty rather than panicking.
type recReader struct {
	b   []byte
	bad bool
}

func (r *recReader) uvarint() uint64 {
	x, w := binary.Uvarint(r.b)
	if w <= 0 {
		r.bad = true
		r.b = nil
		return 0
	}
	r.b = r.b[w:]
	return x
}

func (r *recReader) varint() int64 {
	x, w := binary.Varint(r.b)
	if w <= 0 {
		r.bad = true
		r.b = nil
		return 0
	}
	r.b = r.b[w:]
	return x
}

func (r *recReader) str() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.bad = true
		r.b = nil
		return nil
	}
	s := r.b[:n:n]
	r.b = r.b[n:]
	return s
}

// decode reads a record into u, reusing its slices.
func (s *unitStore) decode(b []byte, u *urec) {
	r := recReader{b: b}
	u.seq = int(r.uvarint())
	u.id = r.str()
	u.parent = r.str()
	u.level = uint16(r.uvarint())
	u.place = int32(r.uvarint())
	u.row = int32(r.varint())
	u.sumDiff = int32(r.varint())
	u.name = r.str()
	n := int(r.uvarint())
	if n > len(b) {
		n = 0
	}
	u.pat = int32(r.uvarint()) - 1
	u.at = u.at[:0]
	if u.pat < 0 {
		for range n {
			u.at = append(u.at, uint32(r.uvarint()))
		}
	}
	u.vals = u.vals[:0]
	for range n {
		u.vals = append(u.vals, unzig(r.uvarint()))
	}
	if r.bad || int(u.level) >= len(s.levels) || int(u.place) >= len(s.places) || u.pat >= int32(len(s.pats)) {
		*u = urec{seq: u.seq, at: u.at[:0], vals: u.vals[:0]}
	}
}

// noValues tells, without decoding it, whether a unit's record has no
// value at all: every value is absent, a single zero byte, and a value
// that is there never ends in one.
func noValues(b []byte) bool {
	r := recReader{b: b}
	r.uvarint()
	r.str()
	r.str()
	r.uvarint()
	r.uvarint()
	r.varint()
	r.varint()
	r.str()
	n := r.uvarint()
	if r.bad || n > uint64(len(b)) {
		return false
	}
	for _, c := range b[len(b)-int(n):] {
		if c != 0 {
			return false
		}
	}
	return true
}

// idKey and parentKey return a record's id and parent without decoding it.
func idKey(b []byte) []byte {
	r := recReader{b: b}
	r.uvarint()
	return r.str()
}

func parentKey(b []byte) []byte {
	r := recReader{b: b}
	r.uvarint()
	r.str()
	return r.str()
}

// pos returns the position of value k of a unit: its cell where known,
// else the unit's first row.
func (s *unitStore) pos(u *urec, k int) report.Position {
	p := s.rowPos(u)
	at := u.at
	if u.pat >= 0 {
		at = s.pats[u.pat]
	}
	if k >= 0 && k < len(at) && at[k] != 0 {
		p.Row += int(at[k] >> 16)
		p.Column = int(at[k] & 0xffff)
	}
	return p
}

func (s *unitStore) rowPos(u *urec) report.Position {
	pl := s.places[u.place]
	return report.Position{File: pl.file, Sheet: pl.sheet, Row: int(u.row)}
}

// mergeBufSize is the read buffer of each of runs runs merged at once: a
// share of spillBytes, between 512 bytes and 64 KiB.
func mergeBufSize(runs int) int {
	return min(max(spillBytes/max(runs, 1), 512), 64<<10)
}

// all returns the units in the order they were kept.
func (s *unitStore) all() recSeq { return s.log.all() }

// byID returns the units sorted by id in the store's order, those of one
// id in the order they were kept: the log itself when they came so. The
// data's order is the first of bytewise and natural (keyOrder) in which
// its ids came, else bytewise; a reference follows the data's order (see
// follow). A spilled log was sorted as it was written (idruns.go).
func (s *unitStore) byID() (recSeq, error) {
	bg, err := s.log.sortedRuns()
	if err != nil {
		return recSeq{}, err
	}
	inOrder := func(o keyOrder) (bool, error) {
		switch {
		case bg != nil && o == bytewise:
			return bg.inBytes, nil
		case bg != nil:
			return bg.inNatural, nil
		case o == bytewise:
			return !s.unsorted, nil
		}
		return s.inOrder(o)
	}
	var ok bool
	if !s.orderSet {
		// The order is chosen by reading the log, and what the reading
		// found answers whether it is in that order: where neither order
		// holds, it is bytewise and ok is false.
		s.orderSet, s.order = true, bytewise
		ok, err = inOrder(bytewise)
		if err == nil && !ok && naturalIDs {
			if ok, err = inOrder(natural); ok {
				s.order = natural
			}
		}
	} else {
		ok, err = inOrder(s.order)
	}
	switch {
	case err != nil:
		return recSeq{}, err
	case ok:
		return s.all(), nil
	case bg != nil && bg.split && s.order == bytewise:
		return recSeq{log: &s.log.recLog, n: s.log.n, runs: bg}, nil
	}
	return sortLog(&s.log.recLog, idKey, nil, s.order)
}

// naturalIDs lets the ids be read in natural order; tests turn it off to
// compare the findings in both orders.
var naturalIDs = true

// follow makes the store sort its ids in order o, that of the data it is
// merged with.
func (s *unitStore) follow(o keyOrder) { s.order, s.orderSet = o, true }

// inOrder tells whether the ids were kept in increasing order o.
func (s *unitStore) inOrder(o keyOrder) (bool, error) {
	var last []byte
	r := s.log.reader(0)
	for i := 0; ; i++ {
		b, ok := r.next()
		if !ok {
			return true, r.err()
		}
		id := idKey(b)
		if i > 0 && o.compare(id, last) < 0 {
			return false, r.err()
		}
		last = append(last[:0], id...)
	}
}

// byParent returns the units that name a parent other than themselves,
// total rows aside, sorted by parent in the store's order, those of one
// parent in the order they were kept.
func (s *unitStore) byParent() (recSeq, error) {
	return sortLog(&s.log.recLog, parentKey, s.isKid, s.order)
}

// isKid tells whether a unit's record names a parent other than itself
// and is not a total row: a child in the hierarchy checks.
func (s *unitStore) isKid(b []byte) bool {
	r := recReader{b: b}
	r.uvarint()
	id, p := r.str(), r.str()
	if len(p) == 0 || bytes.Equal(p, id) {
		return false
	}
	lv := r.uvarint()
	return !r.bad && lv < uint64(len(s.levels)) && !isTotalLevel(s.levels[lv])
}

// release removes the store's temporary file, if any.
func (s *unitStore) release() { s.log.release() }

// each calls fn with every unit of seq, decoded, in order, until fn
// returns false.
func (s *unitStore) each(seq recSeq, fn func(u *urec) bool) error {
	var u urec
	r := seq.reader(seqPos{})
	for {
		b, ok := r.next()
		if !ok {
			return r.err()
		}
		s.decode(b, &u)
		if !fn(&u) {
			return nil
		}
	}
}

// keyOrder is an order of ids (and parents) in which the cross-unit
// checks read units. Both are total orders in which only equal ids
// compare equal; the checks only need the units of an id to come
// together, and both sides of a merge to follow the same order.
//
//   - bytewise: the bytes' order;
//   - natural: each run of decimal digits counts as one number, sorted
//     by its value among the bytes '/' and ':', so that "d2/9" comes
//     before "d2/10" and "1", "2", ..., "10" are in order; ids equal
//     but for leading zeros ("7", "007") go bytewise.
//
// Ids that come in natural order (a table of numbered polling stations)
// need no sort.
type keyOrder uint8

const (
	bytewise keyOrder = iota
	natural
)

func (o keyOrder) compare(a, b []byte) int {
	if o == bytewise {
		return bytes.Compare(a, b)
	}
	return naturalCompare(a, b)
}

func isDigit(c byte) bool { return c-'0' < 10 }

// naturalCompare compares a and b in natural order.
func naturalCompare(a, b []byte) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if !isDigit(ca) || !isDigit(cb) {
			if ca != cb {
				return cmp.Compare(ca, cb)
			}
			i++
			j++
			continue
		}
		// Two numbers: without their leading zeros, the longer is
		// larger, else the first digit that differs tells.
		for i < len(a) && a[i] == '0' {
			i++
		}
		for j < len(b) && b[j] == '0' {
			j++
		}
		ei, ej := i, j
		for ei < len(a) && isDigit(a[ei]) {
			ei++
		}
		for ej < len(b) && isDigit(b[ej]) {
			ej++
		}
		if c := cmp.Compare(ei-i, ej-j); c != 0 {
			return c
		}
		if c := bytes.Compare(a[i:ei], b[j:ej]); c != 0 {
			return c
		}
		i, j = ei, ej
	}
	if c := cmp.Compare(len(a)-i, len(b)-j); c != 0 {
		return c
	}
	return bytes.Compare(a, b)
}

// sortLog returns the records of src that keep accepts (every one when
// keep is nil), stably sorted by key in order o. A log in memory is sorted by
// offsets into it; a spilled one by runs of at most spillBytes, sorted in
// memory, written one after another to a temporary file and merged into a
// new log.
func sortLog(src *recLog, key func([]byte) []byte, keep func([]byte) bool, o keyOrder) (recSeq, error) {
	if src.f == nil {
		var offs []uint64
		r := src.reader(0)
		for {
			at := r.off
			b, ok := r.next()
			if !ok {
				break
			}
			if keep == nil || keep(b) {
				offs = append(offs, uint64(at))
			}
		}
		sortOffs(src, offs, key, o)
		return recSeq{log: src, offs: offs, view: true, n: len(offs)}, nil
	}
	// Runs of at most spillBytes, each sorted in memory and appended to
	// one file.
	runs := &recLog{limit: -1}
	defer runs.release()
	var bounds []int64 // where each run starts in runs, then its end
	chunk := &recLog{limit: math.MaxInt}
	flush := func() {
		if chunk.n == 0 {
			return
		}
		seq, _ := sortLog(chunk, key, nil, o)
		bounds = append(bounds, runs.size)
		r := seq.reader(seqPos{})
		for b, ok := r.next(); ok; b, ok = r.next() {
			runs.append(b)
		}
		chunk.reset()
	}
	r := src.reader(0)
	for {
		b, ok := r.next()
		if !ok {
			break
		}
		if keep != nil && !keep(b) {
			continue
		}
		if chunk.size+int64(len(b)) > int64(spillBytes) {
			flush()
		}
		chunk.append(b)
	}
	if err := r.err(); err != nil {
		return recSeq{}, err
	}
	if len(bounds) == 0 {
		// What was kept fits in memory.
		seq, _ := sortLog(chunk, key, nil, o)
		return seq, nil
	}
	flush()
	chunk = nil
	bounds = append(bounds, runs.size)
	if err := runs.finish(); err != nil {
		return recSeq{}, err
	}
	out := &recLog{limit: -1}
	m := &merger{o: o}
	bufSize := mergeBufSize(len(bounds) - 1)
	for i := range len(bounds) - 1 {
		rr := runs.section(bounds[i], bounds[i+1], bufSize)
		if b, ok := rr.next(); ok {
			m.h = append(m.h, mergeRun{r: rr, b: b, k: key(b), i: i})
		} else if err := rr.err(); err != nil {
			return recSeq{}, err
		}
	}
	heap.Init(m)
	for len(m.h) > 0 {
		top := &m.h[0]
		out.append(top.b)
		if b, ok := top.r.next(); ok {
			top.b, top.k = b, key(b)
			heap.Fix(m, 0)
		} else {
			if err := top.r.err(); err != nil {
				out.release()
				return recSeq{}, err
			}
			heap.Pop(m)
		}
	}
	if err := out.finish(); err != nil {
		out.release()
		return recSeq{}, err
	}
	return recSeq{log: out, n: out.n, owned: true}, nil
}

// sortOffs sorts offsets of records of an in-memory log by key, stably:
// offsets grow in the order records were appended, so they break ties.
func sortOffs(l *recLog, offs []uint64, key func([]byte) []byte, o keyOrder) {
	type ent struct {
		key []byte
		off uint64
	}
	es := make([]ent, len(offs))
	for i, o := range offs {
		es[i] = ent{key(l.at(o)), o}
	}
	slices.SortFunc(es, func(a, b ent) int {
		if c := o.compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.off, b.off)
	})
	for i, e := range es {
		offs[i] = e.off
	}
}

type mergeRun struct {
	r    *logReader
	b, k []byte // the run's next record and its key
	i    int
}

// merger is a heap of runs by their next record's key, then by run, so
// that the merge is stable.
type merger struct {
	h []mergeRun
	o keyOrder
}

func (m *merger) Len() int { return len(m.h) }
func (m *merger) Less(i, j int) bool {
	if c := m.o.compare(m.h[i].k, m.h[j].k); c != 0 {
		return c < 0
	}
	return m.h[i].i < m.h[j].i
}
func (m *merger) Swap(i, j int) { m.h[i], m.h[j] = m.h[j], m.h[i] }
func (m *merger) Push(x any)    { m.h = append(m.h, x.(mergeRun)) }
func (m *merger) Pop() any {
	x := m.h[len(m.h)-1]
	m.h = m.h[:len(m.h)-1]
	return x
}
