package pipeline

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"tally/report"
	"tally/sources"
)

// checkSet is what the spec's checks: section and the check-related
// source options compile to, once, when the spec is loaded.
type checkSet struct {
	extra      []extraFigure // protocol lines beyond the standard five, by name
	identities []identity    // the built-in ones, then the spec's
	ledger     *Ledger
}

// extraFigure is a protocol line the spec names under checks.figures.
type extraFigure struct {
	name, header string
}

var figureNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// compileChecks checks and compiles the parts of the spec that the checks
// use: extra figures, identities, the ledger, fill_down columns and level
// patterns. Problems are reported through bad, each with its place.
func (s *Spec) compileChecks(bad func(path, format string, args ...any)) {
	cs := &checkSet{}
	names := make([]string, 0, len(s.Checks.Figures))
	for n := range s.Checks.Figures {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		h := s.Checks.Figures[n]
		_, std := figureAliases[n]
		switch {
		case !figureNamePattern.MatchString(n):
			bad("$.checks.figures", "figure name %q must be lower case letters, digits and '_'", n)
			continue
		case std || n == "options":
			bad("$.checks.figures", "figure %q is a standard figure; map its column under columns: instead", n)
			continue
		case strings.TrimSpace(h) == "":
			bad("$.checks.figures", "figure %q needs the header of its column", n)
			continue
		}
		cs.extra = append(cs.extra, extraFigure{name: n, header: h})
	}
	cs.identities = builtinIdentities()
	for i, text := range s.Checks.Identities {
		id, err := parseIdentity(text, cs.extraNames())
		if err != nil {
			bad(fmt.Sprintf("$.checks.identities[%d]", i), "%v", err)
			continue
		}
		cs.identities = append(cs.identities, id)
	}
	if s.Checks.Ledger != "" {
		l, errs := LoadLedger(s.SourcePath(s.Checks.Ledger), s.Checks.Ledger)
		for _, err := range errs {
			bad("$.checks.ledger", "%v", err)
		}
		cs.ledger = l
	}
	for i := range s.Sources {
		src := &s.Sources[i]
		p := fmt.Sprintf("$.sources[%d]", i)
		for j, l := range src.Levels {
			if l.Match != "" && l.Value != "" {
				bad(fmt.Sprintf("%s.levels[%d]", p, j), "levels[%d] takes value: or match:, not both", j)
			}
			if l.Match != "" {
				if _, err := path.Match(l.Match, ""); err != nil {
					bad(fmt.Sprintf("%s.levels[%d].match", p, j), "pattern %q: %v", l.Match, err)
				}
			}
		}
		for _, f := range src.FillDown {
			if strings.TrimSpace(f) == "" {
				bad(p+".fill_down", "fill_down names an empty column")
			}
		}
		if src.Reference && src.Unit != nil {
			// Allowed: a one-unit summary. Nothing to check.
			continue
		}
		// Declared protocol lines are figures, never options.
		for _, x := range cs.extra {
			src.Columns.Ignore = append(src.Columns.Ignore, x.header)
		}
	}
	s.checks = cs
}

func (cs *checkSet) extraNames() []string {
	out := make([]string, len(cs.extra))
	for i, x := range cs.extra {
		out[i] = x.name
	}
	return out
}

// numExtra returns how many protocol lines beyond the standard ones a
// spec declares.
func (s *Spec) numExtra() int {
	if s.checks == nil {
		return 0
	}
	return len(s.checks.extra)
}

// matches reports whether a cell satisfies a level rule: equal to Value,
// or matching the Match pattern.
func (r LevelRule) matches(cell string) bool {
	if r.Match != "" {
		ok, err := path.Match(r.Match, cell)
		return err == nil && ok
	}
	return cell == r.Value
}

// columnLetter reads a column given by its spreadsheet letters, "$C", as
// specs name columns that have no header. It returns the 0-based index.
func columnLetter(name string) (int, bool) {
	if len(name) < 2 || len(name) > 4 || name[0] != '$' {
		return 0, false
	}
	n := 0
	for _, c := range name[1:] {
		switch {
		case c >= 'A' && c <= 'Z':
			n = n*26 + int(c-'A'+1)
		case c >= 'a' && c <= 'z':
			n = n*26 + int(c-'a'+1)
		default:
			return 0, false
		}
	}
	return n - 1, true
}

// tableCols caches, per table, the columns a source reader needs besides
// the column map: fill_down columns and the spec's extra figures.
type tableCols struct {
	table *sources.Table
	fill  []int
	extra []int
	figs  []figCol // the figures the table has, in Figure order
	last  []string // the last non-blank value of each fill column
	// parentIsName says the parent column holds names that group units
	// (a county) rather than references to other rows' ids ("gehört zu").
	parentIsName bool
	// tp is the state of a transposed table (transposed.go).
	tp *transposed
	// figPos is the position of each figure's cell in row 0 for the
	// column map figPosOf: a unit's figures are at its row's.
	figPos   [numFigures]report.Position
	figPosOf *ColumnMap
}

// figurePos returns the positions of the figures' cells in row 0: a
// unit's figures are at its row's.
func (sr *sourceReader) figurePos(tc *tableCols) *[numFigures]report.Position {
	if tc.figPosOf != sr.cols {
		for f := range numFigures {
			tc.figPos[f] = tablePos(sr.table, 0, sr.col(figureRoles[f]))
		}
		tc.figPosOf = sr.cols
	}
	return &tc.figPos
}

func (sr *sourceReader) colsFor(t *sources.Table) *tableCols {
	if sr.tc != nil && sr.tc.table == t {
		return sr.tc
	}
	tc := &tableCols{table: t}
	for _, f := range sr.src.FillDown {
		if i := findHeader(t.Columns, f); i >= 0 {
			tc.fill = append(tc.fill, i)
		}
	}
	tc.last = make([]string, len(tc.fill))
	for f := range numFigures {
		if c := sr.col(figureRoles[f]); c >= 0 {
			tc.figs = append(tc.figs, figCol{f, c})
		}
	}
	if ref := sr.cols.col(RoleParent); ref >= 0 && ref < len(t.Columns) {
		tc.parentIsName = !isParentRef(t.Columns[ref])
	}
	if cs := sr.r.spec.checks; cs != nil {
		for _, x := range cs.extra {
			tc.extra = append(tc.extra, findHeader(t.Columns, x.header))
		}
	}
	sr.tc = tc
	return tc
}

// fillDown gives the blank cells of the spec's fill_down columns the value
// last seen above them in the same table. A row that totals others breaks
// the run: the unit above it does not carry on below.
func (sr *sourceReader) fillDown(row *sources.Row) {
	tc := sr.colsFor(sr.table)
	if len(tc.fill) == 0 {
		return
	}
	cells := row.Cells
	copied := false
	for k, c := range tc.fill {
		v := strings.TrimSpace(row.Cell(c))
		if v != "" {
			if ReadsAsTotal(v) {
				tc.last[k] = ""
			} else {
				tc.last[k] = v
			}
			continue
		}
		if tc.last[k] == "" {
			continue
		}
		if !copied {
			n := max(len(cells), c+1)
			for _, c2 := range tc.fill {
				n = max(n, c2+1)
			}
			cells = append(make([]string, 0, n), row.Cells...)
			cells = cells[:n]
			copied = true
		}
		cells[c] = tc.last[k]
	}
	row.Cells = cells
}

// extraFigures reads the spec's extra protocol lines from a row; ok is
// false when a cell is not a count and the row has been rejected.
func (sr *sourceReader) extraFigures(row sources.Row) ([]figure, bool) {
	tc := sr.colsFor(sr.table)
	if len(tc.extra) == 0 {
		return nil, true
	}
	out := make([]figure, len(tc.extra))
	for i, c := range tc.extra {
		v, ok := sr.count(row, c)
		if !ok {
			return nil, false
		}
		out[i] = figure{v: v, pos: sr.pos(row, c)}
	}
	return out, true
}

// mergeExtra fills the figures a unit lacks from a later row of it.
func mergeExtra(have, more []figure) []figure {
	if len(have) == 0 {
		return more
	}
	for i := range have {
		if i < len(more) && !have[i].v.ok && more[i].v.ok {
			have[i] = more[i]
		}
	}
	return have
}

// figureName names value k of a unit: a standard figure, an extra one, or
// an option's votes.
func (s *Spec) figureName(k int) string {
	if k < int(numFigures) {
		return figureNames[k]
	}
	if s.checks != nil && k-int(numFigures) < len(s.checks.extra) {
		return s.checks.extra[k-int(numFigures)].name
	}
	return fmt.Sprintf("figure %d", k)
}

var _ = report.Error

// checksFingerprint says what, besides the spec and the inputs, decides
// the findings: the ledger's content and, when an entry can expire, the
// date the run takes as today.
func (s *Spec) checksFingerprint(today string) string {
	if s.checks == nil || s.checks.ledger == nil {
		return "-"
	}
	l := s.checks.ledger
	expiring := false
	for _, e := range l.Entries {
		expiring = expiring || e.Expires != ""
	}
	if !expiring {
		today = ""
	}
	return fmt.Sprintf("ledger %s today %q", l.SHA256, today)
}
