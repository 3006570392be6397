package xls

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"tally/report"
)

// Sentinel errors; test for them with errors.Is.
var (
	// ErrNotXLS: the input is not a BIFF5 or BIFF8 workbook (or its container
	// holds no workbook stream).
	ErrNotXLS = errors.New("not an .xls workbook")
	// ErrUnsupported: the input is a workbook of a BIFF version this package
	// does not read (BIFF2, BIFF3, BIFF4).
	ErrUnsupported = errors.New("unsupported BIFF version")
	// ErrEncrypted: the workbook is protected with a password.
	ErrEncrypted = errors.New("workbook is encrypted")
)

// SheetKind says what a sheet holds. Only worksheets and macro sheets have
// cells; the others read as empty.
type SheetKind uint8

const (
	Worksheet  SheetKind = iota // a grid of cells
	MacroSheet                  // an Excel 4.0 macro sheet: a grid of cells too
	ChartSheet                  // a chart on a sheet of its own
	Module                      // a VBA module (BIFF5)
	OtherSheet                  // a kind this package does not know
)

func (k SheetKind) String() string {
	switch k {
	case Worksheet:
		return "worksheet"
	case MacroSheet:
		return "macro sheet"
	case ChartSheet:
		return "chart"
	case Module:
		return "module"
	}
	return "other"
}

// CellKind is the type of a cell's value.
type CellKind uint8

const (
	KindBlank  CellKind = iota // no value (the zero Cell)
	KindNumber                 // a number; Num holds it
	KindDate                   // a number formatted as a date; Num holds the serial
	KindText                   // a string
	KindBool                   // TRUE or FALSE; Num is 1 or 0
	KindError                  // an error value such as #DIV/0!
)

func (k CellKind) String() string {
	switch k {
	case KindBlank:
		return "blank"
	case KindNumber:
		return "number"
	case KindDate:
		return "date"
	case KindText:
		return "text"
	case KindBool:
		return "bool"
	case KindError:
		return "error"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Cell is one cell with a value.
type Cell struct {
	Row, Col int      // 1-based: row 1 is the first row, column 1 is A
	Kind     CellKind //
	Text     string   // the value as a spreadsheet shows it in raw form (see the package doc)
	Num      float64  // the value of Number, Date and Bool cells
	Formula  bool     // the value is the cached result of a formula
}

// Ref returns the cell's A1 reference, e.g. "B7".
func (c Cell) Ref() string { return ColumnName(c.Col) + strconv.Itoa(c.Row) }

// ColumnName returns the letters of a 1-based column number: 1 is A, 27 is
// AA, 256 is IV. It returns "" for a number below 1. It is
// report.ColumnName, so .xls positions read exactly like every other.
func ColumnName(col int) string { return report.ColumnName(col) }

// The size of an .xls sheet: rows 1-65536, columns A-IV. A cell record
// past column IV makes the sheet's decoding fail.
const (
	MaxRows = 65536
	MaxCols = 256
)

// Range is a rectangle of cells, 1-based and inclusive, e.g. a merged range.
type Range struct {
	FirstRow, LastRow int
	FirstCol, LastCol int
}

// String returns the range in A1 notation, e.g. "A1:C2".
func (r Range) String() string {
	return ColumnName(r.FirstCol) + strconv.Itoa(r.FirstRow) + ":" + ColumnName(r.LastCol) + strconv.Itoa(r.LastRow)
}

// Contains reports whether the 1-based cell (row, col) lies in r.
func (r Range) Contains(row, col int) bool {
	return row >= r.FirstRow && row <= r.LastRow && col >= r.FirstCol && col <= r.LastCol
}

// Workbook is an open .xls workbook. Its methods and those of its sheets are
// safe for concurrent use.
type Workbook struct {
	Sheets   []*Sheet // in workbook order, hidden ones included
	BIFF     int      // 5 (Excel 5.0/95) or 8 (Excel 97-2003)
	Codepage int      // the declared code page of 8-bit text; 1200 (UTF-16) in BIFF8
	Date1904 bool     // serial dates count from 1904-01-01 (old Mac workbooks)

	stream  []byte     // the whole workbook stream
	dec     decoder    // 8-bit text in Codepage
	xfClass []numClass // per XF record: how its numbers are shown
	sst     []string   // shared strings (BIFF8)
	sstErr  error      // why the shared string table ended early, if it did
	end     int64      // offset just past the globals' EOF record

	mu       sync.Mutex
	bofs     []int64 // top-level BOF offsets after the globals, found on demand
	bofsDone bool
}

// Sheet is one sheet of a workbook. Its cells are decoded on first use.
type Sheet struct {
	Name   string
	Kind   SheetKind
	Hidden bool // hidden or very hidden in Excel

	wb    *Workbook
	index int   // position in wb.Sheets
	off   int64 // offset of the sheet's BOF record, as BOUNDSHEET says

	data *sheetData // nil until decoded; guarded by wb.mu
}

type sheetData struct {
	rows   [][]Cell
	merged []Range
	err    error
}

// Rows returns the sheet's cells: Rows()[i] holds the cells of row i+1 that
// have a value, in column order, and is empty for a row without any. Trailing
// rows without values are not included. The slices are shared: do not modify
// them. Charts and modules have no rows.
func (s *Sheet) Rows() ([][]Cell, error) {
	d := s.load()
	return d.rows, d.err
}

// Merged returns the sheet's merged ranges in the order the file lists them.
func (s *Sheet) Merged() ([]Range, error) {
	d := s.load()
	return d.merged, d.err
}

// Release drops the decoded cells; the next Rows or Merged decodes them again.
func (s *Sheet) Release() {
	s.wb.mu.Lock()
	s.data = nil
	s.wb.mu.Unlock()
}

func (s *Sheet) load() *sheetData {
	s.wb.mu.Lock()
	defer s.wb.mu.Unlock()
	if s.data == nil {
		s.data = s.wb.decodeSheet(s)
	}
	return s.data
}

// Sheet returns the sheet with the given name, or nil. Names are compared as
// Excel does, without regard to case.
func (wb *Workbook) Sheet(name string) *Sheet {
	for _, s := range wb.Sheets {
		if strings.EqualFold(s.Name, name) {
			return s
		}
	}
	return nil
}

// OpenBytes opens a workbook held in memory. The workbook does not keep b.
func OpenBytes(b []byte) (*Workbook, error) {
	return Open(bytes.NewReader(b), int64(len(b)))
}

// Open opens the workbook in the first size bytes of r: a compound file with
// a "Workbook" (BIFF8) or "Book" (BIFF5) stream, or a bare BIFF stream. It
// reads the workbook stream into memory and decodes the workbook globals;
// sheets are decoded when first used.
func Open(r io.ReaderAt, size int64) (*Workbook, error) {
	if size < 8 {
		return nil, fmt.Errorf("%w: %d bytes is too short for a workbook", ErrNotXLS, size)
	}
	var head [8]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil, fmt.Errorf("xls: reading the file header: %w", err)
	}
	var stream []byte
	switch {
	case bytes.Equal(head[:], cfbMagic):
		s, err := workbookStream(r, size)
		if err != nil {
			return nil, err
		}
		stream = s
	case isBOF(head[:]):
		if size > maxStream {
			return nil, fmt.Errorf("%w: a bare BIFF stream of %d bytes is too large", ErrNotXLS, size)
		}
		stream = make([]byte, size)
		if _, err := r.ReadAt(stream, 0); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("xls: reading the BIFF stream: %w", err)
		}
	default:
		return nil, fmt.Errorf("%w: %s", ErrNotXLS, describeNonXLS(head[:]))
	}
	return parseWorkbook(stream)
}

// maxStream bounds the workbook stream read into memory (1 GiB); an .xls
// written by Excel cannot be that large.
const maxStream = 1 << 30

// isBOF reports whether b starts with a BOF record of any BIFF version.
func isBOF(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	switch le16(b) {
	case recBOF, recBOF2, recBOF3, recBOF4:
		n := le16(b[2:])
		return n >= 4 && n <= 32
	}
	return false
}

// describeNonXLS names what a file that is not an .xls seems to be, from its
// first bytes, for the error message.
func describeNonXLS(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "the file is a zip archive (an .xlsx or .ods?)"
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}), bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n"), []byte("<")):
		return "the file is text, perhaps HTML or XML saved with an .xls name"
	case bytes.HasPrefix(head, []byte{0x1F, 0x8B}):
		return "the file is gzip-compressed; decompress it first"
	}
	return fmt.Sprintf("the file starts with % x, not a compound file or BIFF record", head)
}

// Error is a problem found in a workbook's records.
type Error struct {
	Sheet  string // the sheet's name; empty for the workbook globals
	Row    int    // 1-based row of the cell concerned, 0 if none
	Col    int    // 1-based column of the cell concerned, 0 if none
	Offset int64  // byte offset of the record in the workbook stream
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("xls: ")
	if e.Sheet != "" {
		b.WriteString("sheet ")
		b.WriteString(strconv.Quote(e.Sheet))
	} else {
		b.WriteString("workbook globals")
	}
	if e.Row > 0 && e.Col > 0 {
		b.WriteString(" cell ")
		b.WriteString(ColumnName(e.Col) + strconv.Itoa(e.Row))
	}
	fmt.Fprintf(&b, " (record at byte %d): %v", e.Offset, e.Err)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }
