package pipeline

import (
	"strings"

	"tally/sources"
)

// tableContest returns the contest a table feeds. A source with
// contest_from: title makes each stacked table the contest its title row
// names ("Presidential Electors"); with contest_from: sheet, each sheet is
// a contest. A contest the spec declares under that id keeps its seats
// and method; others are candidate contests with no seats.
func (r *runner) tableContest(src Source, t *sources.Table, def *contestAgg) *contestAgg {
	var name string
	switch src.ContestFrom {
	case "title":
		name = t.Title
		if name == "" {
			name = t.Sheet
		}
	case "sheet":
		name = t.Sheet
	}
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

// ContestTotals is what a contest adds up to over the units its figures
// come from: the most detailed level, never a total or subtotal row.
type ContestTotals struct {
	Contest string
	Level   string // the unit level summed
	Units   int    // units at that level
	Options []OptionTotal
	Figures map[string]int64 // registered, ballots_cast, valid...: only those every unit carries
	Levels  map[string]int   // units per level, every level
}

// OptionTotal is one option's votes in a contest.
type OptionTotal struct {
	ID, Name string
	Votes    int64
}

// totals sums every contest at the level its figures come from.
func (r *runner) totals() []ContestTotals {
	var out []ContestTotals
	for _, id := range r.contestOrder {
		c := r.contests[id]
		if len(c.levels) == 0 {
			continue // a source's default contest that every table left
		}
		name, l := c.allocationLevel()
		ct := ContestTotals{Contest: id, Level: name, Figures: map[string]int64{}, Levels: map[string]int{}}
		for lv, a := range c.levels {
			ct.Levels[lv] = a.units
		}
		if l != nil {
			ct.Units = l.units
			for f := range numFigures {
				if l.figs[f].ok && l.figUnits[f] == l.units {
					ct.Figures[figureNames[f]] = l.figs[f].v
				}
			}
			for i, o := range c.options {
				var v int64
				if i < len(l.votes) {
					v = l.votes[i]
				}
				ct.Options = append(ct.Options, OptionTotal{ID: o.ID, Name: o.Name, Votes: v})
			}
		}
		out = append(out, ct)
	}
	return out
}

// rowContest returns the contest a row of a long table of candidate
// contests belongs to (its office and district, "State House 12"), or nil
// when the table has no such columns.
func (sr *sourceReader) rowContest(row sources.Row) *contestAgg {
	m := sr.cols
	if len(m.ContestCols) == 0 {
		return nil
	}
	var parts []string
	for _, c := range m.ContestCols {
		if v := strings.TrimSpace(row.Cell(c)); v != "" {
			parts = append(parts, v)
		}
	}
	name := strings.Join(parts, " ")
	id, ok := m.contestIDs[name]
	if !ok {
		id = Slug(name)
		if m.contestIDs == nil {
			m.contestIDs = map[string]string{}
		}
		m.contestIDs[name] = id
	}
	if id == "" {
		return nil
	}
	if c, ok := sr.r.contests[id]; ok {
		return c
	}
	for _, c := range sr.r.spec.Contests {
		if c.ID == id {
			return sr.r.contest(c)
		}
	}
	return sr.r.contest(Contest{ID: id, Name: name})
}

// withParty gives a candidate of a long table the party its row names.
// Options the spec knows keep the spec's kind and party.
func (sr *sourceReader) withParty(e *optEntry, row sources.Row) *optEntry {
	m := sr.cols
	if len(m.PartyCols) == 0 || e.Known {
		return e
	}
	o := e.Option
	p := strings.TrimSpace(row.Cell(m.PartyCols[0]))
	id, ok := m.partyIDs[p]
	if !ok {
		id = Slug(p)
		if m.partyIDs == nil {
			m.partyIDs = map[string]string{}
		}
		m.partyIDs[p] = id
	}
	o.Kind, o.Party = "candidate", id
	return sr.r.opts.ref(o)
}
