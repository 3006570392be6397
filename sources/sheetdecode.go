package sources

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// decodeSheet reads one worksheet part and sends its rows in batches of
// size.
func decodeSheet(f *zip.File, sst []string, size int, out chan<- []Row, cancel <-chan struct{}) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	d := newSheetDecoder(sst, size, out, cancel)
	d.prescan = func() []cellRange { return scanMerges(f) }
	return d.decode(rc)
}

// plainCells says whether the decoder reads cells of the common shapes
// in one go (plainCell); the tests compare it with the general reader.
var plainCells = true

// holdBytes bounds the rows a sheet decoder keeps back (about their
// size in memory) while it does not yet know the sheet's merged ranges.
var holdBytes = 24 << 20

// sheetDecoder reads the rows of one worksheet's XML. Rows are numbered
// as excelize's iterator numbers them: every row up to the last one
// present, rows absent from the XML empty; a row whose number does not
// advance continues the row before it.
//
// Merged ranges are filled down (mergeFill, as on the excelize path), but
// a sheet lists them after its cell data. So the decoder keeps its rows
// back and learns the ranges from the same pass, at the end of the part;
// a sheet whose rows outgrow holdBytes before that is scanned once for
// its ranges first (prescan), and its rows flow from there on.
type sheetDecoder struct {
	sst     []string
	size    int
	out     chan<- []Row
	cancel  <-chan struct{}
	prescan func() []cellRange // the sheet's merged ranges; nil when there is no way to read them first

	fill      *mergeFill
	holding   bool // rows are kept back in held
	held      [][]Row
	heldBytes int
	merges    []cellRange // the mergeCell elements read

	batch []Row
	slab  []string // cells of the batch's rows, carved row by row
	row   []string // cells of the row being read
	prev  []string // per column, the text last made for it, to share when it repeats
	ints  *[smallIntCount]string
	rows  int
	sc    *xmlScanner
}

func newSheetDecoder(sst []string, size int, out chan<- []Row, cancel <-chan struct{}) *sheetDecoder {
	return &sheetDecoder{sst: sst, size: size, out: out, cancel: cancel, holding: true,
		batch: make([]Row, 0, size), ints: smallInts()}
}

// send hands a batch on; false when the reader was closed.
func (d *sheetDecoder) send(b []Row) bool {
	select {
	case d.out <- b:
		return true
	case <-d.cancel:
		return false
	}
}

// flush closes the batch being filled: it is kept back or handed on.
func (d *sheetDecoder) flush() bool {
	if len(d.batch) == 0 {
		return true
	}
	b := d.batch
	d.batch = make([]Row, 0, d.size)
	if !d.holding {
		return d.send(b)
	}
	d.held = append(d.held, b)
	if d.heldBytes > holdBytes {
		var ranges []cellRange
		if d.prescan != nil {
			ranges = d.prescan()
		}
		return d.release(ranges)
	}
	return true
}

// release fills the rows kept back with the merged ranges and hands them
// on; rows after them are filled as they are read.
func (d *sheetDecoder) release(ranges []cellRange) bool {
	d.fill, d.holding = newMergeFill(ranges), false
	held := d.held
	d.held, d.heldBytes = nil, 0
	for _, b := range held {
		for i := range b {
			b[i].Cells = d.fill.apply(b[i].Num, b[i].Cells)
		}
		if !d.send(b) {
			return false
		}
	}
	return true
}

// emit adds row num with the cells of d.row.
func (d *sheetDecoder) emit(num int) bool {
	d.rows++
	if d.rows&63 == 0 {
		select {
		case <-d.cancel:
			return false
		default:
		}
	}
	var cells []string
	if n := len(d.row); n > 0 {
		for j, c := range d.row {
			if len(c) >= 17 { // shortestFloat leaves shorter texts alone
				d.row[j] = shortestFloat(c)
			}
		}
		if cap(d.slab)-len(d.slab) < n {
			d.slab = make([]string, 0, n*min(d.size, 256))
		}
		l := len(d.slab)
		d.slab = append(d.slab, d.row...)
		cells = d.slab[l : l+n : l+n]
		d.row = d.row[:0]
	}
	if d.holding {
		d.heldBytes += 64 + 16*len(cells)
	} else {
		cells = d.fill.apply(num, cells)
	}
	d.batch = append(d.batch, Row{Num: num, Cells: cells})
	if len(d.batch) >= d.size {
		return d.flush()
	}
	return true
}

// smallIntCount is how many of the first whole numbers have texts made
// once for every sheet (votes and sizes of polling stations are most of
// a results sheet's cells).
const smallIntCount = 10000

var smallInts = sync.OnceValue(func() *[smallIntCount]string {
	var b []byte
	for i := range smallIntCount {
		b = strconv.AppendInt(b, int64(i), 10)
	}
	all := string(b)
	var t [smallIntCount]string
	at := 0
	for i := range t {
		n := 1
		for x := i; x >= 10; x /= 10 {
			n++
		}
		t[i] = all[at : at+n]
		at += n
	}
	return &t
})

// text returns b as a string for column col, sharing the text of a
// small number or of the column's last cell when it is the same.
func (d *sheetDecoder) text(col int, b []byte) string {
	switch n := len(b); {
	case n == 0:
		return ""
	case n <= 4 && (n == 1 || b[0] != '0'):
		v := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				goto other
			}
			v = v*10 + int(c-'0')
		}
		return d.ints[v]
	}
other:
	if col < 1 || col > 16384 {
		return string(b)
	}
	if col > len(d.prev) {
		d.prev = append(d.prev, make([]string, col-len(d.prev))...)
	}
	if p := d.prev[col-1]; p == string(b) {
		return p
	}
	s := string(b)
	d.prev[col-1] = s
	if d.holding {
		d.heldBytes += len(s)
	}
	return s
}

// Cell types the value depends on.
const (
	cellOther = iota
	cellShared
	cellInline
)

func cellKind(raw []byte) int {
	if !plainAttr(raw) {
		raw = []byte(attrValue(raw))
	}
	switch string(raw) {
	case "s":
		return cellShared
	case "inlineStr":
		return cellInline
	}
	return cellOther
}

// decode reads the worksheet XML from r. Rows in whole batches before
// an error are handed on, as they would be without keeping rows back.
func (d *sheetDecoder) decode(r io.Reader) error {
	err := d.read(r)
	if err != nil && d.holding {
		d.release(d.merges)
	}
	return err
}

func (d *sheetDecoder) read(r io.Reader) error {
	sc := newXMLScanner(r)
	d.sc = sc
	var (
		seek    int // number of the last row handed on
		cur     int // number of the row element being read
		open    bool
		inData  bool
		cellCol int
		inCell  bool
		kind    int  // of the cell being read
		hasF    bool // it has a formula
		hasIS   bool // it has an inline string
		inRun   bool
		field   int // 1 <v>, 2 <f>, 3 <is><t>, 4 <is><r><t>
		depthIS int // element depth inside <is>
		haveIST bool
		v       []byte
		isT     []byte
		isR     []byte
	)
	for {
		if open && !inCell && plainCells {
			// Most cells are one of three shapes, read here in one go.
			if b := sc.buf[sc.pos:sc.end]; len(b) > 2 && b[0] == '<' && b[1] != '/' {
				n, err := d.plainCell(b, &cellCol, seek)
				if err != nil {
					return err
				}
				if n > 0 {
					sc.pos += n
					continue
				}
			}
		}
		tok, err := sc.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch tok.kind {
		case xmlStart:
			name := tok.name
			if inCell {
				switch {
				case depthIS > 0:
					depthIS++
					if string(name) == "t" && !tok.empty {
						if depthIS == 2 {
							field, haveIST = 3, true
							isT = isT[:0]
						} else if depthIS == 3 && inRun {
							field = 4
						}
					} else if string(name) == "r" && depthIS == 2 {
						inRun = true
					}
					if tok.empty {
						depthIS--
					}
				case string(name) == "v":
					v = v[:0]
					if !tok.empty {
						field = 1
					}
				case string(name) == "f":
					hasF = true
					if !tok.empty {
						field = 2
					}
				case string(name) == "is":
					hasIS = true
					if !tok.empty {
						depthIS = 1
					}
				}
				continue
			}
			switch string(name) {
			case "sheetData":
				inData = true
			case "row":
				if !inData {
					continue
				}
				n := cur + 1
				if raw, ok := tok.attr("r"); ok {
					if r, ok := attrInt(raw); ok && r != 0 {
						n = r
					}
				}
				if n > maxSheetRows {
					return &rowError{row: seek + 1, err: fmt.Errorf("row number %d is past the last row a sheet can have", n)}
				}
				cur = n
				if !open || cur > seek {
					if open && !d.emit(seek) {
						return nil
					}
					for seek+1 < cur {
						seek++
						if !d.emit(seek) {
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
				kind, hasF, hasIS, inRun, depthIS, field = cellOther, false, false, false, 0, 0
				v = v[:0]
				if raw, ok := tok.attr("t"); ok {
					kind = cellKind(raw)
				}
				if raw, ok := tok.attr("r"); ok && len(raw) > 0 {
					ref := raw
					if !plainAttr(raw) {
						ref = []byte(attrValue(raw))
					}
					if len(ref) > 0 {
						col, err := refColumn(ref)
						if err != nil {
							return &rowError{row: seek, err: err}
						}
						cellCol = col
					}
				}
				if tok.empty {
					d.addCell(cellCol, kind, v, false, false, false, nil, nil)
				} else {
					inCell, haveIST = true, false
					isT, isR = isT[:0], isR[:0]
				}
			case "mergeCell":
				if raw, ok := tok.attr("ref"); ok && d.holding {
					if r, ok := parseRange(attrValue(raw)); ok {
						d.merges = append(d.merges, r)
					}
				}
			}
		case xmlEnd:
			name := tok.name
			if inCell {
				switch {
				case depthIS > 0:
					if field == 3 || field == 4 {
						field = 0
					}
					if string(name) == "r" && depthIS == 2 {
						inRun = false
					}
					depthIS--
				case string(name) == "c":
					inCell = false
					d.addCell(cellCol, kind, v, hasF, hasIS, haveIST, isT, isR)
				default:
					field = 0
				}
				continue
			}
			if string(name) == "sheetData" {
				inData = false
			}
		case xmlText:
			if !inCell {
				continue
			}
			switch field {
			case 1:
				v = append(v, tok.text...)
			case 3:
				isT = append(isT, tok.text...)
			case 4:
				isR = append(isR, tok.text...)
			}
		}
	}
	if open && !d.emit(seek) {
		return nil
	}
	if !d.flush() {
		return nil
	}
	if d.holding {
		d.release(d.merges)
	}
	return nil
}

// plainCell reads the cell element at the head of b when it is whole
// there and has one of the shapes <c .../>, <c ...><v>text</v></c> or
// <c ...><is><t>text</t></is></c>, every tag with the same prefix or
// none (<x:c ...><x:v>1</x:v></x:c>); it returns its length, or 0 to
// leave the element to the general reader.
func (d *sheetDecoder) plainCell(b []byte, cellCol *int, seek int) (int, error) {
	var prefix []byte // "x:" or none
	if b[1] != 'c' || !nameEnd[b[2]] {
		j := 1
		for j < len(b) && j < 32 && b[j] != ':' && !nameEnd[b[j]] {
			j++
		}
		if j+2 >= len(b) || b[j] != ':' || b[j+1] != 'c' || !nameEnd[b[j+2]] {
			return 0, nil
		}
		prefix = b[1 : j+1]
	}
	n, ref, t, empty := cellTag(b, 2+len(prefix))
	if n == 0 {
		return 0, nil
	}
	kind := cellOther
	if t != nil {
		kind = cellKind(t)
	}
	col := *cellCol + 1
	if c, ok := plainRef(ref); ok {
		col = c
	} else if len(ref) > 0 {
		if !plainAttr(ref) {
			ref = []byte(attrValue(ref))
		}
		if len(ref) > 0 {
			c, err := refColumn(ref)
			if err != nil {
				return 0, &rowError{row: seek, err: err}
			}
			col = c
		}
	}
	if empty {
		*cellCol = col
		d.addCell(col, kind, nil, false, false, false, nil, nil)
		return n, nil
	}
	rest := b[n:]
	inline := false
	var k int
	switch {
	case len(prefix) > 0:
		if k = tagsAt(rest, prefix, "<|v>"); k == 0 {
			k, inline = tagsAt(rest, prefix, "<|is><|t>"), true
		}
	case bytes.HasPrefix(rest, []byte("<v>")):
		k = len("<v>")
	case bytes.HasPrefix(rest, []byte("<is><t>")):
		k, inline = len("<is><t>"), true
	}
	if k == 0 {
		return 0, nil
	}
	text := rest[k:]
	end := bytes.IndexByte(text, '<')
	if end < 0 {
		return 0, nil
	}
	var m int
	switch {
	case len(prefix) > 0 && inline:
		m = tagsAt(text[end:], prefix, "</|t></|is></|c>")
	case len(prefix) > 0:
		m = tagsAt(text[end:], prefix, "</|v></|c>")
	case inline && bytes.HasPrefix(text[end:], []byte("</t></is></c>")):
		m = len("</t></is></c>")
	case !inline && bytes.HasPrefix(text[end:], []byte("</v></c>")):
		m = len("</v></c>")
	}
	if m == 0 {
		return 0, nil
	}
	n += k + end + m
	text = text[:end]
	if !plainText(text) {
		text = d.sc.resolve(text)
	}
	*cellCol = col
	if inline {
		d.addCell(col, kind, nil, false, true, true, text, nil)
	} else {
		d.addCell(col, kind, text, false, false, false, nil, nil)
	}
	return n, nil
}

// tagsAt returns the length of tags at the head of b, with prefix in
// place of each '|', or 0 when b does not begin with them.
func tagsAt(b, prefix []byte, tags string) int {
	n := 0
	for i := 0; i < len(tags); i++ {
		if c := tags[i]; c == '|' {
			if !bytes.HasPrefix(b[n:], prefix) {
				return 0
			}
			n += len(prefix)
		} else {
			if n >= len(b) || b[n] != c {
				return 0
			}
			n++
		}
	}
	return n
}

// cellTag reads the start tag of a cell, <c r="B2" t="s"> or <c .../>,
// at the head of b, from its attributes at j on: its length and its r and t attributes (nil when
// absent). n is 0 for a tag it leaves to the general reader: attributes
// with prefixes or spaces around '=', a tag not whole in b.
func cellTag(b []byte, j int) (n int, ref, t []byte, empty bool) {
	for {
		for j < len(b) && xmlSpace[b[j]] {
			j++
		}
		if j >= len(b) {
			return 0, nil, nil, false
		}
		switch b[j] {
		case '>':
			return j + 1, ref, t, false
		case '/':
			if j+1 < len(b) && b[j+1] == '>' {
				return j + 2, ref, t, true
			}
			return 0, nil, nil, false
		}
		k := j
		for k < len(b) && !attrNameEnd[b[k]] && b[k] != ':' {
			k++
		}
		if k+1 >= len(b) || b[k] != '=' || k == j {
			return 0, nil, nil, false
		}
		q := b[k+1]
		if q != '"' && q != '\'' {
			return 0, nil, nil, false
		}
		e := k + 2
		for e < len(b) && b[e] != q {
			e++
		}
		if e >= len(b) {
			return 0, nil, nil, false
		}
		if k == j+1 {
			switch b[j] {
			case 'r':
				if ref == nil {
					ref = b[k+2 : e]
				}
			case 't':
				if t == nil {
					t = b[k+2 : e]
				}
			}
		}
		j = e + 1
	}
}

// plainRef reads the column of a cell reference written the usual way,
// capital letters and then the row's digits ("AB12"); ok is false for
// anything else, left to refColumn.
func plainRef(ref []byte) (col int, ok bool) {
	i := 0
	for ; i < len(ref) && i < 3 && 'A' <= ref[i] && ref[i] <= 'Z'; i++ {
		col = col*26 + int(ref[i]-'A'+1)
	}
	digits := len(ref) - i
	if i == 0 || digits == 0 || digits > 7 || col > 16384 {
		return 0, false
	}
	n := 0
	for _, c := range ref[i:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 || n > maxSheetRows {
		return 0, false
	}
	return col, true
}

// plainText reports whether raw character data is its own text: no
// references, no carriage returns.
func plainText(raw []byte) bool {
	for _, c := range raw {
		if c == '&' || c == '\r' {
			return false
		}
	}
	return true
}

// addCell places a cell's value in its column of the row being read:
// blanks fill the gap before it, and an empty cell without a formula adds
// nothing. The value is the text excelize gives with RawCellValue.
func (d *sheetDecoder) addCell(col, kind int, v []byte, hasF, hasIS, haveIST bool, isT, isR []byte) {
	var s string
	switch {
	case kind == cellShared:
		if len(v) > 0 {
			i, ok := plainUint(v)
			if !ok {
				i, _ = strconv.Atoi(strings.TrimSpace(string(v)))
			}
			if i >= 0 && i < len(d.sst) {
				s = d.sst[i]
			}
		}
	case kind == cellInline && hasIS:
		if haveIST || len(isR) > 0 {
			t := isT
			if len(isR) > 0 {
				t = append(isT, isR...)
			}
			if bytes.Contains(t, []byte("_x")) {
				s = unescapeOOXML(string(t))
			} else {
				s = d.text(col, t)
			}
		}
	default:
		s = d.text(col, v)
	}
	if s == "" && !hasF {
		return
	}
	for i := len(d.row) + 1; i < col; i++ {
		d.row = append(d.row, "")
	}
	d.row = append(d.row, s)
}

// plainUint reads b of one to nine digits.
func plainUint(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// attrInt reads a raw attribute value as strconv.Atoi reads its text.
func attrInt(raw []byte) (int, bool) {
	if n, ok := plainUint(raw); ok {
		return n, true
	}
	n, err := strconv.Atoi(attrValue(raw))
	return n, err == nil
}
