package sources

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/transform"

	"tally/report"
)

// csvSource reads delimited text: CSV, TSV, semicolon or pipe separated, in
// any supported encoding. Rows are numbered by the line their first field
// starts on.
type csvSource struct {
	name  string
	blob  *blob
	rc    io.ReadCloser
	r     *csv.Reader // nil while blocks are parsed in parallel
	batch Batch
	size  int
	done  bool

	br       *blockReader // parses blocks of the text on workers
	cur      *csvBlock    // the block rows are taken from
	off      int          // rows of cur taken
	lineBase int          // lines before cur, or before the serial parser's start
	cells    *cellArena   // the array the batch's cells are in (see cellArena)
	arenas   chan *cellArena

	guard    *recordGuard // under the serial parser
	nextLine int          // the serial parser's line where the next record starts
	fields   int          // the number of cells of the last record read
}

// Dialect is what the CSV sniffer decided about a text file.
type Dialect struct {
	Encoding  Guess
	Delimiter rune
}

// DelimiterName renders a delimiter for people: "," ";" "tab" "|".
func DelimiterName(r rune) string {
	if r == '\t' {
		return "tab"
	}
	return string(r)
}

func parseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "tab", `\t`, "\t":
		return '\t', nil
	case "comma":
		return ',', nil
	case "semicolon":
		return ';', nil
	case "pipe":
		return '|', nil
	}
	r, n := utf8.DecodeRuneInString(s)
	if n != len(s) || r == utf8.RuneError || r == '"' || r == '\r' || r == '\n' {
		return 0, fmt.Errorf("delimiter %q must be one character (or tab)", s)
	}
	return r, nil
}

func sniffDialect(head []byte, in Input) (Dialect, error) {
	var d Dialect
	if in.Encoding != "" {
		_, name, err := lookupEncoding(in.Encoding)
		if err != nil {
			return d, report.UsageError(err)
		}
		d.Encoding = Guess{Name: name, Confidence: 1, Reason: "given"}
	} else {
		d.Encoding = DetectEncoding(head)
	}
	if in.Delimiter != "" {
		r, err := parseDelimiter(in.Delimiter)
		if err != nil {
			return d, report.UsageError(err)
		}
		d.Delimiter = r
		return d, nil
	}
	enc, _, _ := lookupEncoding(d.Encoding.Name)
	text, _, _ := transform.Bytes(enc.NewDecoder(), head)
	d.Delimiter = SniffDelimiter(text)
	return d, nil
}

// SniffDelimiter picks the delimiter of delimited text from its first
// lines: among comma, semicolon, tab and pipe, the one that splits the most
// lines into the same number (more than one) of fields, quotes respected.
// It returns ',' when nothing splits.
func SniffDelimiter(text []byte) rune {
	lines := splitLines(text, 100)
	best, bestScore := ',', 0
	for _, cand := range []rune{',', ';', '\t', '|'} {
		counts := map[int]int{}
		for _, ln := range lines {
			if n := countFields(ln, cand); n > 1 {
				counts[n]++
			}
		}
		// The score favours a field count shared by many lines, and more
		// fields on a tie (a title line may hold a stray comma).
		score := 0
		for n, c := range counts {
			if s := c*1000 + n; s > score {
				score = s
			}
		}
		if score > bestScore {
			best, bestScore = cand, score
		}
	}
	return best
}

func splitLines(text []byte, max int) [][]byte {
	var out [][]byte
	for len(text) > 0 && len(out) < max {
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			// The last line may be cut short by the sniffing window; use it
			// only if it is the whole text.
			if len(out) == 0 {
				out = append(out, text)
			}
			break
		}
		ln := bytes.TrimRight(text[:i], "\r")
		if len(bytes.TrimSpace(ln)) > 0 {
			out = append(out, ln)
		}
		text = text[i+1:]
	}
	return out
}

func countFields(line []byte, delim rune) int {
	n, inQuote := 1, false
	for _, r := range string(line) {
		switch {
		case r == '"':
			inQuote = !inQuote
		case r == delim && !inQuote:
			n++
		}
	}
	return n
}

func openCSV(_ context.Context, b *blob, in Input) (Source, error) {
	d, err := sniffDialect(b.head, in)
	if err != nil {
		return nil, report.At(report.Position{File: in.name()}, err)
	}
	rc, err := b.stream()
	if err != nil {
		return nil, report.At(report.Position{File: in.name()}, report.InputError(err))
	}
	enc, _, _ := lookupEncoding(d.Encoding.Name)
	s := &csvSource{name: in.name(), blob: b, rc: rc, size: in.batchRows()}
	s.batch.File = s.name
	var r io.Reader = rc
	if d.Encoding.Name != "utf-8" {
		r = transform.NewReader(r, enc.NewDecoder())
	}
	if d.Delimiter < utf8.RuneSelf {
		// Blocks of whole lines are parsed on as many workers as there
		// are cores; rows come out in the file's order.
		s.br = newBlockReader(r, byte(d.Delimiter), runtime.GOMAXPROCS(0))
		return s, nil
	}
	s.serial(r, d.Delimiter)
	return s, nil
}

// maxRecord bounds the text of one record. No row of results comes near
// it, though the header of a transposed table (a column per unit) may
// take a few MiB; a record that runs on past it is almost always a quote
// opened and never closed, which would take the rest of the file into one
// cell. Reading stops there with an error that names the record's first
// line, rather than holding the rest of the file in memory. Tests make it
// small.
var maxRecord = 16 << 20

// byteSize renders a limit for people: "16 MiB", or bytes where it is
// not a whole number of MiB.
func byteSize(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// serialBuffer is the buffer encoding/csv reads through.
const serialBuffer = 256 << 10

// errLongRecord ends a stream whose record runs on past maxRecord.
var errLongRecord = errors.New("record too long")

// recordGuard sits under encoding/csv's buffers. It hands on text only up
// to maxRecord past the end of the last record read (plus what the
// buffers may hold ahead of it), then fails with errLongRecord, so that
// one record can never take more than that in memory.
type recordGuard struct {
	r    io.Reader
	read int64 // bytes handed on
	mark int64 // where the last record read ends (csv.Reader.InputOffset)
}

func (g *recordGuard) Read(p []byte) (int, error) {
	room := g.mark + int64(maxRecord) + 2*serialBuffer - g.read
	if room <= 0 {
		return 0, errLongRecord
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := g.r.Read(p)
	g.read += int64(n)
	return n, err
}

// serial makes the source read r from here on with encoding/csv, one
// record after another.
func (s *csvSource) serial(r io.Reader, comma rune) {
	s.guard = &recordGuard{r: r}
	s.nextLine = 1
	s.r = newCSVReader(bufio.NewReaderSize(s.guard, serialBuffer), comma)
}

func newCSVReader(r io.Reader, comma rune) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return cr
}

// nextBlocks fills the batch from the parsed blocks.
func (s *csvSource) nextBlocks(ctx context.Context) error {
	for len(s.batch.Rows) < s.size {
		if s.cur == nil || s.off == s.cur.rowCount() {
			if s.cur != nil {
				s.lineBase += s.cur.lines
				s.br.recycle(s.cur)
				s.cur = nil
			}
			var b *csvBlock
			var ok bool
			select {
			case b, ok = <-s.br.order:
			case <-ctx.Done():
				return ctx.Err()
			}
			if !ok {
				s.done = true
				return nil
			}
			<-b.done
			if b.err != nil {
				return report.At(report.Position{File: s.name}, report.InputError(b.err))
			}
			if b.irregular {
				// A quote the cut cannot account for: from this block on,
				// records are read one after another.
				s.br.serialize()
				s.serial(&blockStream{br: s.br, data: b.data}, rune(s.br.comma))
				return s.nextSerial()
			}
			s.cur, s.off = b, 0
		}
		n := min(s.size-len(s.batch.Rows), s.cur.rowCount()-s.off)
		at := len(s.batch.Rows)
		rows := slices.Grow(s.batch.Rows, n)[:at+n]
		b := s.cur
		b.cutRows(rows[at:], s.room(int(b.starts[s.off+n]-b.starts[s.off]), n, s.size-at), s.off, s.lineBase)
		if b.lines > b.rowCount() {
			// Some record spans lines (or a line is empty).
			if err := s.runaways(rows[at:]); err != nil {
				return err
			}
		}
		if n > 0 {
			s.fields = len(rows[len(rows)-1].Cells)
		}
		s.batch.Rows = rows
		s.off += n
	}
	return nil
}

func (s *csvSource) Next(ctx context.Context) (*Batch, error) {
	if s.cells != nil {
		// The last batch's cells are the caller's no more.
		s.cells.release()
		s.cells = nil
	}
	if s.done {
		return nil, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Each batch has rows of its own (see freshRows).
	s.batch.Rows = make([]Row, 0, s.rowCap())
	var err error
	if s.r == nil {
		err = s.nextBlocks(ctx)
	} else {
		err = s.nextSerial()
	}
	if err != nil {
		return nil, err
	}
	if len(s.batch.Rows) == 0 {
		return nil, io.EOF
	}
	return &s.batch, nil
}

// nextSerial fills the batch with encoding/csv.
func (s *csvSource) nextSerial() error {
	for len(s.batch.Rows) < s.size {
		rec, err := s.r.Read()
		if err == io.EOF {
			s.done = true
			break
		}
		if err != nil {
			if errors.Is(err, errLongRecord) {
				return report.At(report.Position{File: s.name, Row: s.lineBase + s.nextLine}, report.InputError(fmt.Errorf(
					"a record starts here and runs on past %s: a quote opened in it is probably never closed; close it, or double a quote that belongs to the text (\"\")", byteSize(maxRecord))))
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return report.At(report.Position{File: s.name, Row: s.lineBase + pe.Line, Column: pe.Column}, report.InputError(pe.Err))
			}
			return report.At(report.Position{File: s.name}, report.InputError(err))
		}
		line, _ := s.r.FieldPos(0)
		s.guard.mark = s.r.InputOffset()
		s.nextLine = line + 1
		for _, c := range rec {
			s.nextLine += strings.Count(c, "\n")
		}
		row := Row{Num: s.lineBase + line, Cells: rec}
		if s.nextLine > line+1 {
			if err := s.runaway(row); err != nil {
				return err
			}
		}
		s.fields = len(rec)
		s.batch.Rows = append(s.batch.Rows, row)
	}
	return nil
}

// cutRows sets the rows of b from row off on, as many as rows holds: their
// numbers, after base lines, and their cells, cut into cells, which has
// room for them all.
func (b *csvBlock) cutRows(rows []Row, cells []string, off, base int) {
	starts := b.starts[off : off+len(rows)+1]
	nums := b.nums[off : off+len(rows)]
	from := b.from[off : off+len(rows)]
	k := 0
	for i := range rows {
		lo, hi := starts[i], starts[i+1]
		next := k + int(hi-lo)
		row := cells[k:next:next]
		if f := from[i]; f >= 0 {
			cutCells(row, b.spans[lo:hi], b.texts[f])
		} else {
			b.quotedCells(row, b.spans[lo:hi], ^f)
		}
		k = next
		rows[i] = Row{Num: base + int(nums[i]), Cells: row}
	}
}

// cutCells cuts the cells of a row of no quote, whose spans are of
// text, into row, as long as spans. The spans are the block parser's,
// inside text: the strings are cut without slicing's checks (see sub).
// Every cell but the last ends at a delimiter, inside text; the last may
// be empty at the end of text, where a string made by sub would point
// past text's allocation, and is "" then.
func cutCells(row []string, spans []cellSpan, text string) {
	base := unsafe.Pointer(unsafe.StringData(text))
	last := len(row) - 1
	if last < 0 {
		return
	}
	spans = spans[:len(row)]
	for j := range row[:last] {
		c := spans[j]
		row[j] = sub(base, int(c.from), int(c.to))
	}
	if c := spans[last]; c.from < c.to {
		row[last] = sub(base, int(c.from), int(c.to))
	} else {
		row[last] = ""
	}
}

// quotedCells cuts the cells of a quoted row, whose text is the chunk
// texts[chunk] and the block's unescaped text, into row.
func (b *csvBlock) quotedCells(row []string, spans []cellSpan, chunk int32) {
	text := b.texts[chunk]
	for j, c := range spans {
		if c.from&escBit != 0 {
			row[j] = b.texts[b.esc][c.from&^escBit : c.to]
		} else {
			row[j] = text[c.from:c.to]
		}
	}
}

// A cellArena is an array a CSV source cuts the cells of its batches'
// rows into, shared by the rows of one batch. The parsed blocks hold no
// pointer (see csvBlock), and the cells' strings are cut into arrays used
// over and over: no array of cells is allocated for each block, and the
// garbage collector runs about half as often.
//
// An array is reused once no row of its batch is in use: the source's
// own reference lasts until the next call to Next (as the Source contract
// has it), and a TableReader that reads ahead keeps it for the runs of
// rows it hands on later (keepCells), until the caller is done with them.
type cellArena struct {
	cells []string
	refs  atomic.Int32
	free  chan *cellArena // the source's arrays no batch uses
}

// release drops a reference to the array; with the last, the array goes
// back to its source for reuse.
func (a *cellArena) release() {
	if a.refs.Add(-1) == 0 {
		a.cells = a.cells[:0]
		select {
		case a.free <- a:
		default:
		}
	}
}

// freeArenas is how many arrays of cells a CSV source keeps for reuse:
// as many as a TableReader reading ahead holds at once, and a few more.
const freeArenas = 8

// room returns need cells of the batch's array for the cells of n rows
// of the batch, which has room for left rows more, these included.
func (s *csvSource) room(need, n, left int) []string {
	a := s.cells
	if a == nil {
		if s.arenas == nil {
			s.arenas = make(chan *cellArena, freeArenas)
		}
		select {
		case a = <-s.arenas:
		default:
			a = &cellArena{free: s.arenas}
		}
		a.refs.Store(1)
		s.cells = a
	}
	if cap(a.cells)-len(a.cells) < need {
		// A larger array, made for as many cells a row as these rows
		// have; the rows cut so far keep the old one.
		a.cells = make([]string, 0, max(need*left/max(n, 1)+need/8, cap(a.cells)))
	}
	at := len(a.cells)
	a.cells = a.cells[:at+need]
	// Cleared first: the array was last written several batches ago,
	// and cutting the cells into lines a clear has just streamed into
	// the cache costs less (measured) than into lines out of it.
	clear(a.cells[at:])
	return a.cells[at:]
}

// keepCells keeps the array of the last batch's cells from reuse until
// the hold it returns is released; nil when there is none.
func (s *csvSource) keepCells() cellHold {
	if s.cells == nil {
		return nil
	}
	s.cells.refs.Add(1)
	return s.cells
}

// runaways checks the rows of a block that holds more lines than rows,
// one of which may span lines (see runaway).
func (s *csvSource) runaways(rows []Row) error {
	for _, r := range rows {
		if err := s.runaway(r); err != nil {
			return err
		}
		s.fields = len(r.Cells)
	}
	return nil
}

// runawayLines is how many lines of one cell that read like records of
// their own (see runaway) make the cell a runaway. Tests that compare rows
// with encoding/csv's on random text raise it.
var runawayLines = 3

// runaway fails on a row one of whose cells runs over lines that read like
// records of their own: at least runawayLines lines with as many
// delimiters as the record before has between its cells. That is a quote
// opened and not closed where it should have been: the lines after it
// were taken into one cell and would be lost as rows. A cell of a few
// lines of text (a long name, a header split over lines) passes. Where
// records have only one to three delimiters, a line of prose has as
// many more easily, so more such lines are needed: four times as many
// for one delimiter, twice for two (a note of a few lines with a comma in
// each, in a file of two or three columns, passes; a quote left open
// takes in the rest of the file and still fails).
func (s *csvSource) runaway(row Row) error {
	want := max(s.fields-1, 1)
	need := runawayLines
	if k := 4 / want; k > 1 && need <= math.MaxInt/k {
		need *= k
	}
	comma := ","
	if s.br != nil {
		comma = string(rune(s.br.comma))
	} else if s.r != nil {
		comma = string(s.r.Comma)
	}
	line := row.Num // where the cell starts
	for col, c := range row.Cells {
		i := strings.IndexByte(c, '\n')
		if i < 0 {
			continue
		}
		breaks := strings.Count(c, "\n")
		like := 0
		for rest := c[i+1:]; rest != "" && like < need; {
			l := rest
			if j := strings.IndexByte(rest, '\n'); j >= 0 {
				l, rest = rest[:j], rest[j+1:]
			} else {
				rest = ""
			}
			if strings.Count(l, comma) >= want {
				like++
			}
		}
		if like >= need {
			return report.At(report.Position{File: s.name, Row: row.Num, Column: col + 1}, report.InputError(fmt.Errorf(
				"a quoted cell runs from line %d to line %d, and its lines read like rows: a quote opened there is probably never closed; close it, or double a quote that belongs to the text (\"\")",
				line, line+strings.Count(strings.TrimSuffix(c, "\n"), "\n"))))
		}
		line += breaks
	}
	return nil
}

func (s *csvSource) freshRows() {}

// rowCap is the room a batch is made with: the batch size, or fewer for
// a small file, which holds at most one row per two bytes but the last.
func (s *csvSource) rowCap() int {
	if s.blob != nil && s.blob.size >= 0 && s.blob.size/2+1 < int64(s.size) {
		return int(s.blob.size/2 + 1)
	}
	return s.size
}

func (s *csvSource) Close() error {
	if s.rc == nil {
		return nil
	}
	if s.br != nil {
		s.br.close()
	}
	s.rc.Close()
	s.rc = nil
	return s.blob.Close()
}
