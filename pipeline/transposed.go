package pipeline

import (
	"fmt"
	"strings"

	"tally/report"
	"tally/sources"
)

// Town and county clerks often print results the other way round: a
// column per precinct (and a TOTALS column, sometimes unlabelled subtotal
// columns), a row per candidate, one office after another down the sheet.
// A source with layout: transposed is read so:
//
//   - The option column is the last text column before the first column
//     of numbers; text columns left of it hold office names.
//   - Every column of numbers to its right is a unit, named by its header:
//     a header that reads as a total ("TOTALS") is the total row of the
//     table (LevelTotal); an unlabelled column of numbers is a subtotal of
//     the units since the previous one, which take it as their parent.
//   - Rows are options, except: a row named as a figure ("# ballots",
//     "BALLOTS CAST - TOTAL") gives each unit that figure (for the whole
//     table when it comes before the first office); a row named as a total
//     ("TOTALS") gives each unit's valid figure, the sum its options must
//     reach; a row without a name is rejected (as info: a blank line of the form, a
//     clerk's check).
//   - A new office (a contest) starts at a section label ("Governor /
//     Lt. Governor"), at a row whose only texts lie in the unit columns
//     ("| ATTORNEY GENERAL | ... | Vote for One"), at a row whose numbers
//     repeat the table's ballots ("Attorney General | 649 | 832 ..."), and,
//     where office names sit in a column of their own, at the next name
//     there or after a write-in row. The office name names the contest;
//     rows before the first office belong to the source's contest.
//
// A unit with no votes at all in an office (a precinct outside the
// district) is not a unit of that contest. The rows of an office are
// counted as used by its first unit.

// transposed is the state of one transposed table.
type transposed struct {
	option int
	labels []int
	units  []tunit
	tfigs  [numFigures]*trow // figures given before the first office
	group  string
	cur    *tblock
	table  *sources.Table
}

type tunit struct {
	col                     int
	id, name, level, parent string
}

type trow struct {
	num  int
	name string
	col  int   // the option column, for positions
	vals []opt // one per unit column
}

type tblock struct {
	title    string
	labelled bool
	closed   bool // a write-in row ended it
	opts     []*trow
	figs     [numFigures]*trow
	rows     int
}

// mapTransposed finds the option, label and unit columns of a table.
func mapTransposed(t *sources.Table, src Source) *transposed {
	tp := &transposed{option: -1, table: t, cur: &tblock{}}
	kind := func(i int) sources.ColumnKind {
		if i < len(t.Kinds) {
			return t.Kinds[i]
		}
		return sources.KindEmpty
	}
	first := -1
	for i := range t.Columns {
		if kind(i).Numeric() {
			first = i
			break
		}
	}
	for i := 0; i < first; i++ {
		if kind(i) == sources.KindText {
			tp.labels = append(tp.labels, i)
		}
	}
	if n := len(tp.labels); n > 0 {
		tp.option = tp.labels[n-1]
		tp.labels = tp.labels[:n-1]
	}
	level := src.UnitLevel
	if level == "" {
		level = "precinct"
	}
	groupStart := 0
	for i := max(first, 0); first >= 0 && i < len(t.Columns); i++ {
		if !kind(i).Numeric() {
			continue
		}
		h := strings.TrimSpace(t.Columns[i])
		switch {
		case h == "":
			if groupStart == len(tp.units) {
				continue
			}
			id := "subtotal-" + strings.ToLower(report.ColumnName(i+1))
			for k := groupStart; k < len(tp.units); k++ {
				if tp.units[k].level == level {
					tp.units[k].parent = id
				}
			}
			name := fmt.Sprintf("subtotal of %s to %s", tp.units[groupStart].name, tp.units[len(tp.units)-1].name)
			tp.units = append(tp.units, tunit{col: i, id: id, name: name, level: LevelSubtotal})
			groupStart = len(tp.units)
		case ReadsAsTotal(h):
			tp.units = append(tp.units, tunit{col: i, id: Slug(h), name: h, level: LevelTotal})
			groupStart = len(tp.units)
		default:
			tp.units = append(tp.units, tunit{col: i, id: Slug(h), name: h, level: level})
		}
	}
	return tp
}

// transposedRow reads one row of a transposed table.
func (sr *sourceReader) transposedRow(row sources.Row) error {
	tc := sr.colsFor(sr.table)
	if tc.tp == nil {
		tc.tp = mapTransposed(sr.table, sr.src)
	}
	tp := tc.tp
	if tp.option < 0 || len(tp.units) == 0 {
		sr.reject(row, -1, report.RowRejected, "a transposed table needs a column of option names and columns of numbers to its right, one per unit")
		return nil
	}
	name := strings.TrimSpace(row.Cell(tp.option))
	if row.Group != tp.group {
		tp.group = row.Group
		if row.Group != "" {
			if err := sr.endBlock(); err != nil {
				return err
			}
			tp.cur.title, tp.cur.labelled = row.Group, true
		}
	}
	var label []string
	for _, c := range tp.labels {
		if v := strings.TrimSpace(row.Cell(c)); v != "" && v != name {
			label = append(label, v)
		}
	}
	r := &trow{num: row.Num, name: name, col: tp.option, vals: make([]opt, len(tp.units))}
	nums := 0
	var texts []string
	for i, u := range tp.units {
		cell := strings.TrimSpace(row.Cell(u.col))
		if cell == "" {
			continue
		}
		n, err := ParseCount(cell)
		switch {
		case err != nil:
			texts = append(texts, cell)
		case n.Missing:
		case n.Percent:
			sr.rejectNote(row, fmt.Sprintf("the row holds percentages (%q in column %q), not counts", cell, sr.header(u.col)))
			return nil
		case !n.Whole:
			sr.reject(row, u.col, report.FractionalVotes, fmt.Sprintf("%q in column %q is not a whole count", cell, sr.header(u.col)))
			return nil
		default:
			r.vals[i] = some(n.Int)
			nums++
		}
	}
	for c, cell := range row.Cells {
		if c == tp.option || isUnitCol(tp, c) || containsInt(tp.labels, c) {
			continue
		}
		if v := strings.TrimSpace(cell); v != "" && !isNumberText(v) {
			texts = append(texts, v)
		}
	}
	fig := figureOfName(name)
	switch {
	case nums == 0 && len(texts) > 0 && len(label) == 0 && !onlyCheckWords(texts):
		// "| ATTORNEY GENERAL | ... | Vote for One": an office's title.
		if err := sr.endBlock(); err != nil {
			return err
		}
		tp.cur.title, tp.cur.labelled = titleOf(append([]string{name}, texts...)), true
		sr.stats.Used++
	case name == "" && len(label) == 0:
		sr.rejectNote(row, "the row has no option name (a blank line of the form, or the clerk's check); its figures are not used")
	case fig >= 0:
		if len(tp.cur.opts) == 0 && !tp.cur.labelled {
			tp.tfigs[fig] = r
			sr.stats.Used++
		} else {
			tp.cur.figs[fig] = r
			tp.cur.rows++
		}
	case ReadsAsTotal(name):
		tp.cur.figs[FigValid] = r
		tp.cur.rows++
	case nums > 0 && len(label) == 0 && sameValues(r, tp.tfigs[FigCast]) && (len(tp.cur.opts) > 0 || !tp.cur.labelled):
		// "Attorney General | 649 | 832 ...": an office whose title row
		// repeats the ballots cast.
		if err := sr.endBlock(); err != nil {
			return err
		}
		tp.cur.title, tp.cur.labelled = name, true
		tp.cur.figs[FigCast] = r
		tp.cur.rows++
	default:
		if name == "" {
			// An office name in its own column, with no option: a title.
			if err := sr.endBlock(); err != nil {
				return err
			}
			tp.cur.title, tp.cur.labelled = strings.Join(label, " "), true
			sr.stats.Used++
			return nil
		}
		if tp.cur.closed || len(label) > 0 && tp.cur.labelled && len(tp.cur.opts) > 0 {
			if err := sr.endBlock(); err != nil {
				return err
			}
		}
		if len(label) > 0 && !tp.cur.labelled {
			tp.cur.title, tp.cur.labelled = strings.Join(label, " "), true
		}
		tp.cur.opts = append(tp.cur.opts, r)
		tp.cur.rows++
		if len(tp.labels) > 0 && optionKind(name) == "write_in" {
			tp.cur.closed = true
		}
	}
	return nil
}

// endBlock turns the office being read into units and flushes them.
func (sr *sourceReader) endBlock() error {
	tc := sr.tc
	if tc == nil || tc.tp == nil {
		return nil
	}
	tp := tc.tp
	b := tp.cur
	tp.cur = &tblock{}
	if len(b.opts) == 0 {
		sr.stats.Used += b.rows
		return nil
	}
	contest := sr.contest
	if b.title != "" {
		sr.contest = sr.r.contestNamed(b.title, sr.contest)
	}
	defer func() { sr.contest = contest }()
	// A unit starts at its first row: a figure row may come before the
	// options.
	top := b.opts[0].num
	for f := range numFigures {
		for _, r := range []*trow{b.figs[f], tp.tfigs[f]} {
			if r != nil && r.num < top {
				top = r.num
			}
		}
	}
	rows := b.rows
	for i, u := range tp.units {
		has := false
		for _, o := range b.opts {
			has = has || o.vals[i].ok
		}
		if !has {
			continue
		}
		pos := func(r *trow) report.Position {
			return sr.cellPos(r.num, u.col)
		}
		ub := &unitBuf{key: u.id, id: u.id, name: u.name, level: u.level, parent: u.parent, tab: sr.table, pos: sr.cellPos(top, -1), rows: rows}
		rows = 0
		for f := range numFigures {
			r := b.figs[f]
			if r == nil && !isTotalLevel(u.level) {
				// A figure given once for the table belongs to each
				// precinct; a total column's figure need not be the
				// office's (a district's office on a county's page).
				r = tp.tfigs[f]
			}
			if r != nil && r.vals[i].ok {
				ub.fig[f] = figure{v: r.vals[i], pos: pos(r)}
			}
		}
		for _, o := range b.opts {
			op := sr.option(o.name, sources.Row{Num: o.num}, o.col)
			if !op.Known {
				v := op.Option
				v.Kind = optionKind(o.name)
				if v.Kind != "list" {
					v.Party = ""
				}
				op = sr.r.opts.ref(v)
			}
			ub.results = append(ub.results, resRow{opt: op, votes: o.vals[i], share: Number{Missing: true}, row: o.num, col: int32(u.col), scol: int32(u.col)})
		}
		sr.cur = ub
		if err := sr.flushUnit(); err != nil {
			return err
		}
	}
	sr.stats.Used += rows // an office no unit took
	return nil
}

// cellPos is the position of a cell of the current table by row number.
func (sr *sourceReader) cellPos(num, col int) report.Position {
	return sr.pos(sources.Row{Num: num}, col)
}

// rejectNote rejects a row that carries no result: it goes to rejects,
// with a finding of severity info.
func (sr *sourceReader) rejectNote(row sources.Row, reason string) {
	p := sr.pos(row, -1)
	sr.r.rec.Reject(p, row.Cells, reason)
	sr.r.rec.Add(report.Finding{Severity: report.Info, Code: report.RowRejected, Pos: p, Message: reason + " (row rejected)"})
	sr.stats.Rejected++
}

// contestNamed returns the contest an office name stands for: one the spec
// declares under that id, or a candidate contest of its own.
func (r *runner) contestNamed(name string, def *contestAgg) *contestAgg {
	id := Slug(name)
	if id == "" {
		return def
	}
	for _, c := range r.spec.Contests {
		if c.ID == id {
			return r.contest(c)
		}
	}
	return r.contest(Contest{ID: id, Name: name})
}

// figureOfName reads a row name as a protocol figure: "# ballots",
// "BALLOTS CAST - TOTAL", "Registered voters". It returns -1 for none.
func figureOfName(name string) Figure {
	switch GuessRole(name) {
	case RoleRegistered:
		return FigRegistered
	case RoleBallotsIssued:
		return FigIssued
	case RoleBallotsCast:
		return FigCast
	}
	n := FoldName(name)
	if strings.Contains(n, "ballots") || n == "ballots cast" || strings.HasSuffix(n, "ballots") {
		return FigCast
	}
	return -1
}

// optionKind guesses the kind of an option the spec does not list from
// its name: blanks, write-ins, or a candidate.
func optionKind(name string) string {
	n := FoldName(name)
	switch {
	case strings.HasPrefix(n, "blank"), n == "blanks", strings.Contains(n, "undervote"):
		return "blank"
	case strings.Contains(n, "write in"), strings.Contains(n, "writein"), strings.Contains(n, "write ins"), strings.Contains(n, "scattering"), strings.Contains(n, "all others"):
		return "write_in"
	}
	return "candidate"
}

// titleOf makes an office name from the texts of a title row, leaving out
// "Vote for One".
func titleOf(texts []string) string {
	var keep []string
	for _, t := range texts {
		t = strings.Join(strings.Fields(t), " ")
		if t != "" && !strings.HasPrefix(FoldName(t), "vote for") && !containsFold(keep, t) {
			keep = append(keep, t)
		}
	}
	return strings.Join(keep, " ")
}

// onlyCheckWords reports whether a row's texts are working notes of the
// clerk ("verify"), not an office.
func onlyCheckWords(texts []string) bool {
	for _, t := range texts {
		switch FoldName(t) {
		case "verify", "check", "need to match", "ok":
		default:
			return false
		}
	}
	return true
}

func sameValues(r, ref *trow) bool {
	if ref == nil {
		return false
	}
	n := 0
	for i := range r.vals {
		if r.vals[i] != ref.vals[i] {
			return false
		}
		if r.vals[i].ok {
			n++
		}
	}
	return n > 0
}

func isUnitCol(tp *transposed, c int) bool {
	for _, u := range tp.units {
		if u.col == c {
			return true
		}
	}
	return false
}

func containsInt(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

func isNumberText(s string) bool {
	n, err := ParseCount(s)
	return err == nil && !n.Missing
}

// flushTransposed ends the office being read in a transposed table, at the
// end of the table or the source.
func (sr *sourceReader) flushTransposed() error {
	if sr.tc == nil || sr.tc.tp == nil {
		return nil
	}
	if b := sr.tc.tp.cur; len(b.opts) == 0 && b.rows == 0 {
		return nil
	}
	return sr.endBlock()
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if FoldName(x) == FoldName(s) {
			return true
		}
	}
	return false
}
