package pipeline

import (
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
type unitStore struct {
	recs     []unitRec
	optIdx   map[string]int
	opts     []Option
	places   []place
	placeIdx map[place]int32
	nfig     int
}

type place struct{ file, sheet string }

// unitRec is one unit as the cross-unit checks see it.
type unitRec struct {
	id, parent, level string
	name              string // kept for total and subtotal rows only, to find what they total
	place             int32
	row               int32
	sumDiff           int64    // options minus valid ballots when they differ, else 0
	vals              []int64  // absent where the unit has no such value
	at                []uint32 // per value: column (low 16 bits) and rows below the unit's first (high 16 bits)
}

func (u *unitRec) val(k int) int64 {
	if k < len(u.vals) {
		return u.vals[k]
	}
	return absent
}

func isTotalLevel(level string) bool { return level == LevelTotal || level == LevelSubtotal }

// keep adds a flushed unit. nextra is the number of the spec's extra
// figures.
func (s *unitStore) keep(u *unitBuf, nextra int) {
	if s.optIdx == nil {
		s.optIdx = map[string]int{}
		s.placeIdx = map[place]int32{}
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
	rec := unitRec{id: u.id, parent: u.parent, level: u.level, row: int32(u.pos.Row)}
	if isTotalLevel(u.level) {
		rec.name = u.name
	}
	pl := place{u.pos.File, u.pos.Sheet}
	pi, ok := s.placeIdx[pl]
	if !ok {
		pi = int32(len(s.places))
		s.places = append(s.places, pl)
		s.placeIdx[pl] = pi
	}
	rec.place = pi
	rec.vals = make([]int64, n)
	rec.at = make([]uint32, n)
	for k := range rec.vals {
		rec.vals[k] = absent
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
			rec.vals[f] = fg.v.v
			rec.at[f] = pack(fg.pos)
		}
	}
	for i, x := range u.extra {
		if i < nextra && x.v.ok {
			rec.vals[int(numFigures)+i] = x.v.v
			rec.at[int(numFigures)+i] = pack(x.pos)
		}
	}
	var sum int64
	has := false
	for _, res := range u.results {
		k := nfig + s.optIdx[res.opt.ID]
		rec.at[k] = pack(res.pos)
		if !res.votes.ok {
			continue
		}
		has = true
		sum += res.votes.v
		if rec.vals[k] == absent {
			rec.vals[k] = res.votes.v
		} else {
			rec.vals[k] += res.votes.v
		}
	}
	if v := u.fig[FigValid].v; v.ok && has && sum != v.v {
		rec.sumDiff = sum - v.v
	}
	s.recs = append(s.recs, rec)
}

// pos returns the position of value k of a unit: its cell where known,
// else the unit's first row.
func (s *unitStore) pos(u *unitRec, k int) report.Position {
	pl := s.places[u.place]
	p := report.Position{File: pl.file, Sheet: pl.sheet, Row: int(u.row)}
	if k >= 0 && k < len(u.at) && u.at[k] != 0 {
		p.Row += int(u.at[k] >> 16)
		p.Column = int(u.at[k] & 0xffff)
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
		if len(c.refs.recs) > 0 {
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
	byID map[string][]int32
}

func (x *crossCheck) index() {
	x.byID = make(map[string][]int32, len(x.s.recs))
	for i := range x.s.recs {
		id := x.s.recs[i].id
		x.byID[id] = append(x.byID[id], int32(i))
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
	for i := range s.recs {
		g := x.byID[s.recs[i].id]
		if len(g) < 2 || g[0] == int32(i) {
			continue
		}
		a, b := &s.recs[g[0]], &s.recs[i]
		first := s.rowPos(a)
		if a.parent != "" && b.parent != "" && a.parent != b.parent {
			x.add(report.Finding{Severity: report.Error, Code: report.UnitTwoParents, Pos: s.rowPos(b), UnitID: b.id,
				Expected: a.parent, Actual: b.parent,
				Message: fmt.Sprintf("unit %q is under %q here, but under %q at %s", b.id, b.parent, a.parent, first)})
		}
		diff, shared := -1, false
		for k := 0; k < max(len(a.vals), len(b.vals)); k++ {
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
		case diff < 0 && !shared && len(a.vals) > s.nfig && len(b.vals) > s.nfig:
			x.add(report.Finding{Severity: report.Warning, Code: report.DuplicateUnit, Pos: s.rowPos(b), UnitID: b.id,
				Message: fmt.Sprintf("the rows of unit %q come in two runs (first at %s); its votes are kept, in two rows of the units table", b.id, first)})
		case diff < 0:
			x.add(report.Finding{Severity: report.Error, Code: report.DuplicateUnit, Pos: s.rowPos(b), UnitID: b.id,
				Message: fmt.Sprintf("unit %q appears again with the same figures (first at %s); it is counted twice in the totals", b.id, first)})
		default:
			x.add(report.Finding{Severity: report.Error, Code: report.ConflictingUnit, Pos: s.pos(b, diff), UnitID: b.id, OptionID: x.optionID(diff),
				Expected: strconv.FormatInt(a.val(diff), 10), Actual: strconv.FormatInt(b.val(diff), 10),
				Message: fmt.Sprintf("unit %q appears again with other figures: %s is %d here, but %d at %s", b.id, x.name(diff), b.val(diff), a.val(diff), s.pos(a, diff))})
		}
	}
}

// empty reports units with no figure and no votes at all.
func (x *crossCheck) empty() {
	s := x.s
	for i := range s.recs {
		u := &s.recs[i]
		none := true
		for _, v := range u.vals {
			if v != absent {
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
	for i := range s.recs {
		u := &s.recs[i]
		if u.parent == "" || u.parent == u.id || isTotalLevel(u.level) {
			continue
		}
		if _, ok := groups[u.parent]; !ok {
			order = append(order, u.parent)
		}
		groups[u.parent] = append(groups[u.parent], int32(i))
	}
	// Total rows that name the unit they total: "Allen County Total".
	named := map[string]int32{}
	for i := range s.recs {
		u := &s.recs[i]
		if !isTotalLevel(u.level) {
			continue
		}
		if _, isGroup := groups[u.id]; isGroup {
			continue
		}
		key := Slug(withoutTotalWords(u.name))
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
			pi = g[0]
		} else if t, ok := named[p]; ok && t >= 0 {
			pi = t
		}
		if pi < 0 {
			continue
		}
		assigned[pi] = true
		pu := &s.recs[pi]
		code := report.HierarchyMismatch
		if isTotalLevel(pu.level) {
			code = report.TotalMismatch
		}
		x.compare(x.parentSide(pu), kids, code, fmt.Sprintf("%d units under it", len(kids)), nil)
	}
	var scopes map[int32]*placeLevels
	for i := range s.recs {
		u := &s.recs[i]
		if u.level != LevelTotal || assigned[int32(i)] {
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
	for i := range x.s.recs {
		u := &x.s.recs[i]
		if isTotalLevel(u.level) {
			continue
		}
		pl := out[u.place]
		if pl == nil {
			pl = &placeLevels{units: map[string][]int32{}}
			out[u.place] = pl
		}
		if _, ok := pl.units[u.level]; !ok {
			pl.order = append(pl.order, u.level)
		}
		pl.units[u.level] = append(pl.units[u.level], int32(i))
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
	if isTotalLevel(u.level) {
		desc = fmt.Sprintf("total row %q", u.name)
	}
	return parent{id: u.id, desc: desc, vals: u.vals, pos: func(k int) report.Position { return x.s.pos(u, k) }}
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
	var ms []mismatch
	for k, want := range p.vals {
		if want == absent {
			continue
		}
		m := mismatch{k: k, want: want}
		n := 0
		for _, ci := range kids {
			v := s.recs[ci].val(k)
			if v == absent {
				if len(m.missing) < 5 {
					m.missing = append(m.missing, ci)
				}
				m.nmiss++
				continue
			}
			m.sum += v
			n++
		}
		if n == 0 || m.sum == want {
			continue
		}
		ms = append(ms, m)
	}
	if len(ms) == 0 {
		return
	}
	carriers := x.carriers(kids, ms)
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
func (x *crossCheck) carriers(kids []int32, ms []mismatch) []int32 {
	for _, m := range ms {
		if m.diff() <= 0 {
			return nil
		}
	}
	var out []int32
	for _, ci := range kids {
		u := &x.s.recs[ci]
		ok := true
		for _, m := range ms {
			if u.val(m.k) != m.diff() {
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
		u := &s.recs[ci]
		if g := x.byID[u.id]; len(g) > 1 {
			parts = append(parts, fmt.Sprintf("unit %q is counted twice (%s and %s)", u.id, s.rowPos(&s.recs[g[0]]), s.rowPos(&s.recs[g[1]])))
		} else {
			parts = append(parts, fmt.Sprintf("unit %q (%s) holds exactly the difference: a subtotal, or a unit that belongs elsewhere, counted again", u.id, s.rowPos(u)))
		}
	}
	if d < 0 && m.nmiss > 0 {
		var ids []string
		for _, ci := range m.missing {
			u := &s.recs[ci]
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
				u := &s.recs[ci]
				if u.sumDiff != 0 && u.sumDiff == want {
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
			if v := s.recs[ci].val(m.k); v != absent {
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
