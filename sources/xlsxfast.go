package sources

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"tally/report"
)

// The sheet reader below streams worksheet XML with xmlScanner instead of
// excelize's encoding/xml decoder, and decodes the next sheet on a second
// goroutine while the current one is read. It gives every cell the text
// excelize's Rows().Columns(RawCellValue) gives (the conformance test in
// xlsxfast_test.go holds it to that); workbooks it cannot place (no
// workbook part, a sheet that is not a worksheet part) are read by
// excelize instead.

// errFastXLSX says a workbook is left to excelize.
var errFastXLSX = errors.New("workbook left to excelize")

// maxSheetRows is the most rows a worksheet holds.
const maxSheetRows = 1 << 20

type fastSheet struct {
	name string
	part *zip.File
}

// fastXLSX is an .xlsx Source reading worksheet parts directly.
type fastXLSX struct {
	name   string
	blob   *blob
	sheets []fastSheet
	sst    []string
	size   int

	cur    int
	feeds  []*sheetFeed // per sheet, started at most one sheet ahead
	batch  Batch
	cancel chan struct{}
	once   sync.Once
}

// sheetFeed carries the rows of one sheet from its decoding goroutine.
type sheetFeed struct {
	rows chan []Row
	err  error // set before rows closes
}

func openFastXLSX(b *blob, in Input) (Source, error) {
	ra, size, err := b.readerAt()
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, errFastXLSX
	}
	wb, err := readWorkbook(zr)
	if err != nil {
		return nil, errFastXLSX
	}
	var names []string
	parts := map[string]*zip.File{}
	for _, sp := range wb.sheets {
		if sp.part == nil || !strings.HasPrefix(sp.path, "xl/worksheets/") {
			return nil, errFastXLSX
		}
		names = append(names, sp.name)
		parts[sp.name] = sp.part
	}
	selected, err := selectSheets(names, in.Sheets)
	if err != nil {
		return nil, err
	}
	x := &fastXLSX{name: in.name(), blob: b, size: in.batchRows(), cancel: make(chan struct{})}
	for _, n := range selected {
		x.sheets = append(x.sheets, fastSheet{name: n, part: parts[n]})
	}
	sstPart := wb.sst
	if sstPart == "" {
		sstPart = "xl/sharedStrings.xml"
	}
	if f := wb.files[sstPart]; f != nil {
		if x.sst, err = readSharedStrings(f); err != nil {
			return nil, fmt.Errorf("shared strings: %w", err)
		}
	}
	x.feeds = make([]*sheetFeed, len(x.sheets))
	return x, nil
}

// start begins decoding sheet i unless it has begun. Sheets are decoded
// on goroutines of their own, the next while the current is read.
func (x *fastXLSX) start(i int) {
	if i >= len(x.sheets) || x.feeds[i] != nil {
		return
	}
	fd := &sheetFeed{rows: make(chan []Row, 4)}
	x.feeds[i] = fd
	go func() {
		defer close(fd.rows)
		fd.err = decodeSheet(x.sheets[i].part, x.sst, x.size, fd.rows, x.cancel)
	}()
}

func (x *fastXLSX) Next(ctx context.Context) (*Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for x.cur < len(x.sheets) {
		x.start(x.cur)
		x.start(x.cur + 1)
		sh := x.sheets[x.cur]
		x.batch = Batch{File: x.name, Sheet: sh.name}
		fd := x.feeds[x.cur]
		var rows []Row
		var ok bool
		select {
		case rows, ok = <-fd.rows:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if ok {
			x.batch.Rows = rows
			return &x.batch, nil
		}
		if fd.err != nil {
			var re *rowError
			if errors.As(fd.err, &re) {
				return nil, report.At(report.Position{File: x.name, Sheet: sh.name, Row: re.row}, report.InputError(re.err))
			}
			return nil, report.At(report.Position{File: x.name, Sheet: sh.name}, report.InputError(fd.err))
		}
		x.feeds[x.cur] = nil
		x.cur++
	}
	return nil, io.EOF
}

func (x *fastXLSX) Close() error {
	x.once.Do(func() {
		close(x.cancel)
		for _, fd := range x.feeds {
			if fd != nil {
				for range fd.rows {
				}
			}
		}
		x.blob.Close()
	})
	return nil
}

type rowError struct {
	row int
	err error
}

func (e *rowError) Error() string { return fmt.Sprintf("row %d: %v", e.row, e.err) }

// decodeSheet reads one worksheet part and sends its rows in batches of
// size. Rows are numbered as excelize's iterator numbers them: every row
// up to the last one present, rows absent from the XML empty; a row whose
// number does not advance continues the row before it.
func decodeSheet(f *zip.File, sst []string, size int, out chan<- []Row, cancel <-chan struct{}) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	// Merged ranges follow the cell data: a first pass finds them.
	return decodeSheetXML(rc, sst, newMergeFill(scanMerges(f)), size, out, cancel)
}

// decodeSheetXML reads the rows of a worksheet's XML; fill fills merged
// ranges down, as the excelize path does.
func decodeSheetXML(r io.Reader, sst []string, fill *mergeFill, size int, out chan<- []Row, cancel <-chan struct{}) error {
	sc := newXMLScanner(r)
	batch := make([]Row, 0, size)
	send := func() bool {
		if len(batch) == 0 {
			return true
		}
		select {
		case out <- batch:
			batch = make([]Row, 0, size)
			return true
		case <-cancel:
			return false
		}
	}
	var (
		seek     int // number of the last row handed on
		cur      int // number of the row element being read
		cells    []string
		open     bool // a row is being gathered
		inData   bool
		cellCol  int
		c        fastCell
		inCell   bool
		field    int // 1 <v>, 2 <f>, 3 <is><t>, 4 <is><r><t>
		depthIS  int // element depth inside <is>
		isT, isR strings.Builder
		haveIST  bool
	)
	emit := func() bool {
		if !open {
			return true
		}
		for j, c := range cells {
			cells[j] = shortestFloat(c)
		}
		batch = append(batch, Row{Num: seek, Cells: fill.apply(seek, cells)})
		cells, open = nil, false
		if len(batch) >= size {
			return send()
		}
		return true
	}
	for {
		tok, err := sc.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch tok.kind {
		case xmlStart:
			name := string(tok.name)
			if inCell {
				switch {
				case depthIS > 0:
					depthIS++
					if name == "t" && !tok.empty {
						if depthIS == 2 {
							field, haveIST = 3, true
							isT.Reset()
						} else if depthIS == 3 && c.inRun {
							field = 4
						}
					} else if name == "r" && depthIS == 2 {
						c.inRun = true
					}
					if tok.empty {
						depthIS--
					}
				case name == "v":
					c.v = ""
					if !tok.empty {
						field = 1
					}
				case name == "f":
					c.f = true
					if !tok.empty {
						field = 2
					}
				case name == "is":
					c.is = true
					if !tok.empty {
						depthIS = 1
					}
				}
				continue
			}
			switch name {
			case "sheetData":
				inData = true
			case "row":
				if !inData {
					continue
				}
				n := cur + 1
				if v, ok := sc.attr(tok.attrs, "r"); ok {
					if r, err := strconv.Atoi(v); err == nil && r != 0 {
						n = r
					}
				}
				if n > maxSheetRows {
					return &rowError{row: seek + 1, err: fmt.Errorf("row number %d is past the last row a sheet can have", n)}
				}
				cur = n
				if !open || cur > seek {
					if !emit() {
						return nil
					}
					for seek+1 < cur {
						seek++
						open = true
						if !emit() {
							return nil
						}
					}
					seek++
					open, cellCol = true, 0
				}
			case "c":
				if !open {
					continue
				}
				cellCol++
				c = fastCell{}
				c.t, _ = sc.attr(tok.attrs, "t")
				if ref, ok := sc.attr(tok.attrs, "r"); ok && ref != "" {
					col, err := refColumn(ref)
					if err != nil {
						return &rowError{row: seek, err: err}
					}
					cellCol = col
				}
				if tok.empty {
					cells = c.appendTo(cells, cellCol, sst)
				} else {
					inCell, isT, isR = true, strings.Builder{}, strings.Builder{}
					haveIST = false
				}
			}
		case xmlEnd:
			name := string(tok.name)
			if inCell {
				switch {
				case depthIS > 0:
					if field == 3 || field == 4 {
						field = 0
					}
					if name == "r" && depthIS == 2 {
						c.inRun = false
					}
					depthIS--
				case name == "c":
					inCell = false
					if haveIST || isR.Len() > 0 {
						c.isText = isT.String() + isR.String()
					}
					cells = c.appendTo(cells, cellCol, sst)
				default:
					field = 0
				}
				continue
			}
			if name == "sheetData" {
				inData = false
			}
		case xmlText:
			if !inCell {
				continue
			}
			switch field {
			case 1:
				c.v += string(tok.text)
			case 3:
				isT.Write(tok.text)
			case 4:
				isR.Write(tok.text)
			}
		}
		select {
		case <-cancel:
			return nil
		default:
		}
	}
	if !emit() {
		return nil
	}
	send()
	return nil
}

// fastCell is one <c> element as read.
type fastCell struct {
	t      string
	v      string
	f      bool // has a formula
	is     bool // has an inline string
	inRun  bool
	isText string
}

// value is the cell's text as excelize gives it with RawCellValue.
func (c *fastCell) value(sst []string) string {
	switch c.t {
	case "s":
		if c.v == "" {
			return ""
		}
		i, _ := strconv.Atoi(strings.TrimSpace(c.v))
		if i < 0 || i >= len(sst) {
			return ""
		}
		return sst[i]
	case "inlineStr":
		if c.is {
			return unescapeOOXML(c.isText)
		}
		return c.v
	}
	return c.v
}

// appendTo places the cell's value in its column: blanks fill the gap
// before it, and an empty cell without a formula adds nothing.
func (c *fastCell) appendTo(cells []string, col int, sst []string) []string {
	v := c.value(sst)
	if v == "" && !c.f {
		return cells
	}
	for i := len(cells) + 1; i < col; i++ {
		cells = append(cells, "")
	}
	return append(cells, v)
}

// refColumn returns the 1-based column of a cell reference ("AB12").
func refColumn(ref string) (int, error) {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		ch := ref[i]
		switch {
		case 'A' <= ch && ch <= 'Z':
			col = col*26 + int(ch-'A'+1)
		case 'a' <= ch && ch <= 'z':
			col = col*26 + int(ch-'a'+1)
		default:
			goto digits
		}
		if col > 16384 {
			return 0, fmt.Errorf("cell reference %q is past the last column", ref)
		}
	}
digits:
	if i == 0 || i == len(ref) {
		return 0, fmt.Errorf("cannot read cell reference %q", ref)
	}
	if n, err := strconv.Atoi(ref[i:]); err != nil || n < 1 || n > maxSheetRows {
		return 0, fmt.Errorf("cannot read cell reference %q", ref)
	}
	return col, nil
}

// readSharedStrings reads the shared strings table: each <si> is its
// direct <t> followed by the <t> of each run <r>; phonetic runs are left
// out.
func readSharedStrings(f *zip.File) ([]string, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	sc := newXMLScanner(rc)
	var (
		out     []string
		depth   int // depth inside <si>
		inRun   bool
		field   int
		t, r    strings.Builder
		haveT   bool
		inTable bool
	)
	for {
		tok, err := sc.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch tok.kind {
		case xmlStart:
			name := string(tok.name)
			if depth == 0 {
				if name == "sst" {
					inTable = true
				}
				if name == "si" && inTable {
					t.Reset()
					r.Reset()
					haveT, inRun = false, false
					if tok.empty {
						out = append(out, "")
					} else {
						depth = 1
					}
				}
				continue
			}
			depth++
			switch {
			case name == "t" && depth == 2 && !tok.empty:
				field, haveT = 1, true
				t.Reset()
			case name == "r" && depth == 2:
				inRun = !tok.empty
			case name == "t" && depth == 3 && inRun && !tok.empty:
				field = 2
			}
			if tok.empty {
				depth--
			}
		case xmlEnd:
			if depth == 0 {
				continue
			}
			if depth == 1 {
				s := ""
				if haveT || r.Len() > 0 {
					s = unescapeOOXML(t.String() + r.String())
				}
				out = append(out, s)
			}
			if depth == 2 && string(tok.name) == "r" {
				inRun = false
			}
			field = 0
			depth--
		case xmlText:
			switch field {
			case 1:
				t.Write(tok.text)
			case 2:
				r.Write(tok.text)
			}
		}
	}
}

var ooxmlEscape = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

// unescapeOOXML turns the _xHHHH_ escapes a workbook uses for characters
// XML cannot carry back into those characters (_x005F_ is an underscore).
func unescapeOOXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	return ooxmlEscape.ReplaceAllStringFunc(s, func(m string) string {
		if m == "_x005F_" {
			return "_"
		}
		v, err := strconv.Unquote(`"\u` + m[2:6] + `"`)
		if err != nil {
			return ""
		}
		return v
	})
}
