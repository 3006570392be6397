package pipeline

import (
	"fmt"
	"strings"

	"tally/report"
	"tally/sources"
)

// ColumnMap says what each column of a table holds.
type ColumnMap struct {
	Layout  string       // "long" or "wide"
	Roles   map[Role]int // 0-based column of each single role
	Options []OptionCol  // wide layout: the option columns, left to right
	Ignored []int        // columns with a header but no role
}

// OptionCol is one option's column in a wide table.
type OptionCol struct {
	Col      int
	ShareCol int // -1 when the sheet prints no share for the option
	Header   string
	Option   Option
}

// Option is a ballot option as the outputs name it.
type Option struct {
	ID, Name, Kind, Party string
	Known                 bool // found in the spec's parties
}

func (m *ColumnMap) col(r Role) int {
	if i, ok := m.Roles[r]; ok {
		return i
	}
	return -1
}

// MapColumns gives each column of t a role, from the spec's column hints
// first, then known option names, then header words.
func MapColumns(t *sources.Table, src Source, aliases *Aliases) (*ColumnMap, error) {
	m := &ColumnMap{Roles: map[Role]int{}}
	taken := make([]bool, len(t.Columns))
	hints := []struct {
		role Role
		name string
		key  string
	}{
		{RoleUnitID, src.Columns.UnitID, "unit_id"}, {RoleUnitName, src.Columns.UnitName, "unit_name"},
		{RoleParent, src.Columns.Parent, "parent"}, {RoleRegistered, src.Columns.Registered, "registered"},
		{RoleBallotsIssued, src.Columns.BallotsIssued, "ballots_issued"}, {RoleBallotsCast, src.Columns.BallotsCast, "ballots_cast"},
		{RoleInvalid, src.Columns.Invalid, "invalid"}, {RoleValid, src.Columns.Valid, "valid"},
		{RoleOption, src.Columns.Option, "option"}, {RoleVotes, src.Columns.Votes, "votes"},
		{RoleShare, src.Columns.Share, "share"}, {RoleSeats, src.Columns.Seats, "seats"},
	}
	for _, h := range hints {
		if h.name == "" {
			continue
		}
		i := findHeader(t.Columns, h.name)
		if i < 0 {
			return nil, report.At(report.Position{File: t.File, Sheet: t.Sheet, Row: firstOr(t.HeaderRows)},
				report.UsageError(fmt.Errorf("columns.%s names %q, but the header has no such column; it has: %s",
					h.key, h.name, strings.Join(quoted(t.Columns), ", "))))
		}
		m.Roles[h.role] = i
		taken[i] = true
	}
	long := src.Layout == "long"
	wide := src.Layout == "wide"
	// Known options name their columns in a wide sheet.
	if !long {
		for i, h := range t.Columns {
			if taken[i] || h == "" {
				continue
			}
			if p, ok := aliases.Lookup(h); ok {
				m.Options = append(m.Options, OptionCol{Col: i, ShareCol: -1, Header: h, Option: optionOf(p)})
				taken[i] = true
			}
		}
	}
	for i, h := range t.Columns {
		if taken[i] || h == "" {
			continue
		}
		r := GuessRole(h)
		if r == RoleNone {
			continue
		}
		if r == RoleShare && len(m.Options) > 0 && !long {
			// A share column right after an option column belongs to it.
			if last := &m.Options[len(m.Options)-1]; last.Col == i-1 && last.ShareCol < 0 {
				last.ShareCol = i
				taken[i] = true
				continue
			}
		}
		if _, dup := m.Roles[r]; dup {
			continue
		}
		m.Roles[r] = i
		taken[i] = true
	}
	_, hasOption := m.Roles[RoleOption]
	_, hasVotes := m.Roles[RoleVotes]
	switch {
	case long || (!wide && hasOption && hasVotes && len(m.Options) == 0):
		m.Layout = "long"
		if !hasOption || !hasVotes {
			return nil, report.At(report.Position{File: t.File, Sheet: t.Sheet, Row: firstOr(t.HeaderRows)},
				report.UsageError(fmt.Errorf("a long table needs an option column and a votes column; name them under columns: (option:, votes:); the header has: %s",
					strings.Join(quoted(t.Columns), ", "))))
		}
	default:
		m.Layout = "wide"
		// Unclaimed columns with a header are options the spec does not know.
		for i, h := range t.Columns {
			if taken[i] || h == "" {
				continue
			}
			if r := GuessRole(h); r == RoleOption || r == RoleVotes {
				// "Votes for" style headers in a wide sheet are options too.
			} else if r != RoleNone {
				m.Ignored = append(m.Ignored, i)
				continue
			}
			m.Options = append(m.Options, OptionCol{Col: i, ShareCol: -1, Header: h, Option: Option{ID: Slug(h), Name: h, Kind: "list", Party: Slug(h)}})
			taken[i] = true
		}
		sortOptions(m.Options)
		if len(m.Options) == 0 {
			return nil, report.At(report.Position{File: t.File, Sheet: t.Sheet, Row: firstOr(t.HeaderRows)},
				report.UsageError(fmt.Errorf("found no option columns; the header has: %s; list the parties under parties: with their spellings as aliases",
					strings.Join(quoted(t.Columns), ", "))))
		}
	}
	return m, nil
}

func sortOptions(o []OptionCol) {
	for i := 1; i < len(o); i++ {
		for j := i; j > 0 && o[j].Col < o[j-1].Col; j-- {
			o[j], o[j-1] = o[j-1], o[j]
		}
	}
}

func optionOf(p Party) Option {
	kind := p.Kind
	if kind == "" {
		kind = "list"
	}
	party := p.Party
	if party == "" && kind == "list" {
		party = p.ID
	}
	return Option{ID: p.ID, Name: p.Name, Kind: kind, Party: party, Known: true}
}

func findHeader(cols []string, name string) int {
	for i, c := range cols {
		if c == name {
			return i
		}
	}
	key := FoldName(name)
	for i, c := range cols {
		if FoldName(c) == key {
			return i
		}
	}
	return -1
}

func firstOr(rows []int) int {
	if len(rows) == 0 {
		return 0
	}
	return rows[0]
}

func quoted(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" {
			out = append(out, fmt.Sprintf("%q", s))
		}
	}
	return out
}
