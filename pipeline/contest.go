package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"tally/electoral"
	"tally/report"
	"tally/sources"
)

// contestAgg keeps, per contest, what the seat allocation and cross-unit
// checks need: totals per unit level and option, never the rows.
type contestAgg struct {
	c       Contest
	options []Option
	optIdx  optIndex // index in options, by entry
	levels  map[string]*levelAgg
	order   []string // levels in order of first appearance
	// last is the level of the last unit added, named lastLevel.
	last      *levelAgg
	lastLevel string
	// units and refs keep per-unit aggregates of the data and of the
	// reference sources for the cross-unit checks (hierarchy.go).
	units, refs unitStore
}

type levelAgg struct {
	units     int
	districts map[string]*districtAgg // by district id, for contests with districts
	votes     []int64
	declared  []opt // declared seats per option (from a seats column)
	figs      [numFigures]opt
	figUnits  [numFigures]int // units that carry each figure
}

func (r *runner) contest(c Contest) *contestAgg {
	if a, ok := r.contests[c.ID]; ok {
		return a
	}
	a := &contestAgg{c: c, levels: map[string]*levelAgg{}}
	r.contests[c.ID] = a
	r.contestOrder = append(r.contestOrder, c.ID)
	return a
}

func (c *contestAgg) add(u *unitBuf) {
	l := c.last
	if l == nil || c.lastLevel != u.level {
		var ok bool
		l, ok = c.levels[u.level]
		if !ok {
			l = &levelAgg{}
			c.levels[u.level] = l
			c.order = append(c.order, u.level)
		}
		c.last, c.lastLevel = l, u.level
	}
	l.units++
	for f := range numFigures {
		if v := u.fig[f].v; v.ok {
			l.figs[f].v += v.v
			l.figs[f].ok = true
			l.figUnits[f]++
		}
	}
	var dist *districtAgg
	if d := c.c.Districts; d != nil {
		key := u.parent
		if d.By == "unit" {
			key = u.id
		}
		if l.districts == nil {
			l.districts = map[string]*districtAgg{}
		}
		if dist = l.districts[key]; dist == nil {
			dist = &districtAgg{}
			l.districts[key] = dist
		}
		dist.units++
	}
	for k := range u.results {
		res := &u.results[k] // by pointer: a result is too big to copy
		i, isNew := c.optIdx.get(res.opt, len(c.options))
		if isNew {
			c.options = append(c.options, res.opt.Option)
		}
		for len(l.votes) <= i {
			l.votes = append(l.votes, 0)
			l.declared = append(l.declared, opt{})
		}
		if res.votes.ok {
			l.votes[i] += res.votes.v
			if dist != nil {
				for len(dist.votes) <= i {
					dist.votes = append(dist.votes, 0)
				}
				dist.votes[i] += res.votes.v
			}
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

// districtAgg is one district's votes per option.
type districtAgg struct {
	units int
	votes []int64
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
	Indices  electoral.Indices // of the contest the row belongs to
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

// options turns a contest's rules into the allocation's options; seats
// and the bases are filled in by the caller.
func (c *contestAgg) rules() (electoral.Options, electoral.Method, error) {
	var opt electoral.Options
	method, err := electoral.ParseMethod(c.c.Method)
	if err != nil {
		return opt, method, report.UsageError(err)
	}
	opt = electoral.Options{Method: method, MinQualified: c.c.MinQualified, Seed: c.c.Seed}
	if c.c.FirstDivisor != "" {
		if opt.FirstDivisor, err = electoral.ParseFirstDivisor(c.c.FirstDivisor); err != nil {
			return opt, method, report.UsageError(err)
		}
	}
	if c.c.TieBreak != "" {
		if opt.TieBreak, err = electoral.ParseTieBreak(c.c.TieBreak); err != nil {
			return opt, method, report.UsageError(err)
		}
	}
	if t := c.c.Threshold; t != nil {
		if opt.Threshold, err = t.Rat(); err != nil {
			return opt, method, report.UsageError(err)
		}
		if t.Base == "cast" {
			opt.ThresholdBase = electoral.BaseCast
		}
	}
	return opt, method, nil
}

// entries builds the allocation's input from votes per option.
func (c *contestAgg) entries(votes []int64) ([]electoral.Entry, int64) {
	entries := make([]electoral.Entry, len(c.options))
	var all int64
	for i, o := range c.options {
		v := int64(0)
		if i < len(votes) {
			v = votes[i]
		}
		entries[i] = electoral.Entry{Name: o.ID, Votes: v, Kind: kindOf(o)}
		all += v
	}
	return entries, all
}

// run allocates once, turning an allocation that cannot be done into a
// finding; a nil result means there is nothing to report.
func (r *runner) runAllocation(contest string, entries []electoral.Entry, opt electoral.Options) (*electoral.Result, error) {
	res, err := electoral.Allocate(entries, opt)
	if err != nil {
		if errors.Is(err, electoral.ErrBadOptions) || errors.Is(err, electoral.ErrBadThreshold) {
			return nil, report.UsageError(fmt.Errorf("contest %q: %w", contest, err))
		}
		r.rec.Add(report.Finding{Severity: report.Error, Code: report.SeatsNotAllocated,
			Message: fmt.Sprintf("contest %q: seats could not be allocated: %v", contest, err)})
		return nil, nil
	}
	for _, t := range res.Ties {
		r.rec.Add(report.Finding{Severity: report.Warning, Code: report.SeatsTie, Actual: fmt.Sprint(t.Winners), Expected: fmt.Sprint(t.Between),
			Message: fmt.Sprintf("contest %q: tie in %s between %v for %d place(s), resolved by %s in favour of %v", contest, t.Stage, t.Between, t.Places, t.Rule, t.Winners)})
	}
	return res, nil
}

func (r *runner) allocateContest(c *contestAgg) ([]SeatRow, error) {
	if c.c.Districts != nil {
		return r.allocateDistricts(c)
	}
	_, l := c.allocationLevel()
	opt, method, err := c.rules()
	if err != nil {
		return nil, err
	}
	opt.Seats, opt.Reserved = c.c.Seats+c.c.ReservedSeats, c.c.ReservedSeats
	entries, allSum := c.entries(l.votes)
	// Figures from the sheet set the bases only when every unit carries
	// them and they are consistent with the options (a mismatch is already
	// a finding).
	if l.figs[FigValid].ok && l.figUnits[FigValid] == l.units && l.figs[FigValid].v >= allSum {
		opt.ValidVotes = l.figs[FigValid].v
	}
	if l.figs[FigCast].ok && l.figUnits[FigCast] == l.units && l.figs[FigCast].v >= allSum {
		opt.BallotsCast = l.figs[FigCast].v
	}
	res, err := r.runAllocation(c.c.ID, entries, opt)
	if res == nil || err != nil {
		return nil, err
	}
	seats := make([]int, len(res.Parties))
	for i, p := range res.Parties {
		seats[i] = p.Seats
	}
	return r.seatRows(c, c.c.ID, method.String(), res.Parties, seats, res.Indices(), l.declared, c.c.DeclaredSeats), nil
}

// seatRows turns an allocation into seats rows, comparing declared seats.
func (r *runner) seatRows(c *contestAgg, contest, method string, parties []electoral.PartyResult, seats []int, ix electoral.Indices, sheet []opt, spec map[string]int) []SeatRow {
	var rows []SeatRow
	for i, p := range parties {
		o := c.options[i]
		if o.Kind != "list" && o.Kind != "candidate" {
			continue
		}
		row := SeatRow{Contest: contest, PartyID: o.ID, Party: o.Name, Votes: p.Votes, Share: p.Share,
			Eligible: p.Eligible, Seats: seats[i], Method: method, Indices: ix}
		if d, ok := spec[o.ID]; ok {
			row.Declared = some(int64(d))
		} else if i < len(sheet) && sheet[i].ok {
			row.Declared = sheet[i]
		}
		if row.Declared.ok && row.Declared.v != int64(row.Seats) {
			r.rec.Add(report.Finding{Severity: report.Error, Code: report.SeatsMismatch, OptionID: o.ID,
				Expected: strconv.FormatInt(row.Declared.v, 10), Actual: strconv.Itoa(row.Seats),
				Message: fmt.Sprintf("contest %q: %s declared %d seats, but %s gives %d", contest, o.Name, row.Declared.v, method, row.Seats)})
		}
		rows = append(rows, row)
	}
	return rows
}

// allocateDistricts shares each district's seats among the lists of that
// district, then adds a national summary row per list. The threshold is
// measured nationally (lists below it take no seat anywhere) or in each
// district, as the spec says.
func (r *runner) allocateDistricts(c *contestAgg) ([]SeatRow, error) {
	d := c.c.Districts
	_, l := c.allocationLevel()
	opt, method, err := c.rules()
	if err != nil {
		return nil, err
	}
	eligible := make([]bool, len(c.options))
	for i := range eligible {
		eligible[i] = true
	}
	national := opt
	national.Seats = c.c.Seats
	nEntries, _ := c.entries(l.votes)
	var nat *electoral.Result
	if d.Threshold != "district" {
		// The national pass decides who qualifies; its seats are not used.
		if nat, err = r.runAllocation(c.c.ID, nEntries, national); err != nil {
			return nil, err
		}
		if nat != nil {
			for i, p := range nat.Parties {
				eligible[i] = p.Eligible
			}
		}
		opt.Threshold, opt.MinQualified = nil, 0
	}
	var rows []SeatRow
	var results []*electoral.Result
	for _, id := range sortedKeys(d.Seats) {
		da := l.districts[id]
		if da == nil {
			r.rec.Add(report.Finding{Severity: report.Error, Code: report.SeatsNotAllocated, UnitID: id,
				Message: fmt.Sprintf("contest %q: district %q has %d seats in the spec but no units in the data", c.c.ID, id, d.Seats[id])})
			continue
		}
		entries, _ := c.entries(da.votes)
		for i := range entries {
			if !eligible[i] && entries[i].Kind == electoral.KindList {
				// Below the national threshold: counted in the base, no seats.
				entries[i].Kind = electoral.KindBlank
			}
		}
		dopt := opt
		dopt.Seats = d.Seats[id]
		res, err := r.runAllocation(c.c.ID+"/"+id, entries, dopt)
		if err != nil {
			return nil, err
		}
		if res == nil {
			continue
		}
		for i := range res.Parties {
			if !eligible[i] && c.options[i].Kind == "list" {
				res.Parties[i].Kind = electoral.KindList
				res.Parties[i].Eligible = false
			}
		}
		results = append(results, res)
		seats := make([]int, len(res.Parties))
		for i, p := range res.Parties {
			seats[i] = p.Seats
		}
		rows = append(rows, r.seatRows(c, c.c.ID+"/"+id, method.String(), res.Parties, seats, res.Indices(), nil, nil)...)
	}
	for id := range l.districts {
		if _, ok := d.Seats[id]; !ok {
			r.rec.Add(report.Finding{Severity: report.Warning, Code: report.SeatsNotAllocated, UnitID: id,
				Message: fmt.Sprintf("contest %q: units of district %q are in the data, but the spec gives it no seats; its votes count only in the national summary", c.c.ID, id)})
		}
	}
	// The national summary: votes over every unit, seats summed.
	sum := electoral.Summarize(results)
	seats := make([]int, len(c.options))
	byName := map[string]int{}
	for _, t := range sum.Parties {
		byName[t.Name] += t.Seats
	}
	parties := make([]electoral.PartyResult, len(c.options))
	var base int64
	for _, e := range nEntries {
		if e.Kind == electoral.KindList {
			base += e.Votes
		}
	}
	for i, e := range nEntries {
		seats[i] = byName[e.Name]
		parties[i] = electoral.PartyResult{Name: e.Name, Kind: e.Kind, Votes: e.Votes, Eligible: eligible[i], Seats: seats[i]}
		if base > 0 {
			parties[i].Share = float64(e.Votes) * 100 / float64(base)
		}
		if nat != nil {
			parties[i].Share = nat.Parties[i].Share
		}
	}
	ix := (&electoral.Result{Parties: parties}).Indices()
	summary := r.seatRows(c, c.c.ID, method.String()+" by district", parties, seats, ix, l.declared, c.c.DeclaredSeats)
	return append(summary, rows...), nil
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
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
		seats.nf64(10, s.Indices.Gallagher, true)
		seats.nf64(11, s.Indices.LoosemoreHanby, true)
		seats.nf64(12, s.Indices.SainteLague, true)
		seats.nf64(13, s.Indices.ENPVotes, true)
		seats.nf64(14, s.Indices.ENPSeats, true)
		seats.rows++
	}
	if err := r.writeTable(ctx, SeatsTable, seats); err != nil {
		return err
	}
	// The findings and rejects may be many (a spec that maps one wrong
	// column makes every unit fail a check): they are read from the
	// recorder and written in batches.
	fb := newBuilder(r.mem, FindingsTable)
	defer fb.release()
	text := 0
	err := r.sum.EachFinding(func(f *report.Finding) error {
		text += len(f.Message) + len(f.UnitID) + len(f.OptionID) + len(f.Expected) + len(f.Actual)
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
		return r.writeBatch(ctx, FindingsTable, fb, &text)
	})
	if err != nil {
		return err
	}
	if err := r.writeTable(ctx, FindingsTable, fb); err != nil {
		return err
	}
	rb := newBuilder(r.mem, RejectsTable)
	defer rb.release()
	text = 0
	err = r.sum.EachReject(func(rj *report.Reject) error {
		raw := joinRaw(rj.Raw)
		text += len(raw) + len(rj.Reason)
		rb.str(0, rj.Pos.File)
		rb.nstr(1, rj.Pos.Sheet)
		rb.i64(2, int64(rj.Pos.Row))
		rb.str(3, raw)
		rb.str(4, rj.Reason)
		rb.rows++
		return r.writeBatch(ctx, RejectsTable, rb, &text)
	})
	if err != nil {
		return err
	}
	return r.writeTable(ctx, RejectsTable, rb)
}

// smallBatchBytes bounds the text a batch of findings or rejects holds
// before it is written, beside the rows a batch has.
const smallBatchBytes = 8 << 20

// writeBatch writes the rows b has built once they make a batch: as many
// rows as a batch of the sources, or *text bytes of text past
// smallBatchBytes.
func (r *runner) writeBatch(ctx context.Context, def TableDef, b *builder, text *int) error {
	limit := r.opt.BatchRows
	if limit <= 0 {
		limit = sources.DefaultBatchRows
	}
	if b.rows < limit && *text < smallBatchBytes {
		return nil
	}
	*text = 0
	return r.writeTable(ctx, def, b)
}

// writeTable writes the rows b has built, if any.
func (r *runner) writeTable(ctx context.Context, def TableDef, b *builder) error {
	r.sum.Tables[def.Name] += int64(b.rows)
	rec := b.flush()
	if rec == nil {
		return nil
	}
	err := r.out.write(ctx, def.Name, rec)
	rec.Release()
	return err
}
