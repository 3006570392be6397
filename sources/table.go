package sources

import (
	"context"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Table is one table found in a sheet or text file: where its header is and
// the name of each column. A sheet may hold several tables stacked one
// under another (a new header row starts a new table); Block numbers them.
type Table struct {
	File       string
	Sheet      string
	Block      int      // 1-based index of the table within its sheet
	Title      string   // the one-cell row just above the header, if any ("Presidential Electors")
	HeaderRows []int    // row numbers of the header rows (one or several)
	Columns    []string // one name per column; multi-row headers joined with " / "
	// Parts holds, per column, the texts of its header rows from top to
	// bottom, merged cells filled across; Columns[i] is Parts[i] joined.
	Parts [][]string
	Kinds []ColumnKind // what the first data rows hold in each column
	// Sample holds copies of the first data rows (up to SampleRows), for
	// mapping columns by their content and for `tally inspect`.
	Sample []Row
}

// SampleRows is how many data rows a Table keeps in Sample.
const SampleRows = 32

// ColumnKind is what the cells of a column hold, judged from the sample.
type ColumnKind int

const (
	KindEmpty        ColumnKind = iota // no values in the sample
	KindNumber                         // counts or decimals, grouped in any locale
	KindPercent                        // numbers with a percent sign
	KindCountPercent                   // "216 - 17.73%": a count and its percent in one cell
	KindText                           // names, codes with letters
)

var kindNames = [...]string{"empty", "number", "percent", "count-percent", "text"}

func (k ColumnKind) String() string { return kindNames[k] }

// Numeric reports whether the kind holds figures.
func (k ColumnKind) Numeric() bool {
	return k == KindNumber || k == KindPercent || k == KindCountPercent
}

// TableBatch is a run of data rows of one table. Header rows, and rows
// before the header (titles, notes), are not data rows; they are counted in
// the reader's Stats.
type TableBatch struct {
	Table *Table
	Rows  []Row

	cells cellHold // keeps the source from reusing the rows' cells, when reading ahead
}

// TableOptions say where headers are, when the sniffer should not guess.
type TableOptions struct {
	// HeaderRow is the 1-based row number of the (first) header row; 0
	// detects it.
	HeaderRow int
	// HeaderRows is how many rows the header spans; 0 detects it.
	HeaderRows int
	// Ahead reads the source and finds tables on a goroutine of their
	// own, up to this many batches ahead of the caller, so that parsing
	// and the caller's work use two cores. Batches, tables and stats are
	// the same as without it.
	Ahead int
}

// Stats counts what a TableReader has seen, so that every input row can be
// accounted for: Rows = DataRows + HeaderRows + Preamble + Blank.
type Stats struct {
	Rows       int // every row read from the source
	DataRows   int // rows handed on as data
	HeaderRows int // header rows, including headers repeated inside the data and rows of column numbers
	Preamble   int // other non-blank rows: titles, notes, footnotes and section labels
	Blank      int // blank rows
}

// TableReader finds the tables of each sheet of a Source and hands on
// their data rows.
//
// Inside a table it tells apart, besides data rows: blank rows; a repeat
// of the header; a row with a single text cell, which labels the data rows
// below it (a section such as "WOJEWÓDZTWO DOLNOŚLĄSKIE", handed on as
// Row.Group) or, with no data below, is a note; and a row of words in the
// columns that hold numbers, which starts a new table (the title row above
// it, if any, becomes Table.Title).
type TableReader struct {
	src   Source
	opt   TableOptions
	stats Stats

	file, sheet string
	started     bool
	block       int
	table       *Table
	pending     []Row // copied rows held while a header is not settled
	hold        []Row // copied one-cell rows after data, waiting for what follows them
	group       string
	eof         bool
	segs        []TableBatch // output ready to hand on, oldest first
	cur         TableBatch
	rows        []Row // the data rows of the segments being filled, in one array
	segStart    int   // where the last segment's rows start in rows
	batchLen    int   // rows in the source's batch being read
	fresh       bool  // the source's batches never share their Rows arrays

	ahead chan aheadItem // batches read ahead, when opt.Ahead > 0
	stop  chan struct{}  // closed by Close to end the goroutine reading ahead
	gone  chan struct{}  // closed when that goroutine has returned
	err   error          // the error that ended reading ahead
	out   TableBatch     // the batch Next handed out when reading ahead

	numFor  *Table   // the table numCols and head0 are of
	numCols []int    // its columns of numbers (numericCols)
	head0   [2]int16 // the bytes a first cell may start with in a repeat of its header, -1 for none (dataRow)
}

type aheadItem struct {
	b   TableBatch
	err error
}

// headerWindow is how many rows of a table are examined to find its header.
const headerWindow = 64

// NewTableReader wraps src. The reader owns src and closes it.
func NewTableReader(src Source, opt TableOptions) *TableReader {
	_, fresh := src.(freshRows)
	return &TableReader{src: src, opt: opt, fresh: fresh}
}

// freshRows is implemented by a Source whose batches each have a Rows
// array of their own, which it never writes again once handed out: a
// TableReader hands on runs of data rows in that array instead of
// copying them.
type freshRows interface{ freshRows() }

// cellReuser is implemented by a Source that reuses the arrays its rows'
// cells are in: keepCells keeps the array of the batch Next returned last
// from reuse until the hold it returns is released (nil when there is
// nothing to keep). A TableReader reading ahead hands a batch's rows on
// after the source has been asked for later batches, and keeps their
// cells until its caller is done with them.
type cellReuser interface{ keepCells() cellHold }

// A cellHold keeps an array of cells from reuse until released.
type cellHold interface{ release() }

// keepCells keeps the cells of the source's batch being read for a run
// of its rows handed on, when reading ahead.
func (t *TableReader) keepCells() cellHold {
	if t.opt.Ahead <= 0 {
		return nil // the caller is done with a batch when it asks for the next
	}
	if r, ok := t.src.(cellReuser); ok {
		return r.keepCells()
	}
	return nil
}

// Stats returns the counts so far.
func (t *TableReader) Stats() Stats { return t.stats }

// Close closes the underlying source.
func (t *TableReader) Close() error {
	if t.stop != nil {
		close(t.stop)
		<-t.gone
		t.stop = nil
	}
	return t.src.Close()
}

// Next returns the next batch of data rows, or io.EOF. The batch is valid
// until the next call; all its rows belong to one table. Stats are final
// once Next has returned io.EOF.
func (t *TableReader) Next(ctx context.Context) (*TableBatch, error) {
	if t.opt.Ahead <= 0 {
		return t.next(ctx)
	}
	if t.err != nil {
		return nil, t.err
	}
	if t.ahead == nil {
		t.ahead = make(chan aheadItem, t.opt.Ahead)
		t.stop, t.gone = make(chan struct{}), make(chan struct{})
		go t.readAhead(ctx)
	}
	select {
	case it := <-t.ahead:
		if t.out.cells != nil {
			// The caller is done with the batch handed out last.
			t.out.cells.release()
			t.out.cells = nil
		}
		if it.err != nil {
			t.err = it.err
			return nil, it.err
		}
		t.out = it.b
		return &t.out, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// readAhead runs next on its own goroutine. A batch is handed on only
// once its table is settled: its sample rows are all taken (or the table
// has ended), so the caller never sees a table that is still changing.
// Rows of a batch stay valid after the following call, since each
// segment has its own rows and keeps the cells of its source's batch
// (keepCells) until the call after the one that handed it out.
func (t *TableReader) readAhead(ctx context.Context) {
	defer close(t.gone)
	var queue []TableBatch
	send := func(it aheadItem) bool {
		select {
		case t.ahead <- it:
			return true
		case <-t.stop:
			return false
		}
	}
	for {
		b, err := t.next(ctx)
		if err != nil {
			for _, q := range queue {
				if !send(aheadItem{b: q}) {
					return
				}
			}
			send(aheadItem{err: err})
			return
		}
		queue = append(queue, *b)
		for len(queue) > 0 {
			tb := queue[0].Table
			if len(tb.Sample) < SampleRows && tb == t.table && !t.eof {
				break
			}
			if !send(aheadItem{b: queue[0]}) {
				return
			}
			queue = queue[1:]
		}
	}
}

func (t *TableReader) next(ctx context.Context) (*TableBatch, error) {
	for len(t.segs) == 0 {
		if t.eof {
			return nil, io.EOF
		}
		b, err := t.src.Next(ctx)
		if err == io.EOF {
			t.eof = true
			t.endSheet()
			continue
		}
		if err != nil {
			return nil, err
		}
		t.stats.Rows += len(b.Rows)
		// The segments cut from this batch share one array of rows,
		// made when a row is first copied there (the segments before
		// were all handed on, and their callers may still hold them).
		t.rows, t.segStart, t.batchLen = nil, 0, len(b.Rows)
		if !t.started || b.File != t.file || b.Sheet != t.sheet {
			t.endSheet()
			t.started, t.file, t.sheet, t.block, t.table, t.group = true, b.File, b.Sheet, 0, nil, ""
		}
		rows := b.Rows
		if t.fresh {
			rows = rows[t.dataRun(rows):]
		}
		for _, r := range rows {
			t.feed(r, false)
		}
		t.cut()
	}
	t.cur = t.segs[0]
	t.segs = t.segs[1:]
	return &t.cur, nil
}

// cut closes the segment being filled, so that rows of the source's batch
// are handed on before the source reuses it.
func (t *TableReader) cut() {
	if len(t.segs) > 0 && len(t.segs[len(t.segs)-1].Rows) == 0 {
		t.segs = t.segs[:len(t.segs)-1]
	}
}

func (t *TableReader) endSheet() {
	for t.table == nil && len(t.pending) > 0 {
		t.settle()
	}
	t.flushHold(false)
	t.cut()
}

func copyRow(r Row) Row {
	return Row{Num: r.Num, Cells: append([]string(nil), r.Cells...), Group: r.Group}
}

// feed takes one row; owned says whether r's slices may be kept.
func (t *TableReader) feed(r Row, owned bool) {
	if t.table == nil {
		if !owned {
			r = copyRow(r)
		}
		t.pending = append(t.pending, r)
		if len(t.pending) >= headerWindow {
			t.settle()
		}
		return
	}
	if t.dataRow(r) {
		// Most rows: dataRow's shortcuts spare them the tests below.
		t.flushHold(true)
		r.Group = t.group
		t.emit(r)
		return
	}
	if r.Blank() {
		t.stats.Blank++
		return
	}
	repeats := t.repeatsHeader(r)
	switch {
	case onlyColumnNumbers(r), repeats && len(t.hold) == 0:
		t.stats.HeaderRows++
	case repeats || t.startsTable(r):
		// A header under a title row starts a table of its own, even with
		// the same columns (a second referendum question, YES / NO).
		// A new table: its title rows and header go back to the header
		// finder.
		held := t.hold
		t.hold = nil
		t.table, t.group = nil, ""
		t.pending = append(t.pending, held...)
		if !owned {
			r = copyRow(r)
		}
		t.feed(r, true)
	case labelRow(r):
		if !owned {
			r = copyRow(r)
		}
		t.hold = append(t.hold, r)
		if len(t.hold) > headerWindow {
			// A long run of one-cell rows is notes; only the last can
			// still turn out to label a section.
			t.stats.Preamble += len(t.hold) - 1
			t.hold = append(t.hold[:0], t.hold[len(t.hold)-1])
		}
	default:
		t.flushHold(true)
		r.Group = t.group
		t.emit(r)
	}
}

// flushHold settles the one-cell rows held: with data following, the last
// one labels a section and the others are notes; at the end of a table
// they are all notes.
func (t *TableReader) flushHold(dataFollows bool) {
	if len(t.hold) == 0 {
		return
	}
	if dataFollows {
		last := t.hold[len(t.hold)-1]
		t.group = strings.Join(strings.Fields(firstText(last)), " ")
		t.stats.Preamble++
		t.hold = t.hold[:len(t.hold)-1]
	}
	t.stats.Preamble += len(t.hold)
	t.hold = nil
}

func (t *TableReader) emit(r Row) {
	t.stats.DataRows++
	if len(t.table.Sample) < SampleRows {
		t.table.Sample = append(t.table.Sample, copyRow(r))
	}
	n := len(t.segs)
	if t.rows == nil {
		t.rows = make([]Row, 0, t.batchLen)
		if n > 0 && t.segs[n-1].Table == t.table {
			// Rows are copied to rows from the batch's first on, so a
			// segment before that is dataRun's, handed on in place: it
			// goes on after rows that were not data, copied to rows.
			t.rows = append(t.rows, t.segs[n-1].Rows...)
		}
	}
	if n == 0 || t.segs[n-1].Table != t.table {
		t.segs = append(t.segs, TableBatch{Table: t.table, cells: t.keepCells()})
		t.segStart = len(t.rows)
		n++
	}
	t.rows = append(t.rows, r)
	t.segs[n-1].Rows = t.rows[t.segStart:len(t.rows):len(t.rows)]
}

// dataRun hands on the rows at the start of a fresh batch that feed
// would hand on as data rows of the current table, in place, and returns
// how many there are. Those are most rows of a long table; each is
// classified as feed does, then emitted as a run without being copied.
func (t *TableReader) dataRun(rows []Row) int {
	if t.table == nil || len(t.hold) > 0 || len(t.segs) > 0 {
		return 0
	}
	n := 0
	for n < len(rows) && t.dataRow(rows[n]) {
		n++
	}
	if n == 0 {
		return 0
	}
	run := rows[:n:n]
	if t.group != "" {
		for i := range run {
			run[i].Group = t.group
		}
	}
	for i := 0; i < n && len(t.table.Sample) < SampleRows; i++ {
		t.table.Sample = append(t.table.Sample, copyRow(run[i]))
	}
	t.stats.DataRows += n
	t.segs = append(t.segs, TableBatch{Table: t.table, Rows: run, cells: t.keepCells()})
	return n
}

// dataRow reports whether r is a data row of the current table: feed's
// tests in their order, none of which changes anything, with shortcuts
// for the usual data row.
func (t *TableReader) dataRow(r Row) bool {
	if c := r.Cells; len(c) >= 2 && len(c[0]) > 0 && len(c[1]) > 0 {
		// The usual data row starts with two cells of text or figures,
		// not blank and not a label; when one of them holds no digit or
		// sign first, the row is no row of column numbers either.
		a, b := c[0][0], c[1][0]
		if plainStart(a) && plainStart(b) && (!numberStart(a) || !numberStart(b)) {
			// Most such rows are told apart from a repeated header by
			// their first byte, and from the header of a new table by
			// their first column of numbers holding only digits: the
			// first steps of repeatsHeader and startsTable, in line.
			if t.numFor != t.table {
				t.numericCols()
			}
			if cols := t.numCols; int16(a) != t.head0[0] && int16(a) != t.head0[1] && (len(cols) == 0 || cols[0] >= len(c) || digitsOnly(c[cols[0]])) {
				return true
			}
			return !t.repeatsHeader(r) && !t.startsTable(r)
		}
	}
	return !r.Blank() && !t.repeatsHeader(r) && !onlyColumnNumbers(r) && !t.startsTable(r) && !labelRow(r)
}

// plainStart reports whether a cell that starts with b is neither blank
// (Row.Blank), nor white space (blankText), nor trimmed at its start
// (TrimSpace): b starts no character that any of them takes for a space.
func plainStart(b byte) bool {
	return !spaceLead(b) && b != 0xef // U+FEFF, which Row.Blank skips
}

// numberStart reports whether a cell that starts with b (plainStart) may
// be an integer for atoi.
func numberStart(b byte) bool {
	return b >= '0' && b <= '9' || b == '+' || b == '-'
}

// settle decides the header of the current table from the pending rows and
// feeds the rows below it on as data.
func (t *TableReader) settle() {
	if t.table != nil || len(t.pending) == 0 {
		return
	}
	rows := t.pending
	t.pending = nil
	start, n := t.opt.HeaderRow, t.opt.HeaderRows
	hi := -1 // index of the first header row in rows
	if start > 0 && t.block == 0 {
		for i, r := range rows {
			if r.Num == start {
				hi = i
				break
			}
		}
		if hi < 0 {
			n = 0
		}
	} else if t.block > 0 {
		n = 0 // a stacked table's header is always detected
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
	t.block++
	header := rows[hi : hi+n]
	tb := &Table{File: t.file, Sheet: t.sheet, Block: t.block}
	tb.Parts = HeaderParts(header)
	tb.Columns = joinParts(tb.Parts)
	for _, r := range header {
		tb.HeaderRows = append(tb.HeaderRows, r.Num)
	}
	for i := hi - 1; i >= 0; i-- {
		if rows[i].Blank() {
			continue
		}
		if labelRow(rows[i]) {
			tb.Title = strings.Join(strings.Fields(firstText(rows[i])), " ")
		}
		break
	}
	tb.Kinds = columnKinds(rows[hi+n:], len(tb.Columns))
	t.table = tb
	for _, r := range rows[:hi] {
		if r.Blank() {
			t.stats.Blank++
		} else {
			t.stats.Preamble++
		}
	}
	t.stats.HeaderRows += n
	for _, r := range rows[hi+n:] {
		t.feed(r, true)
	}
}

// repeatsHeader reports a data row equal to the (last) header row.
func (t *TableReader) repeatsHeader(r Row) bool {
	parts := t.table.Parts
	if len(parts) < 2 {
		return false
	}
	same := 0
	for i, c := range r.Cells {
		if c == "" {
			continue
		}
		if b := c[0]; !spaceLead(b) {
			// The cell starts with text, so its spaces collapsed start
			// with the same byte: a data row fails here, on its first
			// cell, without the whole cell being looked at.
			if i >= len(parts) || len(parts[i]) == 0 {
				return false
			}
			if last := parts[i][len(parts[i])-1]; b != last[0] && b != t.table.Columns[i][0] {
				return false
			}
		}
		if !singleSpaced(c) {
			c = strings.Join(strings.Fields(c), " ")
		}
		if c == "" {
			continue
		}
		if i >= len(parts) || len(parts[i]) == 0 || c != parts[i][len(parts[i])-1] && c != t.table.Columns[i] {
			return false
		}
		same++
	}
	return same >= 2
}

// singleSpaced reports whether strings.Fields joined by single spaces
// would give c back: no leading, trailing, repeated or other white space.
func singleSpaced(c string) bool {
	prevSpace := true
	for i := 0; i < len(c); i++ {
		b := c[i]
		if b >= utf8.RuneSelf {
			return singleSpacedRunes(c)
		}
		if asciiSpace(b) {
			if b != ' ' || prevSpace {
				return false
			}
			prevSpace = true
			continue
		}
		prevSpace = false
	}
	return !prevSpace || c == ""
}

// singleSpacedRunes is singleSpaced for text beyond ASCII.
func singleSpacedRunes(c string) bool {
	prevSpace := true
	for _, r := range c {
		if unicode.IsSpace(r) {
			if r != ' ' || prevSpace {
				return false
			}
			prevSpace = true
			continue
		}
		prevSpace = false
	}
	return !prevSpace || c == ""
}

// startsTable reports a row of words where the table holds numbers: the
// header of a table stacked below the current one.
func (t *TableReader) startsTable(r Row) bool {
	words := 0
	// Only the columns of numbers tell.
	for _, i := range t.numericCols() {
		if i >= len(r.Cells) {
			break
		}
		c := r.Cells[i]
		if digitsOnly(c) {
			// The usual figure, which LooksNumeric takes as it is.
			return false
		}
		c = TrimSpace(c)
		if c == "" {
			continue
		}
		if LooksNumeric(c) || CountPercent(c) {
			return false
		}
		if hasLetter(c) {
			words++
		}
	}
	return words >= 2
}

// numericCols lists the current table's columns of numbers (Kinds), in
// order: startsTable looks at no other cell of a row. It also sets
// head0 for the table.
func (t *TableReader) numericCols() []int {
	if t.numFor != t.table {
		t.numFor = t.table
		t.numCols = t.numCols[:0]
		for i, k := range t.table.Kinds {
			if k.Numeric() {
				t.numCols = append(t.numCols, i)
			}
		}
		// repeatsHeader turns down a row whose first cell starts with
		// a byte that is no space and neither of these (the header's
		// parts are never empty).
		t.head0 = [2]int16{-1, -1}
		if parts := t.table.Parts; len(parts) >= 2 && len(parts[0]) > 0 {
			t.head0 = [2]int16{int16(parts[0][len(parts[0])-1][0]), int16(t.table.Columns[0][0])}
		}
	}
	return t.numCols
}

// digitsOnly reports whether c is one or more ASCII digits.
func digitsOnly(c string) bool {
	for i := 0; i < len(c); i++ {
		if c[i]-'0' > 9 {
			return false
		}
	}
	return c != ""
}

// labelRow reports a row with one cell of text and nothing else: a title,
// a section label or a note.
func labelRow(r Row) bool {
	one := ""
	n := 0
	for _, c := range r.Cells {
		if blankText(c) {
			continue
		}
		if n++; n > 1 {
			return false
		}
		one = c
	}
	if n != 1 {
		return false
	}
	one = TrimSpace(one)
	return hasLetter(one) && !LooksNumeric(one)
}

// blankText reports whether TrimSpace(s) is "": s holds only white space.
func blankText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < utf8.RuneSelf {
			if !asciiSpace(c) {
				return false
			}
			continue
		} else if !spaceLead(c) {
			// Not the first byte of a white-space character (a letter,
			// or a byte that is no UTF-8).
			return false
		}
		return strings.TrimSpace(s[i:]) == ""
	}
	return true
}

func firstText(r Row) string {
	for _, c := range r.Cells {
		if TrimSpace(c) != "" {
			return c
		}
	}
	return ""
}

// columnKinds judges each column by the non-empty cells of rows.
func columnKinds(rows []Row, width int) []ColumnKind {
	type tally struct{ num, pct, cp, text int }
	counts := make([]tally, width)
	seen := 0
	for _, r := range rows {
		if r.Blank() || labelRow(r) || onlyColumnNumbers(r) {
			continue
		}
		if seen++; seen > SampleRows*2 {
			break
		}
		for i := 0; i < width && i < len(r.Cells); i++ {
			c := strings.TrimSpace(r.Cells[i])
			switch {
			case c == "" || isDash(c):
			case CountPercent(c):
				counts[i].cp++
			case LooksNumeric(c) && strings.Contains(c, "%"):
				counts[i].pct++
			case LooksNumeric(c):
				counts[i].num++
			default:
				counts[i].text++
			}
		}
	}
	kinds := make([]ColumnKind, width)
	for i, c := range counts {
		switch numeric := c.num + c.pct + c.cp; {
		case numeric == 0 && c.text == 0:
			kinds[i] = KindEmpty
		case c.text > numeric:
			kinds[i] = KindText
		case c.cp*2 >= numeric:
			kinds[i] = KindCountPercent
		case c.pct*2 >= numeric:
			kinds[i] = KindPercent
		default:
			kinds[i] = KindNumber
		}
	}
	return kinds
}

func isDash(s string) bool {
	switch s {
	case "-", "–", "—", "−", "x", "X":
		return true
	}
	return false
}

// CountPercent reports a cell holding a count and its percent, as
// "216 - 17.73%" or "216 (17,73%)".
func CountPercent(s string) bool {
	_, _, ok := SplitCountPercent(s)
	return ok
}

// SplitCountPercent splits "216 - 17.73%" or "216 (17.73%)" into its count
// and percent texts.
func SplitCountPercent(s string) (count, pct string, ok bool) {
	s = strings.TrimSpace(s)
	if !strings.HasSuffix(s, "%") && !strings.HasSuffix(s, "%)") {
		return "", "", false
	}
	for _, sep := range []string{" - ", " – ", " (", "\n", " / "} {
		i := strings.LastIndex(s, sep)
		if i <= 0 {
			continue
		}
		count, pct = strings.TrimSpace(s[:i]), strings.TrimSpace(strings.TrimSuffix(s[i+len(sep):], ")"))
		if count != "" && pct != "" && LooksNumeric(count) && !strings.Contains(count, "%") && LooksNumeric(pct) && strings.HasSuffix(pct, "%") {
			return count, pct, true
		}
	}
	return "", "", false
}

// DetectHeader finds the header among the first rows of a table: the first
// row with at least two cells that holds mostly words, not numbers, and
// that is followed by rows holding numbers. Rows above it (titles, notes,
// blanks) are not part of the table. When want is 0 the header extends
// over the following word-only rows (a multi-row header), and over a row
// of column numbers printed under it; otherwise it spans want rows. It
// returns the index in rows and the number of header rows.
func DetectHeader(rows []Row, want int) (index, n int) {
	kinds := make([]rowShape, len(rows))
	for i, r := range rows {
		kinds[i] = shapeOf(r)
	}
	index = -1
	for i, k := range kinds {
		if k.filled >= 2 && k.words*2 >= k.filled && k.words >= 2 && dataFollows(rows, kinds, i+1) {
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
	for j := index + 1; j < len(kinds) && j < index+5; j++ {
		k := kinds[j]
		if onlyColumnNumbers(rows[j]) {
			n++
			break
		}
		if k.filled == 0 || k.numbers > 0 || labelRow(rows[j]) && j+1 < len(rows) && !rows[j+1].Blank() && kinds[j+1].numbers > 0 {
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
		c = TrimSpace(c)
		if c == "" {
			continue
		}
		s.filled++
		if LooksNumeric(c) && !isDash(c) || CountPercent(c) {
			s.numbers++
		} else if hasLetter(c) {
			s.words++
		}
	}
	return s
}

func dataFollows(rows []Row, kinds []rowShape, from int) bool {
	for j := from; j < len(kinds) && j < from+8; j++ {
		if kinds[j].numbers > 0 && kinds[j].numbers*3 >= kinds[j].filled && !onlyColumnNumbers(rows[j]) {
			return true
		}
	}
	return false
}

// onlyColumnNumbers reports a row such as "1 2 3 4" under a header: column
// numbers that commissions print below their headers. A few slips (a
// number typed twice) are allowed, as long as nearly every number is its
// cell's place among the filled cells, give or take one.
func onlyColumnNumbers(r Row) bool {
	filled, fit := 0, 0
	for _, c := range r.Cells {
		c = TrimSpace(c)
		if c == "" {
			continue
		}
		filled++
		v, ok := atoi(c)
		if !ok {
			return false
		}
		if d := v - filled; d >= -1 && d <= 1 {
			fit++
		}
	}
	return filled > 2 && fit*10 >= filled*9
}

// atoi is strconv.Atoi without the error value, which costs an allocation
// on every data row that onlyColumnNumbers turns down.
func atoi(c string) (int, bool) {
	s, neg := c, false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s, neg = s[1:], s[0] == '-'
	}
	if len(s) == 0 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + int(d)
	}
	if len(s) > 18 {
		// Digits enough to overflow: strconv decides.
		v, err := strconv.Atoi(c)
		return v, err == nil
	}
	if neg {
		n = -n
	}
	return n, true
}

// TrimSpace is strings.TrimSpace, quick when s starts and ends with a
// character that is not a space: a cell in Cyrillic sends
// strings.TrimSpace the slow way, through a function call per rune.
func TrimSpace(s string) string {
	if len(s) == 0 {
		return s
	}
	first, last := s[0], s[len(s)-1]
	if first < utf8.RuneSelf && last < utf8.RuneSelf {
		if asciiSpace(first) || asciiSpace(last) {
			return strings.TrimSpace(s)
		}
		return s
	}
	// Past ASCII, white space starts with one of four bytes (U+0085 and
	// U+00A0, U+1680, U+2000 to U+205F, U+3000); a Cyrillic letter never
	// does.
	j := len(s) - 1
	for j > 0 && j > len(s)-utf8.UTFMax && s[j]&0xc0 == 0x80 {
		j--
	}
	if !spaceLead(first) && !spaceLead(s[j]) {
		return s
	}
	r, _ := utf8.DecodeRuneInString(s)
	l, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(r) || unicode.IsSpace(l) {
		return strings.TrimSpace(s)
	}
	return s
}

// spaceLead reports whether c may start a white-space character: an
// ASCII space, or the first byte of one beyond ASCII.
func spaceLead(c byte) bool { return spaceBytes[c]&leadSpace != 0 }

func asciiSpace(c byte) bool { return spaceBytes[c]&isASCIISpace != 0 }

// spaceBytes classes the bytes for asciiSpace and spaceLead, which every
// row's cells go through: one load rather than a chain of compares.
var spaceBytes = [256]uint8{
	' ': isASCIISpace | leadSpace, '\t': isASCIISpace | leadSpace, '\n': isASCIISpace | leadSpace,
	'\v': isASCIISpace | leadSpace, '\f': isASCIISpace | leadSpace, '\r': isASCIISpace | leadSpace,
	0xc2: leadSpace, 0xe1: leadSpace, 0xe2: leadSpace, 0xe3: leadSpace,
}

const (
	isASCIISpace = 1 << iota // ' ', '\t', '\n', '\v', '\f', '\r'
	leadSpace                // those, and the first bytes of the spaces beyond ASCII
)

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
		case r == 'E' || r == 'e':
			// Exponent notation, as spreadsheets store large numbers.
			if digits == 0 {
				return false
			}
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
	return joinParts(HeaderParts(rows))
}

func joinParts(parts [][]string) []string {
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = strings.Join(p, " / ")
	}
	return names
}

// HeaderParts returns, per column, the texts of the header rows from top to
// bottom, spaces collapsed. In a multi-row header an empty cell of an upper
// row takes the text to its left when the rows below have text in that
// column (a merged cell spanning columns); a part equal to the one above
// it (a cell merged downwards and filled) is kept once; rows of column
// numbers are left out.
func HeaderParts(rows []Row) [][]string {
	width := 0
	var use []Row
	for _, r := range rows {
		if onlyColumnNumbers(r) {
			continue
		}
		use = append(use, r)
		width = max(width, len(r.Cells))
	}
	parts := make([][]string, width)
	for ri, r := range use {
		last := ""
		for c := 0; c < width; c++ {
			v := strings.Join(strings.Fields(r.Cell(c)), " ")
			if v == "" && ri < len(use)-1 && c > 0 && belowFilled(use[ri+1:], c) {
				v = last // merged across
			}
			if v != "" {
				last = v
			} else if ri < len(use)-1 {
				last = ""
			}
			if v == "" || len(parts[c]) > 0 && parts[c][len(parts[c])-1] == v {
				continue
			}
			parts[c] = append(parts[c], v)
		}
	}
	return parts
}

func belowFilled(rows []Row, c int) bool {
	for _, r := range rows {
		if strings.TrimSpace(r.Cell(c)) != "" {
			return true
		}
	}
	return false
}
