package pipeline

import (
	"path/filepath"
	"strconv"
	"strings"

	"tally/sources"
)

// Levels tally gives rows that total others. Neither is counted with the
// units they total: a contest's figures come from its most detailed level.
const (
	LevelTotal    = "total"    // the whole table (national, "TOTALS", "Итого")
	LevelSubtotal = "subtotal" // one section of the table ("Województwo razem")
)

// totalNameWords, found as whole words anywhere in a unit's name, mark a row
// that totals others.
var totalNameWords = []string{"total", "totals", "grand total", "итого", "всего", "итог", "барлығы", "барлыгы", "жиыны", "жалпы", "insgesamt", "gesamt", "summe", "razem", "ogółem", "ogolem", "suma", "totaux", "sum"}

var foldedTotalWords = func() []string {
	out := make([]string, len(totalNameWords))
	for i, w := range totalNameWords {
		out[i] = FoldName(w)
	}
	return out
}()

// ReadsAsTotal reports whether a unit name reads as a row totalling
// others: "TOTALS", "Total Votes", "POLSKA OGÓŁEM", "Итого по области",
// "Województwo razem".
func ReadsAsTotal(name string) bool {
	if !hasLetter(name) {
		// Every total word has letters; station numbers have none, and
		// folding adds none to ASCII.
		return false
	}
	n := FoldName(name)
	for _, w := range foldedTotalWords {
		if wholeWord(n, w) {
			return true
		}
	}
	return false
}

// hasLetter reports whether a folded name may hold a letter: an ASCII
// letter, or any byte of a multi-byte character.
func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false
}

func wholeWord(h, w string) bool {
	for i := 0; ; {
		j := strings.Index(h[i:], w)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(w)
		if (j == 0 || !isWordByte(h, j-1)) && (end == len(h) || !isWordByte(h, end)) {
			return true
		}
		i = j + 1
	}
}

// unitOf names the unit a row reports: its id, name, parent and level.
//
// A unit named by several columns (region, district, station) gets an id
// made of all of them, since station numbers repeat across districts; a
// row under a section label (Row.Group) gets the label as its parent and
// in its id. A row that reads as a total is a subtotal of its section, or
// the table's total when there is no section.
func (sr *sourceReader) unitOf(row sources.Row) (id, name, parent, level string) {
	if sr.cols.Layout == "wide" {
		// Each row of a wide table is a unit of its own: there is no run
		// of rows naming the same one to remember.
		return sr.nameUnit(row)
	}
	u := &sr.unitMemo
	if u.table != sr.table || u.cols != sr.cols {
		*u = unitMemo{table: sr.table, cols: sr.cols, in: unitCells(sr.cols), parentRaw: u.parentRaw, parentSlug: u.parentSlug}
	}
	if u.valid && u.group == row.Group && u.same(row) {
		return u.id, u.name, u.parent, u.level
	}
	id, name, parent, level = sr.nameUnit(row)
	// A unit named by its row number is never the next row's unit.
	u.valid = !strings.HasPrefix(id, "row-")
	u.group, u.id, u.name, u.parent, u.level = row.Group, id, name, parent, level
	u.cells = u.cells[:0]
	for _, c := range u.in {
		u.cells = append(u.cells, row.Cell(c))
	}
	return id, name, parent, level
}

// unitMemo remembers the unit of the last row: consecutive rows of a long
// table repeat the same unit cells, and naming a unit (folding,
// transliterating) costs more than comparing them.
type unitMemo struct {
	table                   *sources.Table
	cols                    *ColumnMap
	in                      []int    // the columns nameUnit reads
	cells                   []string // their texts in the last row
	group                   string
	valid                   bool
	id, name, parent, level string
	parentRaw, parentSlug   string // the last parent name and its slug
}

// parentSlug is Slug of a parent name. Rows of one district mostly follow
// each other, so the last one is tried first; a table whose rows come in
// another order names few parents many times, so the slugs of up to
// maxParentSlugs names are kept too.
func (sr *sourceReader) parentSlug(p string) string {
	u := &sr.unitMemo
	if u.parentRaw == p && u.parentSlug != "" {
		return u.parentSlug
	}
	s, ok := sr.parentSlugs[p]
	if !ok {
		if len(sr.parentSlugs) >= maxParentSlugs || sr.parentSlugs == nil {
			sr.parentSlugs = make(map[string]string, 64)
		}
		s = Slug(p)
		sr.parentSlugs[p] = s
	}
	u.parentRaw, u.parentSlug = p, s
	return s
}

// maxParentSlugs bounds the parent names whose slugs a source keeps.
const maxParentSlugs = 4096

// unitCells lists the columns whose cells name a row's unit (columns the
// table lacks, -1, read as "" in every row and are left out).
func unitCells(m *ColumnMap) []int {
	all := []int{m.col(RoleUnitID), m.col(RoleUnitName), m.col(RoleParent), m.keyID}
	all = append(all, m.Keys...)
	all = append(all, m.levelCols...)
	in := all[:0]
	for _, c := range all {
		if c >= 0 {
			in = append(in, c)
		}
	}
	return in
}

func (u *unitMemo) same(row sources.Row) bool {
	for i, c := range u.in {
		if row.Cell(c) != u.cells[i] {
			return false
		}
	}
	return true
}

// nameUnit is unitOf without the memo.
func (sr *sourceReader) nameUnit(row sources.Row) (id, name, parent, level string) {
	m := sr.cols
	id = strings.TrimSpace(row.Cell(m.col(RoleUnitID)))
	name = strings.TrimSpace(row.Cell(m.col(RoleUnitName)))
	level = sr.src.UnitLevel
	ref := m.col(RoleParent)
	if ref >= 0 {
		if p := strings.TrimSpace(row.Cell(ref)); p != "" {
			parent = sr.parentSlug(p)
		}
	}
	// A parent column of names (a county, not a reference to another
	// row's id) groups units: their ids are unique only within it, so the
	// id is "parent/id" ('/' cannot occur in a slug, so no unit of one
	// county takes the id of another county), and a row labelled only
	// there may total it ("Allen County Total").
	byName := ref >= 0 && sr.colsFor(sr.table).parentIsName
	if byName && id == "" && name == "" && ReadsAsTotal(row.Cell(ref)) {
		name, parent = strings.TrimSpace(row.Cell(ref)), ""
	}
	total := ReadsAsTotal(name) || id != name && ReadsAsTotal(id)
	if len(m.Keys) > 0 && id == "" && name == "" {
		var vals []string
		idCol := m.keyID
		for _, k := range m.Keys {
			v := strings.TrimSpace(row.Cell(k))
			if v == "" || isDashCell(v) {
				continue
			}
			total = total || ReadsAsTotal(v)
			vals = append(vals, v)
		}
		if len(vals) > 0 {
			name = strings.Join(vals, ", ")
			keyed := false
			if ref >= 0 && idCol >= 0 && strings.TrimSpace(row.Cell(idCol)) != "" {
				// Rows name their parent by its number: the number is the id.
				id = Slug(row.Cell(idCol))
			} else {
				id = Slug(strings.Join(vals, " "))
				keyed = true
			}
			if parent == "" && len(vals) > 1 {
				parent = Slug(strings.Join(vals[:len(vals)-1], " "))
				if keyed {
					// "parent/last", as for a parent column of names: joined
					// with '-', precinct 2 of "Esil district" would take the
					// id of a district named "Esil district 2".
					id = parent + "/" + Slug(vals[len(vals)-1])
				}
			}
		}
	}
	switch {
	case id == "" && name == "" && sr.src.Unit != nil:
		id, name = sr.src.Unit.ID, sr.src.Unit.Name
		if level == "" {
			level = "nation"
		}
	case id == "" && name == "":
		if m.Layout == "long" {
			// A long table with no unit column reports one unit.
			base := sr.table.Sheet
			if base == "" {
				base = strings.TrimSuffix(filepath.Base(sr.table.File), filepath.Ext(sr.table.File))
			}
			id, name = Slug(base), base
		} else {
			id = "row-" + strconv.Itoa(row.Num)
			name = id
		}
	case id == "":
		id = Slug(name)
	case name == "":
		name = id
	}
	if byName && parent != "" && !total && sr.src.Unit == nil {
		id = parent + "/" + Slug(id)
	}
	switch {
	case total && row.Group != "":
		return Slug(row.Group), row.Group, "", LevelSubtotal
	case total:
		prefix := Slug(sr.table.Sheet)
		if sr.table.Title != "" && sr.table.Block > 1 || sr.src.ContestFrom == "title" {
			// Stacked tables each have their total.
			prefix = strings.Trim(prefix+"-"+Slug(sr.table.Title), "-")
		}
		return strings.Trim(prefix+"-"+Slug(name), "-"), name, "", LevelTotal
	}
	if row.Group != "" {
		g := Slug(row.Group)
		id = g + "-" + id
		if parent == "" || len(m.Keys) > 1 {
			parent = g
		}
	}
	if lv, i := m.levelOf(sr.src.Levels, row); lv != "" {
		level = lv
		id = lv + "-" + id
		if parent != "" && i > 0 && ref >= 0 {
			parent = sr.src.Levels[i-1].Level + "-" + parent
		} else if i == 0 {
			parent = ""
		}
	}
	if level == "" {
		level = "precinct"
	}
	return id, name, parent, level
}

// levelOf applies the spec's level rules to a row: the level and the index
// of the rule, or "" when there are no rules.
func (m *ColumnMap) levelOf(rules []LevelRule, row sources.Row) (string, int) {
	for i, r := range rules {
		if r.Column == "" {
			return r.Level, i
		}
		c := -1
		if i < len(m.levelCols) {
			c = m.levelCols[i]
		}
		if c >= 0 && r.matches(strings.TrimSpace(row.Cell(c))) {
			return r.Level, i
		}
	}
	return "", -1
}

func isDashCell(s string) bool {
	switch s {
	case "-", "–", "—", "−":
		return true
	}
	return false
}
