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
	// Keys are the columns that together name the reporting unit, left to
	// right from the broadest (region) to the finest (polling station),
	// when no single unit id or name column was named or found. The unit's
	// id is made of all of them.
	Keys []int
	// ContestCols name, in a long table of candidate contests, the office
	// and district of each row ("State House", "12"): each distinct value
	// is a contest of its own.
	ContestCols []int
	// PartyCols holds the column naming each candidate's party, when a
	// long table has one besides the candidate's name.
	PartyCols []int

	levelCols []int // per level rule of the spec, its column (-1 when none)
	keyID     int   // the key column whose header says it holds ids (Nr, code), or -1

	contestIDs, partyIDs map[string]string // slugs of the names met, by name
}

// OptionCol is one option's column in a wide table.
type OptionCol struct {
	Col      int
	ShareCol int // -1 when the sheet prints no share for the option; Col itself for "216 - 17.73%" cells
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

// Column returns the role of column i as inspect shows it: a role name,
// "option" or "share" with the option's name, "key", or "".
func (m *ColumnMap) Column(i int) (role, detail string) {
	for r, c := range m.Roles {
		if c == i {
			return r.String(), ""
		}
	}
	for _, k := range m.Keys {
		if k == i {
			return "unit_key", ""
		}
	}
	for _, k := range m.ContestCols {
		if k == i {
			return "contest", ""
		}
	}
	for _, k := range m.PartyCols {
		if k == i {
			return "party", ""
		}
	}
	for _, c := range m.Ignored {
		if c == i {
			return "ignored", ""
		}
	}
	for _, o := range m.Options {
		switch {
		case o.Col == i && o.ShareCol == i:
			return "option_votes_share", o.Option.Name
		case o.Col == i:
			return "option_votes", o.Option.Name
		case o.ShareCol == i:
			return "option_share", o.Option.Name
		}
	}
	return "", ""
}

// MapColumns gives each column of t a role: from the spec's column hints
// first, then known option names, then the header text read together with
// what the first data rows hold (a column of names is part of the unit, a
// column of numbers a figure or an option).
//
// Multi-row headers are read part by part. A part that recurs over the
// columns in separate runs ("Zweitstimmen", "liczba", "%") marks a variant
// of a figure, not its name; the lowest other part names the column
// ("Robert BIEDROŃ" in "Ważne głosy oddane na kandydatów / Robert BIEDROŃ /
// liczba"). With only_columns in the spec, a column that has variant parts
// is kept only if it has every part listed.
func MapColumns(t *sources.Table, src Source, aliases *Aliases) (*ColumnMap, error) {
	m := &ColumnMap{Roles: map[Role]int{}}
	if src.Layout == "transposed" {
		// Units across, options down: read by transposed.go.
		m.Layout = "transposed"
		return m, nil
	}
	taken := make([]bool, len(t.Columns))
	at := report.Position{File: t.File, Sheet: t.Sheet, Row: firstOr(t.HeaderRows)}
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
			return nil, report.At(at, report.UsageError(fmt.Errorf("columns.%s names %q, but the header has no such column; it has: %s",
				h.key, h.name, strings.Join(quoted(t.Columns), ", "))))
		}
		m.Roles[h.role] = i
		taken[i] = true
	}
	cols := readColumns(t)
	for _, i := range dropped(cols, src.OnlyColumns) {
		taken[i] = true
		m.Ignored = append(m.Ignored, i)
	}
	for _, i := range ignoredColumns(t.Columns, src.Columns.Ignore) {
		if !taken[i] {
			taken[i] = true
			m.Ignored = append(m.Ignored, i)
		}
	}
	long := src.Layout == "long"
	wide := src.Layout == "wide"
	// Known options name their columns in a wide sheet.
	if !long {
		for i, c := range cols {
			if taken[i] || c.name == "" || c.kind == sources.KindText || c.share {
				continue
			}
			p, ok := aliases.Lookup(c.name)
			if !ok {
				p, ok = aliases.Lookup(t.Columns[i])
			}
			if ok {
				m.Options = append(m.Options, OptionCol{Col: i, ShareCol: shareColOf(c, i), Header: t.Columns[i], Option: optionOf(p)})
				taken[i] = true
			}
		}
	}
	// The unit: leading columns of names or codes.
	firstFigure := len(cols)
	for i, c := range cols {
		if taken[i] && m.isFigure(i) || !taken[i] && c.kind.Numeric() && !unitRole(c.role) {
			firstFigure = i
			break
		}
	}
	_, hasID := m.Roles[RoleUnitID]
	_, hasName := m.Roles[RoleUnitName]
	for i, c := range cols {
		if taken[i] {
			continue
		}
		switch {
		case c.role == RoleOffice && !wide:
			m.ContestCols = append(m.ContestCols, i)
			taken[i] = true
		case len(m.ContestCols) > 0 && FoldName(c.name) == "district" && !wide:
			m.ContestCols = append(m.ContestCols, i)
			taken[i] = true
		case c.kind == sources.KindText && c.role == RoleOption && !wide:
			// The option's name, in a long table; with a candidate and a
			// party column, the candidate is the option.
			prev, had := m.Roles[RoleOption]
			switch {
			case !had:
				m.Roles[RoleOption] = i
			case isPartyHeader(t.Columns[prev]) && !isPartyHeader(c.name):
				m.Roles[RoleOption] = i
				m.PartyCols = append(m.PartyCols, prev)
			case isPartyHeader(c.name) && len(m.PartyCols) == 0:
				m.PartyCols = append(m.PartyCols, i)
			}
			taken[i] = true
		case i < firstFigure && (c.kind == sources.KindText || unitRole(c.role) || c.kind == sources.KindEmpty && c.name == ""):
			if c.role == RoleParent && isParentRef(c.name) {
				// A column naming the unit above, after the unit's own
				// columns ("gehört zu").
				if _, dup := m.Roles[RoleParent]; !dup {
					m.Roles[RoleParent] = i
				}
				taken[i] = true
				continue
			}
			if c.kind == sources.KindEmpty && c.name == "" {
				continue
			}
			if !hasID && !hasName {
				m.Keys = append(m.Keys, i)
			}
			taken[i] = true
		case c.kind == sources.KindText:
			// Text after the figures: links, notes.
			m.Ignored = append(m.Ignored, i)
			taken[i] = true
		}
	}
	// One id column and one name column say what they are.
	if n := len(m.Keys); n == 1 || n == 2 {
		r0 := cols[m.Keys[0]].role
		r1 := RoleNone
		if n == 2 {
			r1 = cols[m.Keys[1]].role
		}
		if (r0 == RoleUnitID || r0 == RoleUnitName) && (n == 1 || r1 != r0 && (r1 == RoleUnitID || r1 == RoleUnitName)) {
			for _, k := range m.Keys {
				m.Roles[cols[k].role] = k
			}
			m.Keys = nil
		}
	}
	m.keyID = -1
	for _, k := range m.Keys {
		if cols[k].role == RoleUnitID {
			m.keyID = k
			break
		}
	}
	// Figures, options and their shares.
	for i, c := range cols {
		if taken[i] || c.name == "" && !c.share {
			continue
		}
		r := c.role
		if c.share {
			r = RoleShare
		}
		if r == RoleShare && !long {
			// A share column belongs to the option of the same name, or
			// to the option just left of it; options are known below.
			continue
		}
		if r == RoleNone && ReadsAsTotal(c.name) {
			// A column totalling the options of each row ("TOTALS").
			m.Ignored = append(m.Ignored, i)
			taken[i] = true
			continue
		}
		switch r {
		case RoleNone, RoleOption, RoleUnitID, RoleUnitName, RoleParent:
			continue
		case RoleVotes:
			if !long && !(m.col(RoleOption) >= 0) {
				continue
			}
		case RoleOther:
			m.Ignored = append(m.Ignored, i)
			taken[i] = true
			continue
		}
		if _, dup := m.Roles[r]; dup {
			if !long && m.optionLeftOf(i, cols, taken) {
				// "FREIE WÄHLER" among the parties, after "Wähler".
				continue
			}
			m.Ignored = append(m.Ignored, i)
			taken[i] = true
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
			return nil, report.At(at, report.UsageError(fmt.Errorf("a long table needs an option column and a votes column; name them under columns: (option:, votes:); the header has: %s",
				strings.Join(quoted(t.Columns), ", "))))
		}
	default:
		m.Layout = "wide"
		delete(m.Roles, RoleOption)
		delete(m.Roles, RoleVotes)
		// Unclaimed columns with a name are options the spec does not know.
		for i, c := range cols {
			if taken[i] || c.name == "" || c.kind == sources.KindText {
				continue
			}
			switch c.role {
			case RoleNone, RoleOption, RoleVotes, RoleUnitID, RoleUnitName, RoleParent:
			case RoleRegistered, RoleBallotsIssued, RoleBallotsCast, RoleInvalid, RoleValid:
				// Left untaken above: a party whose name has a figure's word.
			default:
				m.Ignored = append(m.Ignored, i)
				continue
			}
			if c.share {
				continue
			}
			if oc := m.optionNamed(c.name); oc != nil {
				// The same option again (a second round, a variant not
				// filtered out): the first column counts.
				m.Ignored = append(m.Ignored, i)
				continue
			}
			m.Options = append(m.Options, OptionCol{Col: i, ShareCol: shareColOf(c, i), Header: t.Columns[i],
				Option: Option{ID: Slug(c.name), Name: c.name, Kind: "list", Party: Slug(c.name)}})
			taken[i] = true
		}
		// Shares whose option came later in this pass.
		for i, c := range cols {
			if taken[i] || !c.share {
				continue
			}
			if oc := m.optionFor(c.name, i); oc != nil {
				oc.ShareCol = i
			}
		}
		sortOptions(m.Options)
		if len(m.Options) == 0 {
			return nil, report.At(at, report.UsageError(fmt.Errorf("found no option columns; the header has: %s; list the parties under parties: with their spellings as aliases",
				strings.Join(quoted(t.Columns), ", "))))
		}
	}
	sortInts(m.Ignored)
	for i, l := range src.Levels {
		c := -1
		if l.Column != "" {
			if c = findHeader(t.Columns, l.Column); c < 0 {
				return nil, report.At(at, report.UsageError(fmt.Errorf("levels[%d].column names %q, but the header has no such column; it has: %s",
					i, l.Column, strings.Join(quoted(t.Columns), ", "))))
			}
		}
		m.levelCols = append(m.levelCols, c)
	}
	return m, nil
}

// column is what MapColumns knows of one column.
type column struct {
	name  string // the part that names it, variants left out
	role  Role   // the role its name suggests
	share bool   // a percent column: a part or its cells say so
	kind  sources.ColumnKind
	vary  bool // it has variant parts
	parts []string
}

func readColumns(t *sources.Table) []column {
	variant := variantParts(t.Parts)
	cols := make([]column, len(t.Columns))
	for i := range t.Columns {
		c := column{kind: sources.KindEmpty}
		if i < len(t.Kinds) {
			c.kind = t.Kinds[i]
		}
		var parts []string
		if i < len(t.Parts) {
			parts = t.Parts[i]
		}
		c.parts = parts
		for j := len(parts) - 1; j >= 0; j-- {
			p := parts[j]
			if variant[p] || markerRole(p) != RoleNone {
				c.vary = c.vary || variant[p]
				if markerRole(p) == RoleShare {
					c.share = true
				}
				continue
			}
			c.name = p
			// A name split over header rows ("BALDWIN AND" / "MARTIN
			// (F)"): upper parts over this column alone belong to it.
			for k := j - 1; k >= 0 && !variant[parts[k]] && markerRole(parts[k]) == RoleNone && ownPart(t.Parts, i, parts[k]); k-- {
				c.name = parts[k] + " " + c.name
			}
			break
		}
		if c.name == "" && len(parts) > 0 && !c.share {
			// Every part is a variant ("Votes"): the whole header names it.
			c.name = parts[len(parts)-1]
			c.role = GuessRole(c.name)
		} else {
			c.role = GuessRole(c.name)
		}
		if c.role == RoleShare {
			c.share = true
		}
		if c.kind == sources.KindPercent && c.role == RoleNone {
			c.share = true
		}
		cols[i] = c
	}
	return cols
}

// isPartyHeader reports a header naming a party rather than a candidate.
func isPartyHeader(h string) bool {
	f := FoldName(h)
	for _, w := range []string{"party", "партия", "партиясы", "partei", "partia", "komitet", "parti", "affiliation"} {
		if matchWord(f, FoldName(w)) {
			return true
		}
	}
	return false
}

// ownPart reports whether part p of column i's header is not shared with
// the columns beside it (a group header merged over several columns).
func ownPart(parts [][]string, i int, p string) bool {
	for _, j := range []int{i - 1, i + 1} {
		if j < 0 || j >= len(parts) {
			continue
		}
		for _, q := range parts[j] {
			if q == p {
				return false
			}
		}
	}
	return true
}

// variantParts returns the header parts that recur over the columns in
// separate runs: "Erststimmen", "Endgültig", "liczba", "%".
func variantParts(parts [][]string) map[string]bool {
	runs := map[string]int{}
	prev := map[string]bool{}
	for _, ps := range parts {
		cur := map[string]bool{}
		for j, p := range ps {
			if j == 0 && len(ps) > 1 {
				// The top part of a multi-part header names a group.
				continue
			}
			cur[p] = true
			if !prev[p] {
				runs[p]++
			}
		}
		prev = cur
	}
	out := map[string]bool{}
	for p, n := range runs {
		if n >= 2 {
			out[p] = true
		}
	}
	return out
}

// markerRole reads a header part that says which figure of an option a
// column holds rather than which option: "%", "votes", "liczba".
func markerRole(p string) Role {
	switch FoldName(p) {
	case "%", "in %", "percent", "share", "процент", "проценты", "пайыз", "пайызы", "udział", "prozent", "anteil", "pourcentage", "доля", "% голосов":
		return RoleShare
	case "votes", "vote", "count", "number", "liczba", "liczba głosów", "голоса", "голосов", "число голосов", "количество", "кол-во", "абс", "абс.", "дауыс", "дауыс саны", "дауыстар", "stimmen", "anzahl", "voix", "nombre", "total", "total votes":
		return RoleVotes
	}
	return RoleNone
}

func shareColOf(c column, i int) int {
	if c.kind == sources.KindCountPercent {
		return i
	}
	return -1
}

func unitRole(r Role) bool { return r == RoleUnitID || r == RoleUnitName || r == RoleParent }

func (m *ColumnMap) isFigure(i int) bool {
	for r, c := range m.Roles {
		if c == i && !unitRole(r) && r != RoleOption {
			return true
		}
	}
	for _, o := range m.Options {
		if o.Col == i {
			return true
		}
	}
	return false
}

// optionLeftOf reports whether a column left of col will be an option:
// untaken, numeric, its name suggesting no figure.
func (m *ColumnMap) optionLeftOf(col int, cols []column, taken []bool) bool {
	for _, o := range m.Options {
		if o.Col < col {
			return true
		}
	}
	for i := 0; i < col; i++ {
		if !taken[i] && cols[i].kind.Numeric() && cols[i].name != "" && !cols[i].share &&
			(cols[i].role == RoleNone || cols[i].role == RoleOption) {
			return true
		}
	}
	return false
}

// optionFor finds the option a share column belongs to: the one of the
// same name, else the option column just left of it.
func (m *ColumnMap) optionFor(name string, col int) *OptionCol {
	if name != "" {
		if oc := m.optionNamed(name); oc != nil && oc.ShareCol < 0 {
			return oc
		}
	}
	for k := range m.Options {
		if o := &m.Options[k]; o.Col == col-1 && o.ShareCol < 0 {
			return o
		}
	}
	return nil
}

func (m *ColumnMap) optionNamed(name string) *OptionCol {
	key := FoldName(name)
	for k := range m.Options {
		if FoldName(m.Options[k].Option.Name) == key || FoldName(m.Options[k].Header) == key {
			return &m.Options[k]
		}
	}
	return nil
}

// dropped returns the columns only_columns leaves out: those with variant
// parts that lack one of the listed parts.
func dropped(cols []column, only []string) []int {
	if len(only) == 0 {
		return nil
	}
	var out []int
	for i, c := range cols {
		if !c.vary {
			continue
		}
		for _, want := range only {
			found := false
			for _, p := range c.parts {
				if FoldName(p) == FoldName(want) {
					found = true
					break
				}
			}
			if !found {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

func ignoredColumns(cols []string, names []string) []int {
	var out []int
	for _, n := range names {
		if i := findHeader(cols, n); i >= 0 {
			out = append(out, i)
		}
	}
	return out
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
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
	if i, ok := columnLetter(name); ok && i < len(cols) {
		return i
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
