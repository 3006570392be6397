package sources

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"
)

// cellRange is a merged range of a sheet, 1-based and inclusive.
type cellRange struct{ col1, row1, col2, row2 int }

// sheetMerges reads the merged ranges of every sheet of an .xlsx workbook
// without loading the sheets: it finds each sheet's part through the
// workbook's relationships and scans the part's bytes for <mergeCell>
// elements, which follow the cell data. (excelize's GetMergeCells parses
// the whole sheet, gigabytes on a sheet of 300,000 rows.)
func sheetMerges(ra io.ReaderAt, size int64) map[string][]cellRange {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil
	}
	wb, err := readWorkbook(zr)
	if err != nil {
		return nil
	}
	out := map[string][]cellRange{}
	for _, s := range wb.sheets {
		if s.part != nil {
			if m := scanMerges(s.part); len(m) > 0 {
				out[s.name] = m
			}
		}
	}
	return out
}

// workbook is the structure of an .xlsx package: its sheets in workbook
// order with the zip member holding each, and the shared strings part.
type workbook struct {
	files  map[string]*zip.File
	sheets []sheetPart
	sst    string // path of the shared strings part; "" when none is named
}

type sheetPart struct {
	name string
	path string    // e.g. xl/worksheets/sheet1.xml
	part *zip.File // nil when the package lacks the member
}

// readWorkbook reads xl/workbook.xml and its relationships.
func readWorkbook(zr *zip.Reader) (*workbook, error) {
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := readXML(files["xl/workbook.xml"], &wb); err != nil {
		return nil, err
	}
	if err := readXML(files["xl/_rels/workbook.xml.rels"], &rels); err != nil {
		return nil, err
	}
	out := &workbook{files: files}
	target := map[string]string{}
	for _, r := range rels.Rels {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join("xl", t)
		}
		target[r.ID] = t
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			out.sst = t
		}
	}
	for _, s := range wb.Sheets {
		t := target[s.RID]
		out.sheets = append(out.sheets, sheetPart{name: s.Name, path: t, part: files[t]})
	}
	return out, nil
}

func readXML(f *zip.File, v any) error {
	if f == nil {
		return io.ErrUnexpectedEOF
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, 64<<20)).Decode(v)
}

// scanMerges finds the ref of every mergeCell element in a sheet part.
func scanMerges(f *zip.File) []cellRange {
	rc, err := f.Open()
	if err != nil {
		return nil
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 1<<20)
	var out []cellRange
	var carry, chunk []byte
	buf := make([]byte, 1<<20)
	for {
		n, err := br.Read(buf)
		chunk = append(append(chunk[:0], carry...), buf[:n]...)
		// Keep an element cut at the chunk's end for the next round.
		cut := len(chunk)
		if i := bytes.LastIndexByte(chunk, '<'); i >= 0 && bytes.IndexByte(chunk[i:], '>') < 0 {
			cut = i
		}
		out = appendMerges(out, chunk[:cut])
		carry = append(carry[:0:0], chunk[cut:]...)
		if len(carry) > 4096 {
			carry = nil // not an element of ours
		}
		if err != nil {
			break
		}
	}
	return out
}

func appendMerges(out []cellRange, b []byte) []cellRange {
	for {
		i := bytes.Index(b, []byte("mergeCell "))
		if i < 0 {
			return out
		}
		b = b[i+len("mergeCell "):]
		end := bytes.IndexByte(b, '>')
		if end < 0 {
			return out
		}
		el := b[:end]
		if j := bytes.Index(el, []byte(`ref="`)); j >= 0 {
			ref := el[j+5:]
			if k := bytes.IndexByte(ref, '"'); k > 0 {
				if r, ok := parseRange(string(ref[:k])); ok {
					out = append(out, r)
				}
			}
		}
		b = b[end:]
	}
}

func parseRange(ref string) (cellRange, bool) {
	a, b, ok := strings.Cut(ref, ":")
	if !ok {
		return cellRange{}, false
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(a)
	c2, r2, err2 := excelize.CellNameToCoordinates(b)
	if err1 != nil || err2 != nil || c2 < c1 || r2 < r1 {
		return cellRange{}, false
	}
	return cellRange{c1, r1, c2, r2}, true
}

// mergeFill copies the value of a range merged down one column into the
// rows the range covers: a region name merged over its districts reaches
// each district's row, and a header cell merged over two header rows names
// its column in both. Ranges wider than one column are left alone: a title
// or section label merged over the width of the sheet stays a one-cell
// row, and the header reader fills header groups itself.
type mergeFill struct {
	ranges []cellRange
	top    map[int]string // index in ranges -> the top cell's value
}

func newMergeFill(ranges []cellRange) *mergeFill {
	var tall []cellRange
	for _, r := range ranges {
		if r.row2 > r.row1 && r.col1 == r.col2 {
			tall = append(tall, r)
		}
	}
	if len(tall) == 0 {
		return nil
	}
	return &mergeFill{ranges: tall, top: map[int]string{}}
}

// apply fills row num's cells, which it may extend.
func (m *mergeFill) apply(num int, cells []string) []string {
	if m == nil {
		return cells
	}
	for i, r := range m.ranges {
		if num < r.row1 || num > r.row2 {
			continue
		}
		c := r.col1 - 1
		if num == r.row1 {
			if c < len(cells) {
				m.top[i] = cells[c]
			}
			continue
		}
		v := m.top[i]
		if v == "" {
			continue
		}
		for len(cells) <= c {
			cells = append(cells, "")
		}
		if strings.TrimSpace(cells[c]) == "" {
			cells[c] = v
		}
		if num == r.row2 {
			delete(m.top, i)
		}
	}
	return cells
}
