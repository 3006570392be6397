package sources

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"

	kflate "github.com/klauspost/compress/flate"

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
	feeds  []*sheetFeed // per sheet, started at most sheetsAhead() sheets ahead
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
	zr.RegisterDecompressor(zip.Deflate, newInflater)
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

// sheetsAhead is how many sheets are decoded ahead of the one being
// read: one per processor beside the one reading, at most two (decoding
// takes a fraction of the reader's time, and each decoder keeps up to
// holdBytes of rows, so this bounds the memory decoding takes).
func sheetsAhead() int { return min(2, max(1, runtime.GOMAXPROCS(0)-1)) }

// newInflater reads a deflated zip member with klauspost's inflater,
// faster than compress/flate's.
func newInflater(r io.Reader) io.ReadCloser { return kflate.NewReader(r) }

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
		for k := range sheetsAhead() + 1 {
			x.start(x.cur + k)
		}
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

// refColumn returns the 1-based column of a cell reference ("AB12").
func refColumn(ref []byte) (int, error) {
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
	n, ok := plainUint(ref[i:])
	if !ok {
		var err error
		if n, err = strconv.Atoi(string(ref[i:])); err != nil {
			n = 0
		}
	}
	if n < 1 || n > maxSheetRows {
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
		t, r    []byte
		haveT   bool
		inTable bool
	)
	for {
		if inTable && depth == 0 {
			// Most items are <si><t>text</t></si>, read here in one go.
			if s, n := plainSharedString(sc, sc.buf[sc.pos:sc.end]); n > 0 {
				out = append(out, s)
				sc.pos += n
				continue
			}
		}
		tok, err := sc.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch tok.kind {
		case xmlStart:
			name := tok.name
			if depth == 0 {
				if string(name) == "sst" {
					inTable = true
					if raw, ok := tok.attr("uniqueCount"); ok && out == nil {
						if n, ok := plainUint(raw); ok {
							out = make([]string, 0, min(n, 1<<17))
						}
					}
				}
				if string(name) == "si" && inTable {
					t, r = t[:0], r[:0]
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
			case string(name) == "t" && depth == 2 && !tok.empty:
				field, haveT = 1, true
				t = t[:0]
			case string(name) == "r" && depth == 2:
				inRun = !tok.empty
			case string(name) == "t" && depth == 3 && inRun && !tok.empty:
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
				if haveT || len(r) > 0 {
					s = unescapeOOXML(string(append(t, r...)))
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
				t = append(t, tok.text...)
			case 2:
				r = append(r, tok.text...)
			}
		}
	}
}

// plainSharedString reads the item at the head of b when it is whole
// there and is <si><t ...>text</t></si>; n is its length, 0 to leave it
// to the general reader.
func plainSharedString(sc *xmlScanner, b []byte) (s string, n int) {
	if !bytes.HasPrefix(b, []byte("<si><t")) || len(b) < 7 || !nameEnd[b[6]] {
		return "", 0
	}
	tok, k := sc.startTag(b[4:])
	if k < 0 || tok.empty {
		return "", 0
	}
	text := b[4+k:]
	end := bytes.IndexByte(text, '<')
	if end < 0 || !bytes.HasPrefix(text[end:], []byte("</t></si>")) {
		return "", 0
	}
	n = 4 + k + end + len("</t></si>")
	text = text[:end]
	if !plainText(text) {
		text = sc.resolve(text)
	}
	if bytes.Contains(text, []byte("_x")) {
		return unescapeOOXML(string(text)), n
	}
	return string(text), n
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
