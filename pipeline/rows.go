package pipeline

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"tally/report"
	"tally/sources"
)

// Figure indexes the protocol figures of a unit.
type Figure int

const (
	FigRegistered Figure = iota
	FigIssued
	FigCast
	FigInvalid
	FigValid
	numFigures
)

var figureRoles = [numFigures]Role{RoleRegistered, RoleBallotsIssued, RoleBallotsCast, RoleInvalid, RoleValid}
var figureNames = [numFigures]string{"registered", "ballots_issued", "ballots_cast", "invalid", "valid"}

type figure struct {
	v   opt
	pos report.Position
}

// unitBuf gathers the rows of one unit until the unit is complete: one row
// of a wide table, or the consecutive rows of a long table. row sets each
// field of a reused one in turn: a new field is to be set there too.
type unitBuf struct {
	key, id, name, level, parent string
	tab                          *sources.Table  // the table of every row of the unit
	pos                          report.Position // first row of the unit
	fig                          [numFigures]figure
	extra                        []figure // the spec's extra protocol lines (checks.figures)
	results                      []resRow
	rows                         int
	lacking                      int // figures of the table the unit has no value for yet
}

// A unit's results all come from the unit's table, so a result keeps only
// the row and columns of its cells: the many results of a run carry one
// pointer each, which keeps copying them and collecting garbage cheap.
type resRow struct {
	opt   *optEntry
	votes opt
	seats opt    // declared seats
	share Number // declared share; Missing when none
	row   int    // source row of the votes
	col   int32  // 0-based column of the votes
	scol  int32  // 0-based column of the share, -1 for none
}

// resPos is the position of a result's votes.
func (u *unitBuf) resPos(res *resRow) report.Position { return tablePos(u.tab, res.row, int(res.col)) }

// sharePos is the position of a result's declared share.
func (u *unitBuf) sharePos(res *resRow) report.Position {
	return tablePos(u.tab, res.row, int(res.scol))
}

// sourceReader turns the data rows of one source into units and results.
type sourceReader struct {
	r       *runner
	src     Source
	contest *contestAgg
	stats   *SourceStats
	table   *sources.Table
	cols    *ColumnMap
	cur     *unitBuf
	unknown map[string]bool
	options map[string]int // option names already resolved, by index in optSeq
	tc      *tableCols     // fill_down and extra figure columns of the current table

	unitMemo    unitMemo
	parentSlugs map[string]string // Slug of parent names (parentSlug)
	scratch     []resRow          // the results of the row being read
	spare       *unitBuf          // the last unit flushed, for the next to reuse
	text        []byte            // a finding's message being written

	roles      [len(roleNames)]int // the column of each role in rolesOf, -1 for none
	rolesOf    *ColumnMap
	optSeq     []namedOption // options in the order first met, for option's guess
	colOpts    []*optEntry   // the entries of colOptsFor.Options (colOptsOf)
	colNamed   []bool        // colOpts[i] is final: a listed option, or the entry option resolved the name to
	colOptsFor *ColumnMap
	optNext    int            // the index in optSeq of the option guessed next
	seen       map[string]int // check's index of options, for units with many
}

// namedOption is an option and the cell text it was resolved from.
type namedOption struct {
	name string
	o    *optEntry
	raw  string // the untrimmed cell of a long table it was first read from; "" for none
}

// col is m.col(r) for the current column map, from an array rather than
// the map.
func (sr *sourceReader) col(r Role) int {
	if sr.rolesOf != sr.cols {
		for i := range sr.roles {
			sr.roles[i] = sr.cols.col(Role(i))
		}
		sr.rolesOf = sr.cols
	}
	return sr.roles[r]
}

// totalWords start the name of a row that totals others rather than
// reporting a unit of its own.
var totalWords = []string{"total", "totals", "grand total", "sum", "итого", "всего", "барлығы", "жиыны", "insgesamt", "summe", "razem", "ogółem", "ogolem", "suma", "total général"}

// IsTotalName reports whether a unit name reads as a total row.
func IsTotalName(name string) bool {
	n := FoldName(name)
	for _, w := range totalWords {
		if n == w || strings.HasPrefix(n, w+" ") || strings.HasPrefix(n, w+":") {
			return true
		}
	}
	return false
}

func (sr *sourceReader) pos(row sources.Row, col int) report.Position {
	return tablePos(sr.table, row.Num, col)
}

func (sr *sourceReader) reject(row sources.Row, col int, code report.Code, reason string) {
	p := sr.pos(row, col)
	sr.r.rec.Reject(p, row.Cells, reason)
	sr.r.rec.Add(report.Finding{Severity: report.Error, Code: code, Pos: p, Message: reason + " (row rejected)", Actual: cellAt(row, col)})
	sr.stats.Rejected++
}

func cellAt(row sources.Row, col int) string {
	if col < 0 {
		return ""
	}
	return strings.TrimSpace(row.Cell(col))
}

// figCol is a figure the current table has, and its column.
type figCol struct {
	f   Figure
	col int
}

// count parses a count cell; ok is false after the row has been rejected.
func (sr *sourceReader) count(row sources.Row, col int) (opt, bool) {
	if col < 0 {
		return opt{}, true
	}
	s := row.Cell(col)
	if v, ok := plainInt(s); ok {
		return some(v), true
	}
	n, err := ParseCount(s)
	if err != nil {
		sr.reject(row, col, report.BadNumber, fmt.Sprintf("%q in column %q is not a number", strings.TrimSpace(row.Cell(col)), sr.header(col)))
		return opt{}, false
	}
	if n.Missing {
		return opt{}, true
	}
	if !n.Whole || n.Percent {
		sr.reject(row, col, report.FractionalVotes, fmt.Sprintf("%q in column %q is not a whole count", strings.TrimSpace(row.Cell(col)), sr.header(col)))
		return opt{}, false
	}
	return some(n.Int), true
}

func (sr *sourceReader) share(row sources.Row, col int) (Number, bool) {
	if col < 0 {
		return Number{Missing: true}, true
	}
	return sr.shareCell(row, col)
}

// shareCell is share for a column the table has; share itself is small
// enough to be inlined where most tables have no share column.
func (sr *sourceReader) shareCell(row sources.Row, col int) (Number, bool) {
	n, err := shareCell(sr.table, col, row.Cell(col))
	if err != nil {
		sr.reject(row, col, report.BadNumber, fmt.Sprintf("%q in column %q is not a percentage", strings.TrimSpace(row.Cell(col)), sr.header(col)))
		return n, false
	}
	return n, true
}

func (sr *sourceReader) header(col int) string {
	if col >= 0 && col < len(sr.table.Columns) {
		return sr.table.Columns[col]
	}
	return report.ColumnName(col + 1)
}

// row reads one data row.
func (sr *sourceReader) row(row sources.Row) error {
	m := sr.cols
	if m.Layout == "transposed" {
		sr.fillDown(&row)
		return sr.transposedRow(row)
	}
	if len(m.ContestCols) > 0 {
		if c := sr.rowContest(row); c != nil && c != sr.contest {
			// A long table of candidate contests moves to the next office.
			if err := sr.flushUnit(); err != nil {
				return err
			}
			sr.contest = c
		}
	}
	tc := sr.colsFor(sr.table)
	if len(tc.fill) > 0 {
		sr.fillDown(&row)
	}
	// The figures' positions are made only where a unit takes them: the
	// later rows of a long table's unit repeat its figures.
	var figv [numFigures]opt
	for _, fc := range tc.figs {
		// count's common case, a plain count, in line.
		if fc.col < len(row.Cells) {
			if v, ok := plainInt(row.Cells[fc.col]); ok {
				figv[fc.f] = some(v)
				continue
			}
		}
		v, ok := sr.count(row, fc.col)
		if !ok {
			return nil
		}
		figv[fc.f] = v
	}
	var extra []figure
	if len(tc.extra) > 0 {
		var ok bool
		if extra, ok = sr.extraFigures(row); !ok {
			return nil
		}
	}
	id, name, parent, level := sr.unitOf(row)
	// A long row's one result is built here; a wide row's in scratch,
	// which becomes the results of the unit it starts.
	var one resRow
	results := sr.scratch[:0]
	if m.Layout == "long" {
		oc := sr.col(RoleOption)
		// The rows of a unit name its options in the order of the unit
		// before, mostly in the same text: a cell that is the text the
		// expected option was first read from is that option, untrimmed.
		cell := row.Cell(oc)
		next := sr.optNext
		same := cell != "" && next < len(sr.optSeq) && sr.optSeq[next].raw == cell
		var optName string
		if !same {
			optName = sources.TrimSpace(cell)
		}
		if !same && optName == "" {
			sr.reject(row, oc, report.RowRejected, fmt.Sprintf("no option name in column %q", sr.header(oc)))
			return nil
		}
		vc, sc := sr.col(RoleVotes), sr.col(RoleShare)
		var votes opt
		if vc >= 0 && vc < len(row.Cells) {
			// count's common case in line.
			votes.v, votes.ok = plainInt(row.Cells[vc])
		}
		if !votes.ok {
			v, ok := sr.count(row, vc)
			if !ok {
				return nil
			}
			votes = v
		}
		sh, ok := sr.share(row, sc)
		if !ok {
			return nil
		}
		var seats opt
		if c := sr.col(RoleSeats); c >= 0 {
			if seats, ok = sr.count(row, c); !ok {
				return nil
			}
		}
		var o *optEntry
		if same {
			o = sr.optSeq[next].o
			if sr.optNext = next + 1; sr.optNext == len(sr.optSeq) {
				sr.optNext = 0
			}
		} else {
			o = sr.option(optName, row, oc)
			if i := len(sr.optSeq) - 1; i >= 0 && sr.optSeq[i].o == o && sr.optSeq[i].raw == "" && sr.optSeq[i].name == optName {
				// Resolved now for the first time: the cell's text finds
				// it from now on.
				sr.optSeq[i].raw = cell
			}
		}
		one = resRow{opt: sr.withParty(o, row), votes: votes, share: sh, seats: seats,
			row: row.Num, col: int32(vc), scol: int32(sc)}
	} else {
		entries := sr.colOptsOf()
		// Each cell's result is written in place: the row has one per
		// option column.
		results = slices.Grow(results, len(m.Options))[:len(m.Options)]
		// By index: an option column carries its option's strings, too
		// many to copy for each cell.
		for i := range m.Options {
			oc := &m.Options[i]
			var votes opt
			if oc.Col >= 0 && oc.Col < len(row.Cells) {
				// count's common case in line.
				votes.v, votes.ok = plainInt(row.Cells[oc.Col])
			}
			if !votes.ok {
				v, ok := sr.count(row, oc.Col)
				if !ok {
					return nil
				}
				votes = v
			}
			sh := Number{Missing: true}
			if oc.ShareCol >= 0 {
				var ok bool
				if sh, ok = sr.shareCell(row, oc.ShareCol); !ok {
					return nil
				}
			}
			o := entries[i]
			if !sr.colNamed[i] {
				// An option the spec does not list is resolved by its
				// name once; the column keeps the entry.
				o = sr.option(oc.Option.Name, row, oc.Col)
				entries[i], sr.colNamed[i] = o, true
			}
			results[i] = resRow{opt: o, votes: votes, share: sh, row: row.Num, col: int32(oc.Col), scol: int32(oc.ShareCol)}
		}
	}
	key := id
	if sr.cur != nil && (sr.cur.key != key || m.Layout == "wide") {
		if err := sr.flushUnit(); err != nil {
			return err
		}
	}
	if sr.cur == nil {
		u := sr.spare
		if u == nil {
			u = &unitBuf{}
		}
		sr.spare = nil
		// The unit takes the results as they are, and scratch the
		// buffer of the unit flushed last.
		if m.Layout == "long" {
			results = append(results, one)
		}
		spare := u.results
		// Field by field rather than from a fresh unitBuf: the figures,
		// most of its bytes, are all written below, and need no clearing
		// first.
		u.key, u.id, u.name, u.level, u.parent = key, id, name, level, parent
		u.tab, u.pos, u.extra, u.results = sr.table, sr.pos(row, -1), extra, results
		u.rows, u.lacking = 0, 0
		fp := sr.figurePos(tc)
		for f := range numFigures {
			fg := &u.fig[f]
			fg.v, fg.pos = figv[f], fp[f]
			fg.pos.Row = row.Num
		}
		for _, fc := range tc.figs {
			if !figv[fc.f].ok {
				u.lacking++
			}
		}
		sr.scratch = spare[:0]
		sr.cur = u
	} else {
		// Most units have every figure from their first row on.
		for i := 0; i < len(tc.figs) && sr.cur.lacking > 0; i++ {
			if f := tc.figs[i].f; !sr.cur.fig[f].v.ok && figv[f].ok {
				sr.cur.fig[f] = figure{v: figv[f], pos: sr.pos(row, sr.col(figureRoles[f]))}
				sr.cur.lacking--
			}
		}
		if extra != nil {
			sr.cur.extra = mergeExtra(sr.cur.extra, extra)
		}
		if m.Layout == "long" {
			sr.cur.results = append(sr.cur.results, one)
		} else {
			sr.cur.results = append(sr.cur.results, results...)
			sr.scratch = results[:0]
		}
	}
	sr.cur.rows++
	return nil
}

// option resolves an option name through the spec's aliases; an unknown
// name becomes an option of its own and, when the spec lists parties, a
// finding.
//
// The rows of a long table name the options of each unit in the same
// order, so the option that followed the last one is tried before the map.
func (sr *sourceReader) option(name string, row sources.Row, col int) *optEntry {
	if i := sr.optNext; i < len(sr.optSeq) && sr.optSeq[i].name == name {
		sr.optNext = i + 1
		if sr.optNext == len(sr.optSeq) {
			sr.optNext = 0
		}
		return sr.optSeq[i].o
	}
	if i, ok := sr.options[name]; ok {
		sr.optNext = i + 1
		if sr.optNext == len(sr.optSeq) {
			sr.optNext = 0
		}
		return sr.optSeq[i].o
	}
	o := sr.r.opts.ref(sr.resolve(name, row, col))
	if sr.options == nil {
		sr.options = map[string]int{}
	}
	sr.options[name] = len(sr.optSeq)
	sr.optSeq = append(sr.optSeq, namedOption{name: name, o: o})
	sr.optNext = 0
	return o
}

func (sr *sourceReader) resolve(name string, row sources.Row, col int) Option {
	if p, ok := sr.r.aliases.Lookup(name); ok {
		return optionOf(p)
	}
	o := Option{ID: Slug(name), Name: name, Kind: "list", Party: Slug(name)}
	if o.ID == "" {
		o.ID = "option-" + strconv.Itoa(col+1)
	}
	if len(sr.r.spec.Parties) > 0 {
		if sr.unknown == nil {
			sr.unknown = map[string]bool{}
		}
		if !sr.unknown[name] {
			sr.unknown[name] = true
			sr.r.rec.Add(unknownOptionFinding(sr.r.aliases, name, o.ID, sr.pos(row, col)))
		}
	}
	return o
}

// colOptsOf returns the entries of the current table's option columns.
func (sr *sourceReader) colOptsOf() []*optEntry {
	if sr.colOptsFor != sr.cols {
		sr.colOptsFor = sr.cols
		sr.colOpts = sr.colOpts[:0]
		sr.colNamed = sr.colNamed[:0]
		for i := range sr.cols.Options {
			e := sr.r.opts.ref(sr.cols.Options[i].Option)
			sr.colOpts = append(sr.colOpts, e)
			sr.colNamed = append(sr.colNamed, e.Known)
		}
	}
	return sr.colOpts
}

// flushUnit checks the buffered unit, writes its rows and adds it to the
// contest's totals.
func (sr *sourceReader) flushUnit() error {
	if err := sr.flushTransposed(); err != nil {
		return err
	}
	u := sr.cur
	if u == nil {
		return nil
	}
	sr.cur = nil
	// Nothing keeps the unit once it is flushed: the next one reuses it.
	defer func() { sr.spare = u }()
	r := sr.r
	c := sr.contest
	var sum int64
	hasVotes := false
	for i := range u.results {
		if v := u.results[i].votes; v.ok {
			sum += v.v
			hasVotes = true
		}
	}
	base := u.fig[FigValid].v
	if !base.ok && hasVotes {
		base = some(sum)
	}
	if sr.src.Reference {
		// Compared with the other sources at the end, not written.
		sr.check(u, sum, hasVotes, base)
		c.refs.keep(u, r.spec.numExtra())
		sr.stats.Used += u.rows
		return nil
	}
	if r.rows != nil {
		if err := r.rows.add(sr.contest.c.ID, u, base); err != nil {
			return err
		}
	} else {
		// Nothing is written (validate): the rows are only counted.
		r.results.rows += len(u.results)
		r.units.rows++
	}

	sr.check(u, sum, hasVotes, base)
	c.add(u)
	c.units.keep(u, r.spec.numExtra())
	sr.stats.Used += u.rows
	return nil
}

func pct(v, base int64) float64 {
	if base == 0 {
		return 0
	}
	return float64(v) * 100 / float64(base)
}

// check runs the per-unit checks: protocol arithmetic, declared shares,
// duplicates and signs.
func (sr *sourceReader) check(u *unitBuf, sum int64, hasVotes bool, base opt) {
	rec := sr.r.rec
	add := func(sev report.Severity, code report.Code, pos report.Position, opt string, exp, act int64, format string, args ...any) {
		rec.Add(report.Finding{Severity: sev, Code: code, Pos: pos, UnitID: u.id, OptionID: opt,
			Expected: strconv.FormatInt(exp, 10), Actual: strconv.FormatInt(act, 10), Message: fmt.Sprintf(format, args...)})
	}
	// Duplicate units are found at the end, across sources (hierarchy.go).
	f := &u.fig // by pointer: five figures with their positions
	sr.checkIdentities(u, sum, hasVotes)
	for fi := range numFigures {
		if f[fi].v.ok && f[fi].v.v < 0 {
			add(report.Error, report.NegativeVotes, f[fi].pos, "", 0, f[fi].v.v, "%s is negative in unit %q", figureNames[fi], u.id)
		}
	}
	for _, x := range u.extra {
		if x.v.ok && x.v.v < 0 {
			add(report.Error, report.NegativeVotes, x.pos, "", 0, x.v.v, "%s is negative in unit %q", x.pos.Header, u.id)
		}
	}
	// Duplicate options: a unit has few, so they are compared pairwise
	// unless there are many.
	seen := sr.seen
	results := u.results
	many := len(results) > 32
	if many {
		if seen == nil {
			seen = map[string]int{}
			sr.seen = seen
		}
		clear(seen)
	}
	var shareSum float64
	var shareHalfUlps float64
	shares := 0
	var ids uint64 // the option ids below 64 seen in the unit, by idNo
	for i := range results {
		// By pointer: a result is too big to copy for each unit.
		res := &results[i]
		if res.votes.ok && res.votes.v < 0 {
			add(report.Error, report.NegativeVotes, u.resPos(res), res.opt.ID, 0, res.votes.v, "votes of %q are negative in unit %q", res.opt.Name, u.id)
		}
		if many {
			if first, dup := seen[res.opt.ID]; dup {
				sr.duplicateResult(u, results[first], *res)
			} else {
				seen[res.opt.ID] = i
			}
		} else if no := res.opt.idNo; uint32(no) >= 64 || ids&(1<<no) != 0 {
			// An option id seen before in the unit, or one past the
			// first 64 of the run (which the bits do not follow).
			for j := range i {
				if results[j].opt.idNo == no {
					sr.duplicateResult(u, results[j], *res)
					break
				}
			}
		} else {
			ids |= 1 << no
		}
		if res.share.Missing || !res.votes.ok || !base.ok || base.v <= 0 {
			continue
		}
		d := res.share
		if !d.Percent && d.Value <= 1 && d.Decimals >= 3 && pct(res.votes.v, base.v) > 1.5 {
			// A spreadsheet fraction (0.7109) rather than a percent.
			d.Value *= 100
			d.Decimals -= 2
		}
		shares++
		shareSum += d.Value
		shareHalfUlps += 0.5 * math.Pow10(-d.Decimals)
		if ok, lo, hi := shareMatches(d, res.votes.v, base.v, sr.r.spec.Checks.ShareTolerance); !ok {
			rec.Add(report.Finding{Severity: report.Error, Code: report.ShareMismatch, Pos: u.sharePos(res), UnitID: u.id, OptionID: res.opt.ID,
				Expected: strconv.FormatFloat(pct(res.votes.v, base.v), 'f', d.Decimals+2, 64), Actual: strings.TrimSpace(strconv.FormatFloat(d.Value, 'f', d.Decimals, 64)),
				Message: fmt.Sprintf("declared share of %q is %s%%, but %d of %d votes is %.*f%% (accepted range [%s, %s))",
					res.opt.Name, strconv.FormatFloat(d.Value, 'f', d.Decimals, 64), res.votes.v, base.v, d.Decimals+3, pct(res.votes.v, base.v), lo, hi)})
		}
	}
	if shares > 1 && shares == len(results) && math.Abs(shareSum-100) > shareHalfUlps+1e-9 {
		rec.Add(report.Finding{Severity: report.Warning, Code: report.SharesSumMismatch, Pos: u.pos, UnitID: u.id,
			Expected: "100", Actual: strconv.FormatFloat(shareSum, 'f', -1, 64),
			Message: fmt.Sprintf("declared shares of unit %q sum to %s%%, more than rounding explains", u.id, strconv.FormatFloat(shareSum, 'f', -1, 64))})
	}
}

// shareMatches reports whether a declared percentage agrees with votes/base.
// With no tolerance set, a share printed with k decimals stands for every
// value that rounds to it: d accepts [d - 0.5*10^-k, d + 0.5*10^-k). The
// comparison is exact, in integers.
func shareMatches(d Number, votes, base int64, tol float64) (ok bool, lo, hi string) {
	if tol > 0 {
		got := pct(votes, base)
		return math.Abs(got-d.Value) <= tol, strconv.FormatFloat(d.Value-tol, 'f', -1, 64), strconv.FormatFloat(d.Value+tol, 'f', -1, 64)
	}
	k := d.Decimals
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil)
	D := big.NewInt(int64(math.Round(d.Value * math.Pow10(k))))
	// (2D-1)*base <= 200*10^k*votes < (2D+1)*base
	lhs := new(big.Int).Mul(new(big.Int).Sub(new(big.Int).Lsh(D, 1), big.NewInt(1)), big.NewInt(base))
	rhs := new(big.Int).Mul(new(big.Int).Add(new(big.Int).Lsh(D, 1), big.NewInt(1)), big.NewInt(base))
	mid := new(big.Int).Mul(new(big.Int).Mul(big.NewInt(200), scale), big.NewInt(votes))
	ok = lhs.Cmp(mid) <= 0 && mid.Cmp(rhs) < 0
	half := 0.5 * math.Pow10(-k)
	return ok, strconv.FormatFloat(d.Value-half, 'f', k+1, 64), strconv.FormatFloat(d.Value+half, 'f', k+1, 64)
}

// outUnit is what the output rows of a unit are made of.
type outUnit struct {
	id, name, level, parent string
	pos                     report.Position
	fig                     [numFigures]opt
	base                    opt // the share's base: valid ballots, or the votes' sum
}

func outUnitOf(u *unitBuf, base opt) outUnit {
	o := outUnit{id: u.id, name: u.name, level: u.level, parent: u.parent, pos: u.pos, base: base}
	for f := range numFigures {
		o.fig[f] = u.fig[f].v
	}
	return o
}

// buildRows appends a unit's result rows and its units row to the
// batches being built.
func (r *runner) buildRows(contest string, u outUnit, results []outRes) {
	eid := r.spec.Election.ID
	base := u.base
	b := r.results
	n := len(results)
	b.strN(0, eid, n)
	b.strN(1, contest, n)
	b.strN(2, u.id, n)
	b.strN(3, u.level, n)
	if !r.tmpl.apply(b, results) {
		for _, res := range results {
			b.str(4, res.opt.ID)
			b.str(5, res.opt.Name)
			b.str(6, res.opt.Kind)
			b.nstr(7, res.opt.Party)
			b.i64(13, int64(colNum(res.col)))
		}
		r.tmpl.keep(b, results)
	}
	for _, res := range results {
		b.ni64(8, res.votes)
		b.nf64(9, pct(res.votes.v, base.v), res.votes.ok && base.ok && base.v > 0)
		b.i64(12, int64(res.row))
	}
	// A unit's results all come from its table.
	b.strN(10, u.pos.File, n)
	b.nstrN(11, u.pos.Sheet, n)
	b.rows += n
	ub := r.units
	ub.str(0, eid)
	ub.str(1, contest)
	ub.str(2, u.id)
	ub.str(3, u.name)
	ub.str(4, u.level)
	ub.nstr(5, u.parent)
	for f := range numFigures {
		ub.ni64(6+int(f), u.fig[f])
	}
	reg, cast := u.fig[FigRegistered], u.fig[FigCast]
	ub.nf64(11, pct(cast.v, reg.v), cast.ok && reg.ok && reg.v > 0)
	ub.str(12, u.pos.File)
	ub.nstr(13, u.pos.Sheet)
	ub.i64(14, int64(u.pos.Row))
	ub.rows++
}
