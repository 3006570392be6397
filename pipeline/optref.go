package pipeline

import (
	"tally/report"
	"tally/sources"
)

// optEntry is an option as a run's results refer to it: one shared value
// per distinct option, numbered in the order first met. The per-result
// work (a contest's sums, the kept unit records) indexes slices by the
// number instead of hashing the option's id, and a result carries one
// pointer instead of four strings.
type optEntry struct {
	Option
	no   int32 // index in the run's optTable
	idNo int32 // the same for entries of the same option id
}

// optTable interns the options of a run.
type optTable struct {
	byVal map[Option]*optEntry
	byID  map[string]int32
	list  []*optEntry
}

// ref returns the entry of o, adding it when new.
func (t *optTable) ref(o Option) *optEntry {
	if e, ok := t.byVal[o]; ok {
		return e
	}
	if t.byVal == nil {
		t.byVal = map[Option]*optEntry{}
		t.byID = map[string]int32{}
	}
	id, ok := t.byID[o.ID]
	if !ok {
		id = int32(len(t.byID))
		t.byID[o.ID] = id
	}
	e := &optEntry{Option: o, no: int32(len(t.list)), idNo: id}
	t.byVal[o] = e
	t.list = append(t.list, e)
	return e
}

// optIndex gives option entries a dense index of their own (a contest's
// or a unit store's options, in the order they first met them), one per
// option id: entries that differ only in kind or party share an id number,
// and so an index.
type optIndex struct {
	idx []int32 // by entry id number: index + 1, 0 for an id not yet met
}

// get returns e's index and whether it is new; add is the index a new id
// gets.
func (m *optIndex) get(e *optEntry, add int) (int, bool) {
	if int(e.idNo) < len(m.idx) {
		if i := m.idx[e.idNo]; i > 0 {
			return int(i - 1), false
		}
	}
	for int(e.idNo) >= len(m.idx) {
		m.idx = append(m.idx, 0)
	}
	m.idx[e.idNo] = int32(add + 1)
	return add, true
}

// tablePos is the position of a cell of table t: col is 0-based, and -1
// for the row as a whole.
func tablePos(t *sources.Table, row, col int) report.Position {
	p := report.Position{File: t.File, Sheet: t.Sheet, Row: row}
	if col >= 0 {
		p.Column = col + 1
		if col < len(t.Columns) {
			p.Header = t.Columns[col]
		}
	}
	return p
}

// colNum is the 1-based column of a 0-based one, and 0 for none.
func colNum(col int32) int {
	if col < 0 {
		return 0
	}
	return int(col) + 1
}
