package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"tally/electoral"
	"tally/report"
)

// contestAgg keeps, per contest, what the seat allocation and cross-unit
// checks need: totals per unit level and option, never the rows.
type contestAgg struct {
	c       Contest
	options []Option
	optIdx  map[string]int
	levels  map[string]*levelAgg
	order   []string // levels in order of first appearance
	seen    map[string]bool
	first   map[string]string
}

type levelAgg struct {
	units    int
	votes    []int64
	declared []opt // declared seats per option (from a seats column)
	figs     [numFigures]opt
	figUnits [numFigures]int // units that carry each figure
}

func (r *runner) contest(c Contest) *contestAgg {
	if a, ok := r.contests[c.ID]; ok {
		return a
	}
	a := &contestAgg{c: c, optIdx: map[string]int{}, levels: map[string]*levelAgg{}, seen: map[string]bool{}, first: map[string]string{}}
	r.contests[c.ID] = a
	r.contestOrder = append(r.contestOrder, c.ID)
	return a
}

func (c *contestAgg) add(u *unitBuf) {
	l, ok := c.levels[u.level]
	if !ok {
		l = &levelAgg{}
		c.levels[u.level] = l
		c.order = append(c.order, u.level)
	}
	l.units++
	for f := range numFigures {
		if v := u.fig[f].v; v.ok {
			l.figs[f].v += v.v
			l.figs[f].ok = true
			l.figUnits[f]++
		}
	}
	for _, res := range u.results {
		i, ok := c.optIdx[res.opt.ID]
		if !ok {
			i = len(c.options)
			c.optIdx[res.opt.ID] = i
			c.options = append(c.options, res.opt)
		}
		for len(l.votes) <= i {
			l.votes = append(l.votes, 0)
			l.declared = append(l.declared, opt{})
		}
		if res.votes.ok {
			l.votes[i] += res.votes.v
		}
		if res.seats.ok {
			l.declared[i] = some(l.declared[i].v + res.seats.v)
		}
	}
}

// allocationLevel picks the units whose totals decide the seats: the level
// with the most units (the most detailed one), never total rows unless
// they are all there is.
func (c *contestAgg) allocationLevel() (string, *levelAgg) {
	best := ""
	for _, name := range c.order {
		if name == LevelTotal || name == LevelSubtotal {
			continue
		}
		if best == "" || c.levels[name].units > c.levels[best].units {
			best = name
		}
	}
	if best == "" && len(c.order) > 0 {
		best = c.order[0]
	}
	return best, c.levels[best]
}

// SeatRow is one row of the seats table.
type SeatRow struct {
	Contest  string
	PartyID  string
	Party    string
	Votes    int64
	Share    float64
	Eligible bool
	Seats    int
	Declared opt
	Method   string
}

// DeclaredSeats returns the declared seats and whether there are any.
func (s SeatRow) DeclaredSeats() (int64, bool) { return s.Declared.v, s.Declared.ok }

func kindOf(o Option) electoral.Kind {
	switch o.Kind {
	case "against_all":
		return electoral.KindAgainstAll
	case "blank":
		return electoral.KindBlank
	}
	return electoral.KindList
}

// allocate shares the seats of every list-PR contest and compares them
// with the declared ones.
func (r *runner) allocate() ([]SeatRow, error) {
	var out []SeatRow
	for _, id := range r.contestOrder {
		c := r.contests[id]
		if c.c.Seats <= 0 || len(c.options) == 0 {
			continue
		}
		rows, err := r.allocateContest(c)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

func (r *runner) allocateContest(c *contestAgg) ([]SeatRow, error) {
	_, l := c.allocationLevel()
	method, err := electoral.ParseMethod(c.c.Method)
	if err != nil {
		return nil, report.UsageError(err)
	}
	opt := electoral.Options{
		Seats:        c.c.Seats + c.c.ReservedSeats,
		Reserved:     c.c.ReservedSeats,
		Method:       method,
		MinQualified: c.c.MinQualified,
		Seed:         c.c.Seed,
	}
	if c.c.FirstDivisor != "" {
		if opt.FirstDivisor, err = electoral.ParseFirstDivisor(c.c.FirstDivisor); err != nil {
			return nil, report.UsageError(err)
		}
	}
	if c.c.TieBreak != "" {
		if opt.TieBreak, err = electoral.ParseTieBreak(c.c.TieBreak); err != nil {
			return nil, report.UsageError(err)
		}
	}
	if t := c.c.Threshold; t != nil {
		if opt.Threshold, err = t.Rat(); err != nil {
			return nil, report.UsageError(err)
		}
		if t.Base == "cast" {
			opt.ThresholdBase = electoral.BaseCast
		}
	}
	entries := make([]electoral.Entry, len(c.options))
	var listSum, allSum int64
	for i, o := range c.options {
		v := int64(0)
		if i < len(l.votes) {
			v = l.votes[i]
		}
		entries[i] = electoral.Entry{Name: o.ID, Votes: v, Kind: kindOf(o)}
		allSum += v
		if entries[i].Kind == electoral.KindList {
			listSum += v
		}
	}
	// Figures from the sheet set the bases only when every unit carries
	// them and they are consistent with the options (a mismatch is already
	// a finding).
	if l.figs[FigValid].ok && l.figUnits[FigValid] == l.units && l.figs[FigValid].v >= allSum {
		opt.ValidVotes = l.figs[FigValid].v
	}
	if l.figs[FigCast].ok && l.figUnits[FigCast] == l.units && l.figs[FigCast].v >= allSum {
		opt.BallotsCast = l.figs[FigCast].v
	}
	res, err := electoral.Allocate(entries, opt)
	if err != nil {
		if errors.Is(err, electoral.ErrBadOptions) || errors.Is(err, electoral.ErrBadThreshold) {
			return nil, report.UsageError(fmt.Errorf("contest %q: %w", c.c.ID, err))
		}
		r.rec.Add(report.Finding{Severity: report.Error, Code: report.SeatsNotAllocated,
			Message: fmt.Sprintf("contest %q: seats could not be allocated: %v", c.c.ID, err)})
		return nil, nil
	}
	for _, t := range res.Ties {
		r.rec.Add(report.Finding{Severity: report.Warning, Code: report.SeatsTie, Actual: fmt.Sprint(t.Winners), Expected: fmt.Sprint(t.Between),
			Message: fmt.Sprintf("contest %q: tie in %s between %v for %d place(s), resolved by %s in favour of %v", c.c.ID, t.Stage, t.Between, t.Places, t.Rule, t.Winners)})
	}
	var rows []SeatRow
	for i, p := range res.Parties {
		o := c.options[i]
		if o.Kind != "list" && o.Kind != "candidate" {
			continue
		}
		row := SeatRow{Contest: c.c.ID, PartyID: o.ID, Party: o.Name, Votes: p.Votes, Share: p.Share,
			Eligible: p.Eligible, Seats: p.Seats, Method: method.String()}
		if d, ok := c.c.DeclaredSeats[o.ID]; ok {
			row.Declared = some(int64(d))
		} else if i < len(l.declared) && l.declared[i].ok {
			row.Declared = l.declared[i]
		}
		if row.Declared.ok && row.Declared.v != int64(p.Seats) {
			r.rec.Add(report.Finding{Severity: report.Error, Code: report.SeatsMismatch, OptionID: o.ID,
				Expected: strconv.FormatInt(row.Declared.v, 10), Actual: strconv.Itoa(p.Seats),
				Message: fmt.Sprintf("contest %q: %s declared %d seats, but %s gives %d", c.c.ID, o.Name, row.Declared.v, method.Title(), p.Seats)})
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// writeSmallTables writes the tables built at the end of a run: seats,
// findings and rejects.
func (r *runner) writeSmallTables(ctx context.Context) error {
	eid := r.spec.Election.ID
	seats := newBuilder(r.mem, SeatsTable)
	defer seats.release()
	for _, s := range r.sum.Seats {
		seats.str(0, eid)
		seats.str(1, s.Contest)
		seats.str(2, s.PartyID)
		seats.str(3, s.Party)
		seats.i64(4, s.Votes)
		seats.nf64(5, s.Share, true)
		seats.bool(6, s.Eligible)
		seats.i64(7, int64(s.Seats))
		seats.ni64(8, s.Declared)
		seats.str(9, s.Method)
		seats.rows++
	}
	fb := newBuilder(r.mem, FindingsTable)
	defer fb.release()
	for _, f := range r.sum.Findings {
		fb.str(0, f.Severity.String())
		fb.str(1, string(f.Code))
		fb.str(2, f.Message)
		fb.nstr(3, f.UnitID)
		fb.nstr(4, f.OptionID)
		fb.nstr(5, f.Pos.File)
		fb.nstr(6, f.Pos.Sheet)
		fb.ni64(7, opt{int64(f.Pos.Row), f.Pos.Row > 0})
		fb.ni64(8, opt{int64(f.Pos.Column), f.Pos.Column > 0})
		fb.nstr(9, f.Expected)
		fb.nstr(10, f.Actual)
		fb.rows++
	}
	rb := newBuilder(r.mem, RejectsTable)
	defer rb.release()
	for _, rj := range r.sum.Rejects {
		rb.str(0, rj.Pos.File)
		rb.nstr(1, rj.Pos.Sheet)
		rb.i64(2, int64(rj.Pos.Row))
		rb.str(3, joinRaw(rj.Raw))
		rb.str(4, rj.Reason)
		rb.rows++
	}
	for _, t := range []struct {
		def TableDef
		b   *builder
	}{{SeatsTable, seats}, {FindingsTable, fb}, {RejectsTable, rb}} {
		n := int64(t.b.rows)
		r.sum.Tables[t.def.Name] += n
		rec := t.b.flush()
		if rec == nil {
			continue
		}
		err := r.out.write(ctx, t.def.Name, rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}
