package sources

import (
	"context"
	"io"
	"strings"
	"unicode"
)

// Table is one table found in a sheet or text file: where its header is and
// the name of each column.
type Table struct {
	File       string
	Sheet      string
	HeaderRows []int    // row numbers of the header rows (one or several)
	Columns    []string // one name per column; multi-row headers joined with " / "
}

// TableBatch is a run of data rows of one table. Header rows, and rows
// before the header (titles, notes), are not data rows; they are counted in
// the reader's Stats.
type TableBatch struct {
	Table *Table
	Rows  []Row
}

// TableOptions say where headers are, when the sniffer should not guess.
type TableOptions struct {
	// HeaderRow is the 1-based row number of the (first) header row; 0
	// detects it.
	HeaderRow int
	// HeaderRows is how many rows the header spans; 0 detects it.
	HeaderRows int
}

// Stats counts what a TableReader has seen, so that every input row can be
// accounted for: Rows = DataRows + HeaderRows + Preamble + Blank.
type Stats struct {
	Rows       int // every row read from the source
	DataRows   int // rows handed on as data
	HeaderRows int // header rows, including headers repeated inside the data
	Preamble   int // non-blank rows above a header (titles, notes)
	Blank      int // blank rows
}

// TableReader finds the header of each sheet of a Source and hands on its
// data rows.
type TableReader struct {
	src   Source
	opt   TableOptions
	stats Stats

	file, sheet string
	started     bool
	table       *Table
	pending     []Row // copied rows held while the header is not settled
	carry       *Batch
	eof         bool
	out         TableBatch
}

// headerWindow is how many rows of a sheet are examined to find its header.
const headerWindow = 64

// NewTableReader wraps src. The reader owns src and closes it.
func NewTableReader(src Source, opt TableOptions) *TableReader {
	return &TableReader{src: src, opt: opt}
}

// Stats returns the counts so far.
func (t *TableReader) Stats() Stats { return t.stats }

// Close closes the underlying source.
func (t *TableReader) Close() error { return t.src.Close() }

// Next returns the next batch of data rows, or io.EOF. The batch is valid
// until the next call; all its rows belong to one table.
func (t *TableReader) Next(ctx context.Context) (*TableBatch, error) {
	t.out = TableBatch{Table: t.table, Rows: t.out.Rows[:0]}
	for {
		b := t.carry
		t.carry = nil
		if b == nil && !t.eof {
			nb, err := t.src.Next(ctx)
			switch {
			case err == io.EOF:
				t.eof = true
			case err != nil:
				return nil, err
			default:
				b = nb
				t.stats.Rows += len(nb.Rows)
			}
		}
		if b == nil {
			t.settle()
			if len(t.out.Rows) > 0 {
				return &t.out, nil
			}
			return nil, io.EOF
		}
		if !t.started || b.File != t.file || b.Sheet != t.sheet {
			t.settle()
			if len(t.out.Rows) > 0 {
				// Finish the previous sheet's table first; keep this batch.
				t.carry = copyBatch(b)
				return &t.out, nil
			}
			t.started, t.file, t.sheet, t.table = true, b.File, b.Sheet, nil
			t.out.Table = nil
		}
		for _, r := range b.Rows {
			if t.table == nil {
				t.pending = append(t.pending, Row{Num: r.Num, Cells: append([]string(nil), r.Cells...)})
				if len(t.pending) >= headerWindow {
					t.settle()
				}
				continue
			}
			t.addData(r)
		}
		if len(t.out.Rows) > 0 {
			return &t.out, nil
		}
	}
}

func copyBatch(b *Batch) *Batch {
	c := &Batch{File: b.File, Sheet: b.Sheet, Rows: make([]Row, len(b.Rows))}
	for i, r := range b.Rows {
		c.Rows[i] = Row{Num: r.Num, Cells: append([]string(nil), r.Cells...)}
	}
	return c
}

// settle decides the header of the current sheet from the pending rows and
// moves the rows below it to the output.
func (t *TableReader) settle() {
	if t.table != nil || len(t.pending) == 0 {
		return
	}
	rows := t.pending
	t.pending = nil
	start, n := t.opt.HeaderRow, t.opt.HeaderRows
	hi := -1 // index of the first header row in rows
	if start > 0 {
		for i, r := range rows {
			if r.Num == start {
				hi = i
				break
			}
		}
	}
	if hi < 0 {
		hi, n = DetectHeader(rows, n)
	}
	if n <= 0 {
		n = 1
	}
	if hi+n > len(rows) {
		n = len(rows) - hi
	}
	t.table = &Table{File: t.file, Sheet: t.sheet, Columns: JoinHeader(rows[hi : hi+n])}
	for _, r := range rows[hi : hi+n] {
		t.table.HeaderRows = append(t.table.HeaderRows, r.Num)
	}
	t.out.Table = t.table
	for _, r := range rows[:hi] {
		if r.Blank() {
			t.stats.Blank++
		} else {
			t.stats.Preamble++
		}
	}
	t.stats.HeaderRows += n
	for _, r := range rows[hi+n:] {
		t.addData(r)
	}
}

func (t *TableReader) addData(r Row) {
	switch {
	case r.Blank():
		t.stats.Blank++
	case t.repeatsHeader(r):
		t.stats.HeaderRows++
	default:
		t.stats.DataRows++
		t.out.Rows = append(t.out.Rows, r)
	}
}

func (t *TableReader) repeatsHeader(r Row) bool {
	cols := t.table.Columns
	if len(cols) < 2 || len(t.table.HeaderRows) != 1 {
		return false
	}
	same := 0
	for i, c := range r.Cells {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if i >= len(cols) || c != cols[i] {
			return false
		}
		same++
	}
	return same >= 2
}

// DetectHeader finds the header among the first rows of a table: the first
// row with at least two cells that holds mostly words, not numbers, and
// that is followed by rows holding numbers. Rows above it (titles, notes,
// blanks) are not part of the table. When want is 0 the header extends
// over the following word-only rows (a multi-row header); otherwise it spans
// want rows. It returns the index in rows and the number of header rows.
func DetectHeader(rows []Row, want int) (index, n int) {
	kinds := make([]rowShape, len(rows))
	for i, r := range rows {
		kinds[i] = shapeOf(r)
	}
	index = -1
	for i, k := range kinds {
		if k.filled >= 2 && k.words*2 >= k.filled && k.words >= 2 && dataFollows(kinds, i+1) {
			index = i
			break
		}
	}
	if index < 0 {
		// No word row above numbers: the first row with two cells or more.
		for i, k := range kinds {
			if k.filled >= 2 {
				index = i
				break
			}
		}
	}
	if index < 0 {
		index = 0
	}
	if want > 0 {
		return index, want
	}
	n = 1
	for j := index + 1; j < len(kinds) && j < index+4; j++ {
		k := kinds[j]
		if k.filled == 0 || k.numbers > 0 && k.numbers*2 >= k.filled {
			break
		}
		if k.numbers > 0 && !onlyColumnNumbers(rows[j]) {
			break
		}
		n++
	}
	return index, n
}

type rowShape struct{ filled, words, numbers int }

func shapeOf(r Row) rowShape {
	var s rowShape
	for _, c := range r.Cells {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		s.filled++
		if LooksNumeric(c) {
			s.numbers++
		} else if hasLetter(c) {
			s.words++
		}
	}
	return s
}

func dataFollows(kinds []rowShape, from int) bool {
	for j := from; j < len(kinds) && j < from+8; j++ {
		if kinds[j].numbers > 0 && kinds[j].numbers*3 >= kinds[j].filled {
			return true
		}
	}
	return false
}

// onlyColumnNumbers reports a row such as "1 2 3 4" under a header: column
// numbers that commissions print below their headers.
func onlyColumnNumbers(r Row) bool {
	want := 0
	for _, c := range r.Cells {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		want++
		if c != itoa(want) {
			return false
		}
	}
	return want > 1
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// LooksNumeric reports whether s reads as a number in some locale: digits
// with optional sign, separators (space, no-break and thin spaces, comma,
// dot, apostrophe), a percent sign, or a dash standing for a missing value.
func LooksNumeric(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" \u00a0\u2009\u202f,.'’%+-–−", r):
		default:
			return false
		}
	}
	return digits > 0 || s == "-" || s == "–"
}

// JoinHeader makes one name per column from one or more header rows. In a
// multi-row header an empty cell of an upper row takes the text to its left
// (a merged cell spanning columns), and the parts of a column are joined
// with " / ". Empty names stay empty.
func JoinHeader(rows []Row) []string {
	width := 0
	for _, r := range rows {
		width = max(width, len(r.Cells))
	}
	names := make([]string, width)
	for ri, r := range rows {
		last := ""
		for c := 0; c < width; c++ {
			v := strings.Join(strings.Fields(r.Cell(c)), " ")
			if v == "" && ri < len(rows)-1 && c > 0 && belowFilled(rows[ri+1:], c) {
				v = last // merged across
			}
			if v != "" {
				last = v
			} else if ri < len(rows)-1 {
				last = ""
			}
			if v == "" || strings.HasSuffix(names[c], v) {
				continue
			}
			if names[c] != "" {
				names[c] += " / "
			}
			names[c] += v
		}
	}
	return names
}

func belowFilled(rows []Row, c int) bool {
	for _, r := range rows {
		if strings.TrimSpace(r.Cell(c)) != "" {
			return true
		}
	}
	return false
}
