package pipeline

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"tally/report"
)

// The cross-unit checks run once every source has been read. They work on
// a unitStore per contest: one unitRec per unit, holding its id, parent,
// level, place in the source and every figure and option's votes, never
// its rows. They find:
//
//   - units that appear twice (an exact copy, or the same unit with other
//     figures), and units placed under two parents;
//   - units with no figure at all (every cell empty or a dash);
//   - units whose figures differ from the sum of their children, at any
//     depth, where the children name their parent (a parent column, a
//     section label, a key made of several columns) and the parent is a
//     unit of the data or a total row naming it ("Allen County Total");
//   - total rows ("TOTAL", "Итого", "POLSKA OGÓŁEM") that differ from the
//     sum of the most detailed units of their table;
//   - differences with reference sources (see Source.Reference), unit by
//     unit where the reference names the same units, and in total.
//
// A difference is reported with both figures and its sign (children's sum
// minus the parent's figure), and is localized where the data allows:
// children with no figure that may hold a shortfall, a child (or a
// duplicated one) that holds exactly an excess, a child whose own options
// miss its valid ballots by the same amount (a mistyped cell), or another
// level of units that a total row counts too.

// absent marks a value a unit does not carry.
const absent = math.MinInt64

// unitStore keeps the per-unit aggregates of one contest. Values are
// indexed by figure (the standard ones, then the spec's extra lines) and
// then by the store's own option index.
//
// What a unit costs: a record of 64 bytes, its id (the parent's id is
// shared by its children), and its figures and votes as variable-length
// integers, one or two bytes each for the counts of a polling station.
// Cell positions are patterns shared by the units of a table whose values
// sit in the same columns. 100,000 polling stations with 12 options take
// about 12 MB.
type unitStore struct {
	recs     [][]unitRec // in chunks of recChunk, so that growing never copies them
	optIdx   map[string]int
	opts     []Option
	places   []place
	placeIdx map[place]int32
	nfig     int
	n        int

	arena    [][]byte // values as uvarints: 0 for none, zigzag(v)+1 for v
	ats      [][]uint32
	parents  map[string]string // parent ids, interned
	levels   []string
	levelIdx map[string]uint16
	names    map[*unitRec]string // names of total and subtotal rows
	vbuf     []int64
	abuf     []uint32
	ebuf     []byte
}

type place struct{ file, sheet string }

// arenaChunk is the size of a chunk of the value arena.
const arenaChunk = 1 << 20

// recChunk is the size of a chunk of unit records.
const recChunk = 4096

// unitRec is one unit as the cross-unit checks see it.
type unitRec struct {
	id, parent string
	place      int32
	row        int32
	chunk, off int32 // where its values are in the arena
	n          int32 // how many values it has
	at         int32 // its pattern of positions: per value, the column (low 16 bits) and rows below its first (high 16 bits)
	sumDiff    int32 // options minus valid ballots when they differ, else 0; sumDiffLarge when that does not fit
	level      uint16
}

const sumDiffLarge = math.MinInt32

// len returns the number of units kept.
func (s *unitStore) len() int { return s.n }

// rec returns unit i, in the order they were kept.
func (s *unitStore) rec(i int) *unitRec { return &s.recs[i/recChunk][i%recChunk] }

// val returns value k of a unit, or absent.
func (s *unitStore) val(u *unitRec, k int) int64 {
	if k < 0 || k >= int(u.n) {
		return absent
	}
	b := s.arena[u.chunk][u.off:]
	for ; k > 0; k-- {
		_, w := binary.Uvarint(b)
		b = b[w:]
	}
	x, _ := binary.Uvarint(b)
	return unzig(x)
}

// vals decodes every value of a unit into buf.
func (s *unitStore) vals(u *unitRec, buf []int64) []int64 {
	buf = buf[:0]
	b := s.arena[u.chunk][u.off:]
	for range u.n {
		x, w := binary.Uvarint(b)
		b = b[w:]
		buf = append(buf, unzig(x))
	}
	return buf
}

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
func (s *unitStore) lvl(u *unitRec) string { return s.levels[u.level] }

// name returns the name of a total or subtotal row ("" for other units).
func (s *unitStore) name(u *unitRec) string { return s.names[u] }

func isTotalLevel(level string) bool { return level == LevelTotal || level == LevelSubtotal }

// keep adds a flushed unit. nextra is the number of the spec's extra
// figures.
func (s *unitStore) keep(u *unitBuf, nextra int) {
	if s.optIdx == nil {
		s.optIdx = map[string]int{}
		s.placeIdx = map[place]int32{}
		s.parents = map[string]string{}
		s.levelIdx = map[string]uint16{}
		s.names = map[*unitRec]string{}
	}
	nfig := int(numFigures) + nextra
	s.nfig = nfig
	n := nfig
	for _, res := range u.results {
		k, ok := s.optIdx[res.opt.ID]
		if !ok {
			k = len(s.opts)
			s.optIdx[res.opt.ID] = k
			s.opts = append(s.opts, res.opt)
		}
		n = max(n, nfig+k+1)
	}
	rec := unitRec{id: u.id, row: int32(u.pos.Row), n: int32(n)}
	if u.parent != "" {
		p, ok := s.parents[u.parent]
		if !ok {
			p = u.parent
			s.parents[p] = p
		}
		rec.parent = p
	}
	li, ok := s.levelIdx[u.level]
	if !ok {
		li = uint16(len(s.levels))
		s.levels = append(s.levels, u.level)
		s.levelIdx[u.level] = li
	}
	rec.level = li
	pl := place{u.pos.File, u.pos.Sheet}
	pi, ok := s.placeIdx[pl]
	if !ok {
		pi = int32(len(s.places))
		s.places = append(s.places, pl)
		s.placeIdx[pl] = pi
	}
	rec.place = pi
	vals := s.vbuf[:0]
	at := s.abuf[:0]
	for range n {
		vals = append(vals, absent)
		at = append(at, 0)
	}
	pack := func(p report.Position) uint32 {
		off := p.Row - u.pos.Row
		if off < 0 || off > 0xffff || p.Column > 0xffff || p.Column < 0 {
			return 0
		}
		return uint32(off)<<16 | uint32(p.Column)
	}
	for f := range numFigures {
		if fg := u.fig[f]; fg.v.ok {
			vals[f] = fg.v.v
			at[f] = pack(fg.pos)
		}
	}
	for i, x := range u.extra {
		if i < nextra && x.v.ok {
			vals[int(numFigures)+i] = x.v.v
			at[int(numFigures)+i] = pack(x.pos)
		}
	}
	var sum int64
	has := false
	for _, res := range u.results {
		k := nfig + s.optIdx[res.opt.ID]
		at[k] = pack(res.pos)
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
	if v := u.fig[FigValid].v; v.ok && has && sum != v.v {
		d := sum - v.v
		if d <= math.MinInt32 || d > math.MaxInt32 {
			rec.sumDiff = sumDiffLarge
		} else {
			rec.sumDiff = int32(d)
		}
	}
	s.vbuf, s.abuf = vals, at
	s.store(&rec, vals)
	rec.at = s.pattern(at)
	c := len(s.recs) - 1
	if c < 0 || len(s.recs[c]) == recChunk {
		s.recs = append(s.recs, make([]unitRec, 0, recChunk))
		c++
	}
	s.recs[c] = append(s.recs[c], rec)
	s.n++
	if isTotalLevel(u.level) {
		s.names[&s.recs[c][len(s.recs[c])-1]] = u.name
	}
}

// store puts a unit's values in the arena.
func (s *unitStore) store(rec *unitRec, vals []int64) {
	e := s.ebuf[:0]
	for _, v := range vals {
		e = binary.AppendUvarint(e, zig(v))
	}
	s.ebuf = e
	c := len(s.arena) - 1
	if c < 0 || len(s.arena[c])+len(e) > cap(s.arena[c]) {
		s.arena = append(s.arena, make([]byte, 0, max(arenaChunk, len(e))))
		c++
	}
	rec.chunk, rec.off = int32(c), int32(len(s.arena[c]))
	s.arena[c] = append(s.arena[c], e...)
}

// pattern returns the index of a pattern of positions, reusing the last
// one when they are the same (the units of one table mostly are).
func (s *unitStore) pattern(at []uint32) int32 {
	if n := len(s.ats); n > 0 && equalU32(s.ats[n-1], at) {
		return int32(n - 1)
	}
	s.ats = append(s.ats, append([]uint32(nil), at...))
	return int32(len(s.ats) - 1)
}

func equalU32(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// pos returns the position of value k of a unit: its cell where known,
// else the unit's first row.
func (s *unitStore) pos(u *unitRec, k int) report.Position {
	pl := s.places[u.place]
	p := report.Position{File: pl.file, Sheet: pl.sheet, Row: int(u.row)}
	if at := s.ats[u.at]; k >= 0 && k < len(at) && at[k] != 0 {
		p.Row += int(at[k] >> 16)
		p.Column = int(at[k] & 0xffff)
	}
	return p
}

func (s *unitStore) rowPos(u *unitRec) report.Position {
	pl := s.places[u.place]
	return report.Position{File: pl.file, Sheet: pl.sheet, Row: int(u.row)}
}

// crossChecks runs the checks that need every unit of every contest.
func (r *runner) crossChecks() {
	for _, id := range r.contestOrder {
		c := r.contests[id]
		x := &crossCheck{r: r, c: c, s: &c.units}
		x.index()
		x.duplicates()
		x.empty()
		x.hierarchy()
		if c.refs.len() > 0 {
			x.reference()
		}
	}
}

// finishChecks runs the cross-unit checks, applies the ledger and returns
// every finding in order.
func (r *runner) finishChecks() []report.Finding {
	r.crossChecks()
	fs := r.rec.Findings()
	if cs := r.spec.checks; cs != nil && cs.ledger != nil {
		fs = cs.ledger.Apply(fs, r.opt.Today)
	}
	return fs
}

type crossCheck struct {
	r    *runner
	c    *contestAgg
	s    *unitStore
	byID map[string]int32   // the first unit of each id
	dups map[string][]int32 // every unit of the ids that appear more than once
}

func (x *crossCheck) index() {
	x.byID = make(map[string]int32, x.s.len())
	x.dups = map[string][]int32{}
	for i := range x.s.len() {
		id := x.s.rec(int(i)).id
		first, seen := x.byID[id]
		switch {
		case !seen:
			x.byID[id] = int32(i)
		case x.dups[id] == nil:
			x.dups[id] = []int32{first, int32(i)}
		default:
			x.dups[id] = append(x.dups[id], int32(i))
		}
	}
}

func (x *crossCheck) add(f report.Finding) { x.r.rec.Add(f) }

// name words value k for messages.
func (x *crossCheck) name(k int) string {
	if k < x.s.nfig {
		return x.r.spec.figureName(k)
	}
	return fmt.Sprintf("votes for %q", x.s.opts[k-x.s.nfig].Name)
}

func (x *crossCheck) optionID(k int) string {
	if k < x.s.nfig {
		return ""
	}
	return x.s.opts[k-x.s.nfig].ID
}

// duplicates reports units that appear more than once in the contest:
// exact copies, copies with other figures, and units under two parents.
// A unit whose rows come in two runs with different options (a long
// table sorted otherwise) is a split, reported as a warning.
func (x *crossCheck) duplicates() {
	s := x.s
	for i := range s.len() {
		g := x.dups[s.rec(int(i)).id]
		if len(g) < 2 || g[0] == int32(i) {
			continue
		}
		a, b := s.rec(int(g[0])), s.rec(int(i))
		first := s.rowPos(a)
		if a.parent != "" && b.parent != "" && a.parent != b.parent {
			x.add(report.Finding{Severity: report.Error, Code: report.UnitTwoParents, Pos: s.rowPos(b), UnitID: b.id,
				Expected: a.parent, Actual: b.parent,
				Message: fmt.Sprintf("unit %q is under %q here, but under %q at %s", b.id, b.parent, a.parent, first)})
		}
		diff, shared := -1, false
		for k := 0; k < int(max(a.n, b.n)); k++ {
			va, vb := s.val(a, k), s.val(b, k)
			if va == absent || vb == absent {
				continue
			}
			if k >= s.nfig {
				shared = true
			}
			if va != vb && diff < 0 {
				diff = k
			}
		}
		switch {
		case diff < 0 && !shared && int(a.n) > s.nfig && int(b.n) > s.nfig:
			x.add(report.Finding{Severity: report.Warning, Code: report.DuplicateUnit, Pos: s.rowPos(b), UnitID: b.id,
				Message: fmt.Sprintf("the rows of unit %q come in two runs (first at %s); its votes are kept, in two rows of the units table", b.id, first)})
		case diff < 0:
			x.add(report.Finding{Severity: report.Error, Code: report.DuplicateUnit, Pos: s.rowPos(b), UnitID: b.id,
				Message: fmt.Sprintf("unit %q appears again with the same figures (first at %s); it is counted twice in the totals", b.id, first)})
		default:
			x.add(report.Finding{Severity: report.Error, Code: report.ConflictingUnit, Pos: s.pos(b, diff), UnitID: b.id, OptionID: x.optionID(diff),
				Expected: strconv.FormatInt(s.val(a, diff), 10), Actual: strconv.FormatInt(s.val(b, diff), 10),
				Message: fmt.Sprintf("unit %q appears again with other figures: %s is %d here, but %d at %s", b.id, x.name(diff), s.val(b, diff), s.val(a, diff), s.pos(a, diff))})
		}
	}
}

// empty reports units with no figure and no votes at all.
func (x *crossCheck) empty() {
	s := x.s
	for i := range s.len() {
		u := s.rec(int(i))
		none := true
		for k := range int(u.n) {
			if s.val(u, k) != absent {
				none = false
				break
			}
		}
		if none {
			x.add(report.Finding{Severity: report.Warning, Code: report.UnitNoFigures, Pos: s.rowPos(u), UnitID: u.id,
				Message: fmt.Sprintf("unit %q has no figure and no votes (every cell is empty or a dash); sums over its parent lack it", u.id)})
		}
	}
}

// hierarchy compares every parent with the sum of its children, and every
// total row with the units of its table.
func (x *crossCheck) hierarchy() {
	s := x.s
	groups := map[string][]int32{}
	var order []string
	for i := range s.len() {
		u := s.rec(int(i))
		if u.parent == "" || u.parent == u.id || isTotalLevel(x.s.lvl(u)) {
			continue
		}
		if _, ok := groups[u.parent]; !ok {
			order = append(order, u.parent)
		}
		groups[u.parent] = append(groups[u.parent], int32(i))
	}
	// Total rows that name the unit they total: "Allen County Total".
	named := map[string]int32{}
	for i := range s.len() {
		u := s.rec(int(i))
		if !isTotalLevel(x.s.lvl(u)) {
			continue
		}
		if _, isGroup := groups[u.id]; isGroup {
			continue
		}
		key := Slug(withoutTotalWords(x.s.name(u)))
		if key == "" {
			continue
		}
		if _, dup := named[key]; dup {
			named[key] = -1
		} else {
			named[key] = int32(i)
		}
	}
	assigned := map[int32]bool{}
	for _, p := range order {
		kids := groups[p]
		pi := int32(-1)
		if g, ok := x.byID[p]; ok {
			pi = g
		} else if t, ok := named[p]; ok && t >= 0 {
			pi = t
		}
		if pi < 0 {
			continue
		}
		assigned[pi] = true
		pu := s.rec(int(pi))
		code := report.HierarchyMismatch
		if isTotalLevel(x.s.lvl(pu)) {
			code = report.TotalMismatch
		}
		x.compare(x.parentSide(pu), kids, code, fmt.Sprintf("%d units under it", len(kids)), nil)
	}
	var scopes map[int32]*placeLevels
	for i := range s.len() {
		u := s.rec(int(i))
		if x.s.lvl(u) != LevelTotal || assigned[int32(i)] {
			continue
		}
		if scopes == nil {
			scopes = x.placeLevels()
		}
		pl := scopes[u.place]
		if pl == nil || pl.detail == "" {
			continue
		}
		kids := pl.units[pl.detail]
		var others []levelUnits
		for _, lv := range pl.order {
			if lv != pl.detail {
				others = append(others, levelUnits{lv, pl.units[lv]})
			}
		}
		x.compare(x.parentSide(u), kids, report.TotalMismatch, fmt.Sprintf("%d %s units of its table", len(kids), pl.detail), others)
	}
}

type levelUnits struct {
	level string
	units []int32
}

// placeLevels groups the units of each file and sheet by level, naming the
// most detailed level: the one with the most units, total rows aside.
type placeLevels struct {
	units  map[string][]int32
	order  []string
	detail string
}

func (x *crossCheck) placeLevels() map[int32]*placeLevels {
	out := map[int32]*placeLevels{}
	for i := range x.s.len() {
		u := x.s.rec(int(i))
		if isTotalLevel(x.s.lvl(u)) {
			continue
		}
		pl := out[u.place]
		if pl == nil {
			pl = &placeLevels{units: map[string][]int32{}}
			out[u.place] = pl
		}
		if _, ok := pl.units[x.s.lvl(u)]; !ok {
			pl.order = append(pl.order, x.s.lvl(u))
		}
		pl.units[x.s.lvl(u)] = append(pl.units[x.s.lvl(u)], int32(i))
	}
	for _, pl := range out {
		for _, lv := range pl.order {
			if pl.detail == "" || len(pl.units[lv]) > len(pl.units[pl.detail]) {
				pl.detail = lv
			}
		}
	}
	return out
}

// parent is what a sum of units is compared with: a unit of the data or
// of a reference, its values in the data's value space.
type parent struct {
	id   string
	desc string
	vals []int64
	pos  func(k int) report.Position
}

func (x *crossCheck) parentSide(u *unitRec) parent {
	desc := fmt.Sprintf("unit %q", u.id)
	if isTotalLevel(x.s.lvl(u)) {
		desc = fmt.Sprintf("total row %q", x.s.name(u))
	}
	return parent{id: u.id, desc: desc, vals: x.s.vals(u, nil), pos: func(k int) report.Position { return x.s.pos(u, k) }}
}

// mismatch is one value of a parent that its children do not sum to.
type mismatch struct {
	k       int
	want    int64
	sum     int64
	missing []int32 // children without the value (the first few)
	nmiss   int
}

func (m mismatch) diff() int64 { return m.sum - m.want }

// compare sums the children's values and reports each value the parent
// states otherwise, localized where it can be.
func (x *crossCheck) compare(p parent, kids []int32, code report.Code, what string, others []levelUnits) {
	s := x.s
	nv := len(p.vals)
	sums := make([]int64, nv)
	have := make([]int, nv)
	nmiss := make([]int, nv)
	missing := make([][]int32, nv)
	var buf []int64
	for _, ci := range kids {
		buf = s.vals(s.rec(int(ci)), buf)
		for k := range nv {
			if p.vals[k] == absent {
				continue
			}
			v := int64(absent)
			if k < len(buf) {
				v = buf[k]
			}
			if v == absent {
				if len(missing[k]) < 5 {
					missing[k] = append(missing[k], ci)
				}
				nmiss[k]++
				continue
			}
			sums[k] += v
			have[k]++
		}
	}
	var ms []mismatch
	for k, want := range p.vals {
		if want == absent || have[k] == 0 || sums[k] == want {
			continue
		}
		ms = append(ms, mismatch{k: k, want: want, sum: sums[k], missing: missing[k], nmiss: nmiss[k]})
	}
	if len(ms) == 0 {
		return
	}
	carriers := x.carriers(p, kids, ms)
	for _, m := range ms {
		where := x.localize(m, kids, carriers, others)
		x.add(report.Finding{Severity: report.Error, Code: code, Pos: p.pos(m.k), UnitID: p.id, OptionID: x.optionID(m.k),
			Expected: strconv.FormatInt(m.want, 10), Actual: strconv.FormatInt(m.sum, 10),
			Message: fmt.Sprintf("%s of %s is %d, but the %s sum to %d (difference %+d)%s",
				x.name(m.k), p.desc, m.want, what, m.sum, m.diff(), where)})
	}
}

// carriers returns the children that hold exactly the excess in every
// value that differs: a subtotal counted as a unit, or a unit counted
// twice.
func (x *crossCheck) carriers(p parent, kids []int32, ms []mismatch) []int32 {
	diff := make([]int64, len(p.vals))
	for _, m := range ms {
		if m.diff() <= 0 {
			return nil
		}
		diff[m.k] = m.diff()
	}
	// The whole child is the excess: every value the parent states is
	// the difference there, zero where the sums agree.
	var out []int32
	var buf []int64
	for _, ci := range kids {
		buf = x.s.vals(x.s.rec(int(ci)), buf)
		ok := true
		for k, want := range p.vals {
			if want == absent {
				continue
			}
			v := int64(0)
			if k < len(buf) && buf[k] != absent {
				v = buf[k]
			}
			if v != diff[k] {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, ci)
			if len(out) == 3 {
				break
			}
		}
	}
	return out
}

// localize says which children carry a difference, as a clause to append
// to the finding's message ("" when nothing points anywhere).
func (x *crossCheck) localize(m mismatch, kids, carriers []int32, others []levelUnits) string {
	s := x.s
	d := m.diff()
	var parts []string
	for _, ci := range carriers {
		u := s.rec(int(ci))
		if g := x.dups[u.id]; len(g) > 1 {
			parts = append(parts, fmt.Sprintf("unit %q is counted twice (%s and %s)", u.id, s.rowPos(s.rec(int(g[0]))), s.rowPos(s.rec(int(g[1])))))
		} else {
			parts = append(parts, fmt.Sprintf("unit %q (%s) holds exactly the difference: a subtotal, or a unit that belongs elsewhere, counted again", u.id, s.rowPos(u)))
		}
	}
	if d < 0 && m.nmiss > 0 {
		var ids []string
		for _, ci := range m.missing {
			u := s.rec(int(ci))
			ids = append(ids, fmt.Sprintf("%q (%s)", u.id, s.rowPos(u)))
		}
		more := ""
		if m.nmiss > len(m.missing) {
			more = fmt.Sprintf(" and %d more", m.nmiss-len(m.missing))
		}
		parts = append(parts, fmt.Sprintf("%d unit(s) have no figure here and may hold the missing %d: %s%s", m.nmiss, -d, strings.Join(ids, ", "), more))
	}
	if len(carriers) == 0 {
		// A mistyped cell: a child whose own options miss its valid
		// ballots by the same amount.
		want := d
		if m.k == int(FigValid) {
			want = -d
		}
		if m.k == int(FigValid) || m.k >= s.nfig {
			for _, ci := range kids {
				u := s.rec(int(ci))
				if u.sumDiff != 0 && u.sumDiff != sumDiffLarge && int64(u.sumDiff) == want {
					parts = append(parts, fmt.Sprintf("unit %q's options also miss its valid ballots by %+d: its cell at %s is the likely error", u.id, u.sumDiff, s.pos(u, m.k)))
					break
				}
			}
		}
	}
	for _, o := range others {
		var sum int64
		n := 0
		for _, ci := range o.units {
			if v := s.val(s.rec(int(ci)), m.k); v != absent {
				sum += v
				n++
			}
		}
		if n > 0 && sum == -d {
			parts = append(parts, fmt.Sprintf("the difference is the sum of the %d %s units: the total counts them too", len(o.units), o.level))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, "; ")
}

// withoutTotalWords removes the words that mark a total from a name:
// "Allen County Total" -> "allen county".
func withoutTotalWords(name string) string {
	n := " " + FoldName(name) + " "
	words := append([]string(nil), foldedTotalWords...)
	sort.Slice(words, func(i, j int) bool { return len(words[i]) > len(words[j]) })
	for _, w := range words {
		for {
			i := strings.Index(n, " "+w+" ")
			if i < 0 {
				break
			}
			n = n[:i] + " " + n[i+len(w)+2:]
		}
	}
	return strings.TrimSpace(n)
}

// duplicateResult reports an option that appears twice in one unit.
func (sr *sourceReader) duplicateResult(u *unitBuf, first, res resRow) {
	if first.votes == res.votes {
		sr.r.rec.Add(report.Finding{Severity: report.Error, Code: report.DuplicateResult, Pos: res.pos, UnitID: u.id, OptionID: res.opt.ID,
			Message: fmt.Sprintf("option %q appears twice in unit %q (first at %s), with the same votes", res.opt.ID, u.id, first.pos)})
		return
	}
	f := report.Finding{Severity: report.Error, Code: report.ConflictingResult, Pos: res.pos, UnitID: u.id, OptionID: res.opt.ID,
		Message: fmt.Sprintf("option %q appears twice in unit %q with different votes: %s here, %s at %s", res.opt.ID, u.id, optText(res.votes), optText(first.votes), first.pos)}
	f.Expected, f.Actual = optText(first.votes), optText(res.votes)
	sr.r.rec.Add(f)
}

func optText(o opt) string {
	if !o.ok {
		return "none"
	}
	return strconv.FormatInt(o.v, 10)
}
