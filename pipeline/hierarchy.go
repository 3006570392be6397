package pipeline

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"tally/report"
)

// The cross-unit checks run once every source has been read. They work on
// a unitStore per contest: one record per unit, holding its id, parent,
// level, place in the source and every figure and option's votes, never
// its rows, in memory up to a bound and then in a temporary file (see
// unitstore.go for how they are read back in bounded memory). They find:
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

// crossChecks runs the checks that need every unit of every contest, then
// frees what the contests kept for them (and their temporary files).
func (r *runner) crossChecks() error {
	var first error
	for _, id := range r.contestOrder {
		c := r.contests[id]
		if err := r.crossCheck(c); err != nil && first == nil {
			first = fmt.Errorf("cross-unit checks of contest %q: %w", id, err)
		}
		c.units.release()
		c.refs.release()
	}
	return first
}

func (r *runner) crossCheck(c *contestAgg) error {
	x := &crossCheck{r: r, c: c, s: &c.units, dups: map[string][2]report.Position{}}
	ids, err := x.s.byID()
	if err != nil {
		return err
	}
	defer ids.release()
	x.ids = ids
	// The duplicates are found on another core while the hierarchy is
	// checked, which needs them (x.dups) only to word its findings.
	x.dupsDone = make(chan struct{})
	var dupsErr error
	go func() {
		defer close(x.dupsDone)
		dupsErr = x.duplicates()
	}()
	err = x.hierarchy()
	<-x.dupsDone
	if dupsErr != nil {
		return dupsErr
	}
	if err != nil {
		return err
	}
	if c.refs.len() > 0 {
		c.refs.follow(x.s.order)
		return x.reference()
	}
	return nil
}

// finishChecks runs the cross-unit checks and adds the findings of the
// ledger's unused and expired entries (the ledger has seen every finding
// as it was added).
func (r *runner) finishChecks() error {
	if err := r.crossChecks(); err != nil {
		return err
	}
	if r.ledger != nil {
		r.ledger.finish(r.rec)
	}
	return nil
}

type crossCheck struct {
	r    *runner
	c    *contestAgg
	s    *unitStore
	ids  recSeq                        // the units by id
	dups map[string][2]report.Position // the first two units of each id that appears more than once
	// dupsDone is closed when dups is complete.
	dupsDone chan struct{}
	kr       *seqReader // reads children (eachKid)
	ku       urec
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

// idCursor finds the first unit of an id in a sequence sorted by id, for
// ids asked in increasing order.
type idCursor struct {
	s  *unitStore
	r  *seqReader
	b  []byte
	ok bool
}

func newIDCursor(s *unitStore, q recSeq) *idCursor {
	c := &idCursor{s: s, r: q.reader(seqPos{})}
	c.b, c.ok = c.r.next()
	return c
}

// has tells whether a unit of the id is there.
func (c *idCursor) has(id []byte) bool {
	for c.ok && c.s.order.compare(idKey(c.b), id) < 0 {
		c.b, c.ok = c.r.next()
	}
	return c.ok && bytes.Equal(idKey(c.b), id)
}

// first decodes the first unit of the id into u; u is valid until the
// cursor moves on.
func (c *idCursor) first(id []byte, u *urec) bool {
	if !c.has(id) {
		return false
	}
	c.s.decode(c.b, u)
	return true
}

func (c *idCursor) err() error { return c.r.err() }

// duplicates reports units that appear more than once in the contest:
// exact copies, copies with other figures, and units under two parents;
// and units with no figure at all. It reads the units by id, so that the
// units of an id come together, each compared with the first.
func (x *crossCheck) duplicates() error {
	s := x.s
	var a, b urec
	var ab []byte // the record of a, the first unit of the current id
	n := 0        // units of the current id so far
	r := x.ids.reader(seqPos{})
	for {
		rb, ok := r.next()
		if !ok {
			break
		}
		if noValues(rb) {
			s.decode(rb, &b)
			x.empty(&b)
		}
		if n > 0 && bytes.Equal(idKey(rb), idKey(ab)) {
			n++
			s.decode(rb, &b)
			if n == 2 {
				s.decode(ab, &a)
				x.dups[string(b.id)] = [2]report.Position{s.rowPos(&a), s.rowPos(&b)}
			}
			x.duplicate(&a, &b)
			continue
		}
		ab = append(ab[:0], rb...)
		n = 1
	}
	return r.err()
}

// duplicate reports unit b, met again after a. A unit whose rows come in
// two runs with different options (a long table sorted otherwise) is a
// split, reported as a warning.
func (x *crossCheck) duplicate(a, b *urec) {
	s := x.s
	id := string(b.id)
	first := s.rowPos(a)
	if len(a.parent) > 0 && len(b.parent) > 0 && !bytes.Equal(a.parent, b.parent) {
		x.add(report.Finding{Severity: report.Error, Code: report.UnitTwoParents, Pos: s.rowPos(b), UnitID: id,
			Expected: string(a.parent), Actual: string(b.parent),
			Message: fmt.Sprintf("unit %q is under %q here, but under %q at %s", id, string(b.parent), string(a.parent), first)})
	}
	diff, shared := -1, false
	for k := range max(a.n(), b.n()) {
		va, vb := a.val(k), b.val(k)
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
	case diff < 0 && !shared && a.n() > s.nfig && b.n() > s.nfig:
		x.add(report.Finding{Severity: report.Warning, Code: report.DuplicateUnit, Pos: s.rowPos(b), UnitID: id,
			Message: fmt.Sprintf("the rows of unit %q come in two runs (first at %s); its votes are kept, in two rows of the units table", id, first)})
	case diff < 0:
		x.add(report.Finding{Severity: report.Error, Code: report.DuplicateUnit, Pos: s.rowPos(b), UnitID: id,
			Message: fmt.Sprintf("unit %q appears again with the same figures (first at %s); it is counted twice in the totals", id, first)})
	default:
		x.add(report.Finding{Severity: report.Error, Code: report.ConflictingUnit, Pos: s.pos(b, diff), UnitID: id, OptionID: x.optionID(diff),
			Expected: strconv.FormatInt(a.val(diff), 10), Actual: strconv.FormatInt(b.val(diff), 10),
			Message: fmt.Sprintf("unit %q appears again with other figures: %s is %d here, but %d at %s", id, x.name(diff), b.val(diff), a.val(diff), s.pos(a, diff))})
	}
}

// empty reports a unit with no figure and no votes at all.
func (x *crossCheck) empty(u *urec) {
	for _, v := range u.vals {
		if v != absent {
			return
		}
	}
	id := string(u.id)
	x.add(report.Finding{Severity: report.Warning, Code: report.UnitNoFigures, Pos: x.s.rowPos(u), UnitID: id,
		Message: fmt.Sprintf("unit %q has no figure and no votes (every cell is empty or a dash); sums over its parent lack it", id)})
}

// hierarchy compares every parent with the sum of its children, and every
// total row with the units of its table. The children come sorted by
// parent, and each parent is the first unit of its id, found by merging
// with the units sorted by id; or a total row naming it.
func (x *crossCheck) hierarchy() error {
	s := x.s
	groups, err := x.parentGroups()
	if err != nil {
		return err
	}
	defer groups.release()
	totals := make([]*urec, len(s.totals))
	for i, b := range s.totals {
		totals[i] = &urec{}
		s.decode(b, totals[i])
	}
	// Total rows that name the unit they total ("Allen County Total"),
	// unless their id is itself the parent of units.
	named := map[string]int{}
	if len(totals) > 0 {
		isGroup := map[string]bool{}
		for _, t := range totals {
			isGroup[string(t.id)] = false
		}
		err := groups.each(true, func(key []byte, _ kidSource) error {
			if _, ok := isGroup[string(key)]; ok {
				isGroup[string(key)] = true
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i, t := range totals {
			if isGroup[string(t.id)] {
				continue
			}
			key := Slug(withoutTotalWords(string(t.name)))
			if key == "" {
				continue
			}
			if _, dup := named[key]; dup {
				named[key] = -1
			} else {
				named[key] = i
			}
		}
	}
	assigned := map[int]bool{} // total rows compared with the units under them, by seq
	cur := newIDCursor(s, x.ids)
	var pu urec
	err = groups.each(false, func(key []byte, ks kidSource) error {
		var p *urec
		if cur.first(key, &pu) {
			p = pu.clone()
		} else if t, found := named[string(key)]; found && t >= 0 {
			p = totals[t]
		}
		if p == nil {
			return nil
		}
		code := report.HierarchyMismatch
		if s.isTotal(p) {
			assigned[p.seq] = true
			code = report.TotalMismatch
		}
		return x.compare(x.parentSide(p), ks, code,
			func(n int) string { return fmt.Sprintf("%d units under it", n) }, nil)
	})
	if err != nil {
		return err
	}
	if err := cur.err(); err != nil {
		return err
	}
	var scopes map[int32]*placeLevels
	for _, t := range totals {
		if s.lvl(t) != LevelTotal || assigned[t.seq] {
			continue
		}
		if scopes == nil {
			if scopes, err = x.placeLevels(); err != nil {
				return err
			}
		}
		pl := scopes[t.place]
		if pl == nil || pl.detail == "" {
			continue
		}
		o := &otherLevels{place: t.place}
		for _, lv := range pl.order {
			if lv != pl.detail {
				o.levels = append(o.levels, levelUnits{lv, pl.count[lv]})
			}
		}
		place, detail := t.place, pl.detail
		ks := kidSource{q: s.all(), n: -1, keep: func(u *urec) bool {
			return u.place == place && !s.isTotal(u) && s.lvl(u) == detail
		}}
		err := x.compare(x.parentSide(t), ks, report.TotalMismatch,
			func(n int) string { return fmt.Sprintf("%d %s units of its table", n, detail) }, o)
		if err != nil {
			return err
		}
	}
	return nil
}

// kidGroups are the children of each parent, by parent: either runs of
// the units in the order they were kept, where the children of each
// parent come together (as in a table sorted by district), or the
// children sorted by parent.
type kidGroups struct {
	s      *unitStore
	runs   recSeq // in order: one record per run (parent, start, end, count), sorted by parent
	sorted recSeq // else: the children sorted by parent
	isRuns bool
}

func (g *kidGroups) release() { g.runs.release(); g.sorted.release() }

// runBytes bounds the records of the runs of children (one per parent
// where they come together) that the hierarchy checks sort in memory;
// past it they sort the children instead. Tests lower it.
var runBytes = 4 << 20

// parentGroups finds the children of each parent. Where each parent's
// children come together in the order units were kept, it only sorts a
// record per parent; else it sorts the children.
func (x *crossCheck) parentGroups() (*kidGroups, error) {
	s := x.s
	g := &kidGroups{s: s}
	runs := &recLog{limit: math.MaxInt}
	var key, rec []byte
	var start seqPos
	n := 0
	closeRun := func(end seqPos) {
		if n == 0 {
			return
		}
		rec = appendStr(rec[:0], string(key))
		rec = binary.AppendUvarint(rec, uint64(start.i))
		rec = binary.AppendUvarint(rec, start.off)
		rec = binary.AppendUvarint(rec, end.off)
		rec = binary.AppendUvarint(rec, uint64(n))
		runs.append(rec)
	}
	r := s.all().reader(seqPos{})
	ok := true
	kids := 0
	for ok && runs.size < int64(runBytes) {
		pos := r.pos()
		var b []byte
		if b, ok = r.next(); !ok || !s.isKid(b) {
			continue
		}
		if p := parentKey(b); n == 0 || !bytes.Equal(p, key) {
			closeRun(pos)
			key = append(key[:0], p...)
			start, n = pos, 0
		}
		n++
		kids++
	}
	if err := r.err(); err != nil {
		return nil, err
	}
	if !ok {
		closeRun(r.pos())
		q, err := sortLog(runs, runKey, nil, s.order)
		if err != nil {
			return nil, err
		}
		// Runs of a few children each are not worth reading one by one.
		if kids >= 4*runs.n {
			g.runs, g.isRuns = q, true
			return g, nil
		}
		q.release()
	}
	sorted, err := s.byParent()
	if err != nil {
		return nil, err
	}
	g.sorted = sorted
	return g, nil
}

// runKey returns the parent of a run's record.
func runKey(b []byte) []byte {
	r := recReader{b: b}
	return r.str()
}

// each calls fn with each parent, in increasing order, and where its
// children are (keysOnly: only the parent).
func (g *kidGroups) each(keysOnly bool, fn func(key []byte, ks kidSource) error) error {
	s := g.s
	if g.isRuns {
		// The runs of one parent come together, in the order they were
		// kept: its children are theirs, one run after another.
		var key []byte
		ks := kidSource{q: s.all(), kid: true}
		r := g.runs.reader(seqPos{})
		for {
			b, ok := r.next()
			if ok && len(ks.runs) > 0 && !bytes.Equal(runKey(b), key) || !ok && len(ks.runs) > 0 {
				if err := fn(key, ks); err != nil {
					return err
				}
				ks.runs = ks.runs[:0]
			}
			if !ok {
				return r.err()
			}
			rr := recReader{b: b}
			key = append(key[:0], rr.str()...)
			var run kidRun
			run.start.i = int(rr.uvarint())
			run.start.off = rr.uvarint()
			run.end = int64(rr.uvarint())
			run.n = int(rr.uvarint())
			if rr.bad {
				return errBadLog
			}
			ks.runs = append(ks.runs, run)
		}
	}
	// The children sorted by parent: those of one parent are copied to
	// memory as they are read, up to groupBytes; a larger group is read
	// again from the sorted sequence.
	group := &recLog{limit: math.MaxInt}
	r := g.sorted.reader(seqPos{})
	pos := r.pos()
	b, ok := r.next()
	for ok {
		key := bytes.Clone(parentKey(b))
		start, n := pos, 0
		group.reset()
		for ok && bytes.Equal(parentKey(b), key) {
			if !keysOnly && group.size < groupBytes {
				group.append(b)
			}
			n++
			pos = r.pos()
			b, ok = r.next()
		}
		ks := kidSource{q: g.sorted, start: start, n: n}
		if group.n == n {
			ks = kidSource{q: group.all(), n: -1}
		}
		if err := fn(key, ks); err != nil {
			return err
		}
	}
	return r.err()
}

// groupBytes bounds the children of one parent held in memory at once.
const groupBytes = 1 << 20

// levelUnits is a level of units and how many there are.
type levelUnits struct {
	level string
	n     int
}

// otherLevels are the levels of a file and sheet that a total row is not
// compared with: if it counts them too, the difference says so.
type otherLevels struct {
	place  int32
	levels []levelUnits
}

// placeLevels counts the units of each file and sheet by level, naming the
// most detailed level: the one with the most units, total rows aside.
type placeLevels struct {
	count  map[string]int
	order  []string
	detail string
}

func (x *crossCheck) placeLevels() (map[int32]*placeLevels, error) {
	s := x.s
	out := map[int32]*placeLevels{}
	err := s.each(s.all(), func(u *urec) bool {
		if s.isTotal(u) {
			return true
		}
		pl := out[u.place]
		if pl == nil {
			pl = &placeLevels{count: map[string]int{}}
			out[u.place] = pl
		}
		lv := s.lvl(u)
		if _, ok := pl.count[lv]; !ok {
			pl.order = append(pl.order, lv)
		}
		pl.count[lv]++
		return true
	})
	for _, pl := range out {
		for _, lv := range pl.order {
			if pl.detail == "" || pl.count[lv] > pl.count[pl.detail] {
				pl.detail = lv
			}
		}
	}
	return out, err
}

// parent is what a sum of units is compared with: a unit of the data or
// of a reference, its values in the data's value space.
type parent struct {
	id   string
	desc string
	vals []int64
	pos  func(k int) report.Position
}

// parentSide is a unit of the data as a parent; u must outlive it.
func (x *crossCheck) parentSide(u *urec) parent {
	id := string(u.id)
	desc := fmt.Sprintf("unit %q", id)
	if x.s.isTotal(u) {
		desc = fmt.Sprintf("total row %q", string(u.name))
	}
	return parent{id: id, desc: desc, vals: u.vals, pos: func(k int) report.Position { return x.s.pos(u, k) }}
}

// kidSource is where the children of a parent are: from start in a
// sequence, the records that kid and keep accept, n of them (every one to
// the sequence's end when n < 0).
type kidSource struct {
	q     recSeq
	start seqPos
	n     int
	kid   bool     // only the records that name a parent other than themselves, total rows aside
	runs  []kidRun // when set, the children are these runs of q, not n from start
	keep  func(u *urec) bool
}

// kidRun is a run of children in a sequence: n of them from start, and in
// a file no further than end.
type kidRun struct {
	start seqPos
	end   int64
	n     int
}

// eachKid calls fn with every child, in order. u is valid during the
// call.
func (x *crossCheck) eachKid(ks kidSource, fn func(u *urec)) error {
	if x.kr == nil {
		x.kr = &seqReader{}
	}
	runs := ks.runs
	if runs == nil {
		runs = []kidRun{{start: ks.start, n: ks.n}}
	}
	u := &x.ku
	for _, run := range runs {
		x.kr.seekTo(ks.q, run.start, run.end)
		for i := 0; run.n < 0 || i < run.n; {
			b, ok := x.kr.next()
			if !ok {
				break
			}
			if ks.kid && !x.s.isKid(b) {
				continue
			}
			x.s.decode(b, u)
			if ks.keep == nil || ks.keep(u) {
				fn(u)
				i++
			}
		}
		if err := x.kr.err(); err != nil {
			return err
		}
	}
	return nil
}

// kidRef names a child in a message.
type kidRef struct {
	id  string
	pos report.Position
}

// mismatch is one value of a parent that its children do not sum to.
type mismatch struct {
	k       int
	want    int64
	sum     int64
	missing []kidRef // children without the value (the first few)
	nmiss   int
}

func (m mismatch) diff() int64 { return m.sum - m.want }

// typo is a child whose own options miss its valid ballots by a
// mismatch's difference.
type typo struct {
	id      string
	sumDiff int32
	pos     report.Position
}

// levelSum is the sum of one value over the units of a level, and how
// many of them carry it.
type levelSum struct {
	sum int64
	n   int
}

// compare sums the children's values and reports each value the parent
// states otherwise, localized where it can be. what words the children,
// given their number. The children are read once, and again where a value
// differs.
func (x *crossCheck) compare(p parent, ks kidSource, code report.Code, what func(n int) string, others *otherLevels) error {
	s := x.s
	nv := len(p.vals)
	sums := make([]int64, nv)
	have := make([]int, nv)
	nmiss := make([]int, nv)
	missing := make([][]kidRef, nv)
	nk := 0
	err := x.eachKid(ks, func(u *urec) {
		nk++
		for k, want := range p.vals {
			if want == absent {
				continue
			}
			v := u.val(k)
			if v == absent {
				if len(missing[k]) < 5 {
					missing[k] = append(missing[k], kidRef{string(u.id), s.rowPos(u)})
				}
				nmiss[k]++
				continue
			}
			sums[k] += v
			have[k]++
		}
	})
	if err != nil {
		return err
	}
	var ms []mismatch
	for k, want := range p.vals {
		if want == absent || have[k] == 0 || sums[k] == want {
			continue
		}
		ms = append(ms, mismatch{k: k, want: want, sum: sums[k], missing: missing[k], nmiss: nmiss[k]})
	}
	if len(ms) == 0 {
		return nil
	}
	// Again: the children that hold exactly the excess in every value that
	// differs (a subtotal counted as a unit, or a unit counted twice), and
	// those whose own options miss their valid ballots by a difference (a
	// mistyped cell).
	var carriers []kidRef
	excess := make([]int64, nv)
	whole := true
	for _, m := range ms {
		if m.diff() <= 0 {
			whole = false
		}
		excess[m.k] = m.diff()
	}
	typos := make([]*typo, len(ms))
	err = x.eachKid(ks, func(u *urec) {
		if whole && len(carriers) < 3 && x.holds(p, u, excess) {
			carriers = append(carriers, kidRef{string(u.id), s.rowPos(u)})
		}
		if u.sumDiff == 0 || u.sumDiff == sumDiffLarge {
			return
		}
		for i, m := range ms {
			if typos[i] != nil || m.k != int(FigValid) && m.k < s.nfig {
				continue
			}
			want := m.diff()
			if m.k == int(FigValid) {
				want = -want
			}
			if int64(u.sumDiff) == want {
				typos[i] = &typo{string(u.id), u.sumDiff, s.pos(u, m.k)}
			}
		}
	})
	if err != nil {
		return err
	}
	osums, err := x.otherSums(ms, others)
	if err != nil {
		return err
	}
	if x.dupsDone != nil {
		<-x.dupsDone
	}
	w := what(nk)
	for i, m := range ms {
		var osum []levelSum
		if osums != nil {
			osum = osums[i]
		}
		where := x.localize(m, carriers, typos[i], others, osum)
		x.add(report.Finding{Severity: report.Error, Code: code, Pos: p.pos(m.k), UnitID: p.id, OptionID: x.optionID(m.k),
			Expected: strconv.FormatInt(m.want, 10), Actual: strconv.FormatInt(m.sum, 10),
			Message: fmt.Sprintf("%s of %s is %d, but the %s sum to %d (difference %+d)%s",
				x.name(m.k), p.desc, m.want, w, m.sum, m.diff(), where)})
	}
	return nil
}

// holds tells whether a child is the whole excess: every value the parent
// states is the difference there, zero where the sums agree.
func (x *crossCheck) holds(p parent, u *urec, excess []int64) bool {
	for k, want := range p.vals {
		if want == absent {
			continue
		}
		v := int64(0)
		if w := u.val(k); w != absent {
			v = w
		}
		if v != excess[k] {
			return false
		}
	}
	return true
}

// otherSums sums each differing value over the units of each other level
// of a total row's table.
func (x *crossCheck) otherSums(ms []mismatch, others *otherLevels) ([][]levelSum, error) {
	if others == nil || len(others.levels) == 0 {
		return nil, nil
	}
	s := x.s
	out := make([][]levelSum, len(ms))
	for i := range out {
		out[i] = make([]levelSum, len(others.levels))
	}
	at := map[string]int{}
	for i, o := range others.levels {
		at[o.level] = i
	}
	err := x.eachKid(kidSource{q: s.all(), n: -1}, func(u *urec) {
		if u.place != others.place || s.isTotal(u) {
			return
		}
		oi, ok := at[s.lvl(u)]
		if !ok {
			return
		}
		for i, m := range ms {
			if v := u.val(m.k); v != absent {
				out[i][oi].sum += v
				out[i][oi].n++
			}
		}
	})
	return out, err
}

// localize says which children carry a difference, as a clause to append
// to the finding's message ("" when nothing points anywhere).
func (x *crossCheck) localize(m mismatch, carriers []kidRef, ty *typo, others *otherLevels, osums []levelSum) string {
	d := m.diff()
	var parts []string
	for _, c := range carriers {
		if g, ok := x.dups[c.id]; ok {
			parts = append(parts, fmt.Sprintf("unit %q is counted twice (%s and %s)", c.id, g[0], g[1]))
		} else {
			parts = append(parts, fmt.Sprintf("unit %q (%s) holds exactly the difference: a subtotal, or a unit that belongs elsewhere, counted again", c.id, c.pos))
		}
	}
	if d < 0 && m.nmiss > 0 {
		var ids []string
		for _, c := range m.missing {
			ids = append(ids, fmt.Sprintf("%q (%s)", c.id, c.pos))
		}
		more := ""
		if m.nmiss > len(m.missing) {
			more = fmt.Sprintf(" and %d more", m.nmiss-len(m.missing))
		}
		parts = append(parts, fmt.Sprintf("%d unit(s) have no figure here and may hold the missing %d: %s%s", m.nmiss, -d, strings.Join(ids, ", "), more))
	}
	if len(carriers) == 0 && ty != nil {
		parts = append(parts, fmt.Sprintf("unit %q's options also miss its valid ballots by %+d: its cell at %s is the likely error", ty.id, ty.sumDiff, ty.pos))
	}
	if others != nil {
		for i, o := range others.levels {
			if osums[i].n > 0 && osums[i].sum == -d {
				parts = append(parts, fmt.Sprintf("the difference is the sum of the %d %s units: the total counts them too", o.n, o.level))
			}
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
		sr.r.rec.Add(report.Finding{Severity: report.Error, Code: report.DuplicateResult, Pos: u.resPos(&res), UnitID: u.id, OptionID: res.opt.ID,
			Message: fmt.Sprintf("option %q appears twice in unit %q (first at %s), with the same votes", res.opt.ID, u.id, u.resPos(&first))})
		return
	}
	f := report.Finding{Severity: report.Error, Code: report.ConflictingResult, Pos: u.resPos(&res), UnitID: u.id, OptionID: res.opt.ID,
		Message: fmt.Sprintf("option %q appears twice in unit %q with different votes: %s here, %s at %s", res.opt.ID, u.id, optText(res.votes), optText(first.votes), u.resPos(&first))}
	f.Expected, f.Actual = optText(first.votes), optText(res.votes)
	sr.r.rec.Add(f)
}

func optText(o opt) string {
	if !o.ok {
		return "none"
	}
	return strconv.FormatInt(o.v, 10)
}
