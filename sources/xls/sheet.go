package xls

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// decodeSheet decodes a sheet's substream. The caller holds wb.mu.
func (wb *Workbook) decodeSheet(s *Sheet) *sheetData {
	if s.Kind == ChartSheet || s.Kind == Module {
		return &sheetData{}
	}
	start, err := wb.sheetStart(s)
	if err != nil {
		return &sheetData{err: &Error{Sheet: s.Name, Offset: s.off, Err: err}}
	}
	d := &sheetDecoder{wb: wb, sheet: s}
	rows, merged, err := d.run(start)
	return &sheetData{rows: rows, merged: merged, err: err}
}

// sheetStart finds the BOF record of a sheet's substream. BOUNDSHEET gives
// its offset; when that offset does not hold a BOF record (a writer that got
// it wrong), the sheet is taken to be the n-th substream after the globals,
// in the order BOUNDSHEET records list the sheets.
func (wb *Workbook) sheetStart(s *Sheet) (int64, error) {
	if s.off >= wb.end && s.off < int64(len(wb.stream)) && isBOF(wb.stream[s.off:]) {
		return s.off, nil
	}
	if !wb.bofsDone {
		wb.bofs = substreams(wb.stream, wb.end)
		wb.bofsDone = true
	}
	if s.index < len(wb.bofs) {
		return wb.bofs[s.index], nil
	}
	return 0, fmt.Errorf("the sheet's substream is not at byte %d, and the stream has only %d substreams after the globals", s.off, len(wb.bofs))
}

// substreams returns the offsets of the top-level BOF records from offset
// from to the end of the stream.
func substreams(stream []byte, from int64) []int64 {
	rs := &records{buf: stream, pos: int(from)}
	var offs []int64
	depth := 0
	for {
		rec, err := rs.next()
		if err != nil {
			return offs
		}
		switch rec.id {
		case recBOF:
			if depth == 0 {
				offs = append(offs, rec.off)
			}
			depth++
		case recEOF:
			if depth > 0 {
				depth--
			}
		}
	}
}

// sheetDecoder turns one worksheet substream into cells.
type sheetDecoder struct {
	wb     *Workbook
	sheet  *Sheet
	rows   [][]Cell
	merged []Range
	// pending is the formula cell (row index, index in the row) whose string
	// result the next STRING record holds; row -1 when there is none.
	pendingRow, pendingIdx int
	unsorted               bool // some row got a cell left of its last one
}

func (d *sheetDecoder) fail(rec record, row, col int, err error) error {
	return &Error{Sheet: d.sheet.Name, Row: row, Col: col, Offset: rec.off, Err: err}
}

func (d *sheetDecoder) run(start int64) ([][]Cell, []Range, error) {
	d.pendingRow = -1
	rs := &records{buf: d.wb.stream, pos: int(start)}
	bof, err := rs.next()
	if err != nil {
		return nil, nil, d.fail(bof, 0, 0, err)
	}
	if len(bof.data) >= 4 {
		switch le16(bof.data[2:]) {
		case bofChart, bofVBModule, bofWorkspace:
			return nil, nil, nil // no cells, whatever BOUNDSHEET said
		}
	}
	depth := 0 // inside a chart embedded in the worksheet
	for {
		rec, err := rs.next()
		if errors.Is(err, io.EOF) {
			break // a sheet cut off before its EOF record keeps what it has
		}
		if err != nil {
			return nil, nil, d.fail(rec, 0, 0, err)
		}
		switch {
		case rec.id == recBOF:
			depth++
			continue
		case rec.id == recEOF:
			if depth == 0 {
				return d.finish()
			}
			depth--
			continue
		case depth > 0:
			continue
		}
		if err := d.record(rec, rs); err != nil {
			return nil, nil, err
		}
	}
	return d.finish()
}

// minLen is the shortest valid data of each cell record.
var minLen = map[uint16]int{
	recNumber:   14,
	recRK:       10,
	recMulRK:    12,
	recLabelSST: 10,
	recLabel:    8,
	recRString:  8,
	recBoolErr:  8,
	recFormula:  20,
	recString:   2,
	recMerged:   2,
}

func (d *sheetDecoder) record(rec record, rs *records) error {
	if n, ok := minLen[rec.id]; ok && len(rec.data) < n {
		row, col := 0, 0
		if len(rec.data) >= 4 && rec.id != recString && rec.id != recMerged {
			row, col = int(le16(rec.data))+1, int(le16(rec.data[2:]))+1
		}
		return d.fail(rec, row, col, fmt.Errorf("record %#04x of %d bytes is too short (at least %d)", rec.id, len(rec.data), n))
	}
	data := rec.data
	switch rec.id {
	case recNumber, recRK, recLabelSST, recLabel, recRString, recBoolErr, recFormula, recMulRK:
		row, last := int(le16(data)), int(le16(data[2:]))
		if rec.id == recMulRK {
			last += (len(data)-6)/6 - 1
		}
		if last >= MaxCols {
			return d.fail(rec, row+1, last+1, fmt.Errorf("column %s is past %s, the last column of an .xls sheet", ColumnName(last+1), ColumnName(MaxCols)))
		}
	}
	switch rec.id {
	case recNumber:
		d.number(data, int(le16(data[4:])), math.Float64frombits(uint64(le32(data[6:]))|uint64(le32(data[10:]))<<32), false)
	case recRK:
		d.number(data, int(le16(data[4:])), rkValue(le32(data[6:])), false)
	case recMulRK:
		row, first := int(le16(data)), int(le16(data[2:]))
		n := (len(data) - 6) / 6
		for i := range n {
			e := data[4+6*i:]
			d.add(row, first+i, d.numberCell(int(le16(e)), rkValue(le32(e[2:]))))
		}
	case recLabelSST:
		i := int(le32(data[6:]))
		if i >= len(d.wb.sst) {
			err := fmt.Errorf("shared string %d does not exist: the table has %d", i, len(d.wb.sst))
			if d.wb.sstErr != nil {
				err = fmt.Errorf("%w (%v)", err, d.wb.sstErr)
			}
			return d.fail(rec, int(le16(data))+1, int(le16(data[2:]))+1, err)
		}
		d.add(int(le16(data)), int(le16(data[2:])), Cell{Kind: KindText, Text: d.wb.sst[i]})
	case recLabel, recRString:
		s, err := d.cellString(data[6:], rs)
		if err != nil {
			return d.fail(rec, int(le16(data))+1, int(le16(data[2:]))+1, err)
		}
		d.add(int(le16(data)), int(le16(data[2:])), Cell{Kind: KindText, Text: s})
	case recBoolErr:
		d.add(int(le16(data)), int(le16(data[2:])), boolErrCell(data[6], data[7] != 0))
	case recFormula:
		d.formula(data)
	case recString:
		if d.pendingRow < 0 {
			return nil // a STRING record with no formula before it: nothing to fill
		}
		c := &d.rows[d.pendingRow][d.pendingIdx]
		d.pendingRow = -1
		s, err := d.cellString(data, rs)
		if err != nil {
			return d.fail(rec, c.Row, c.Col, fmt.Errorf("formula result: %w", err))
		}
		c.Text = s
	case recMerged:
		n := min(int(le16(data)), (len(data)-2)/8)
		for i := range n {
			e := data[2+8*i:]
			r := Range{
				FirstRow: int(le16(e)) + 1, LastRow: int(le16(e[2:])) + 1,
				FirstCol: int(le16(e[4:])) + 1, LastCol: int(le16(e[6:])) + 1,
			}
			if r.FirstRow > r.LastRow {
				r.FirstRow, r.LastRow = r.LastRow, r.FirstRow
			}
			if r.FirstCol > r.LastCol {
				r.FirstCol, r.LastCol = r.LastCol, r.FirstCol
			}
			d.merged = append(d.merged, r)
		}
	}
	return nil
}

// cellString decodes the string of a LABEL, RSTRING or STRING record, which
// may go on in CONTINUE records in BIFF8.
func (d *sheetDecoder) cellString(data []byte, rs *records) (string, error) {
	if d.wb.BIFF == 8 {
		return newChain(data, rs.continues()).unicodeString()
	}
	n := int(le16(data))
	if n > len(data)-2 {
		return "", errShortString
	}
	return d.wb.dec.decode(data[2 : 2+n]), nil
}

func (d *sheetDecoder) number(data []byte, xf int, v float64, formula bool) {
	c := d.numberCell(xf, v)
	c.Formula = formula
	d.add(int(le16(data)), int(le16(data[2:])), c)
}

// numberCell makes the cell of number v in cell format xf.
func (d *sheetDecoder) numberCell(xf int, v float64) Cell {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Cell{Kind: KindError, Text: "#NUM!"}
	}
	class := classNumber
	if xf < len(d.wb.xfClass) {
		class = d.wb.xfClass[xf]
	}
	switch class {
	case classDate, classTime:
		if s, ok := dateText(v, d.wb.Date1904, class == classTime); ok {
			return Cell{Kind: KindDate, Text: s, Num: v}
		}
	case classPercent:
		return Cell{Kind: KindNumber, Text: percentText(v), Num: v}
	}
	return Cell{Kind: KindNumber, Text: numberText(v), Num: v}
}

func boolErrCell(v byte, isErr bool) Cell {
	if isErr {
		return Cell{Kind: KindError, Text: errorText(v)}
	}
	if v != 0 {
		return Cell{Kind: KindBool, Text: "TRUE", Num: 1}
	}
	return Cell{Kind: KindBool, Text: "FALSE", Num: 0}
}

// formula decodes a FORMULA record's cached result. A string result is only
// announced here; the STRING record that follows holds it.
func (d *sheetDecoder) formula(data []byte) {
	row, col, xf := int(le16(data)), int(le16(data[2:])), int(le16(data[4:]))
	res := data[6:14]
	if le16(res[6:]) != 0xFFFF {
		d.number(data, xf, math.Float64frombits(uint64(le32(res))|uint64(le32(res[4:]))<<32), true)
		return
	}
	var c Cell
	switch res[0] {
	case 0: // string, in the STRING record
		c = Cell{Kind: KindText}
	case 1:
		c = boolErrCell(res[2], false)
	case 2:
		c = boolErrCell(res[2], true)
	case 3: // empty string
		c = Cell{Kind: KindText}
	default:
		c = Cell{Kind: KindError, Text: fmt.Sprintf("#ERR%d!", res[0])}
	}
	c.Formula = true
	d.add(row, col, c)
	if res[0] == 0 {
		d.pendingRow = row
		d.pendingIdx = len(d.rows[row]) - 1
	}
}

// add stores cell c at the 0-based row and column.
func (d *sheetDecoder) add(row, col int, c Cell) {
	d.pendingRow = -1
	c.Row, c.Col = row+1, col+1
	for len(d.rows) <= row {
		d.rows = append(d.rows, nil)
	}
	r := d.rows[row]
	if n := len(r); n > 0 && r[n-1].Col >= c.Col {
		d.unsorted = true
	}
	d.rows[row] = append(r, c)
}

// finish puts each row in column order; where a cell was written twice, the
// later record wins, as in Excel.
func (d *sheetDecoder) finish() ([][]Cell, []Range, error) {
	if d.unsorted {
		for i, r := range d.rows {
			slices.SortStableFunc(r, func(a, b Cell) int { return a.Col - b.Col })
			out := r[:0]
			for j, c := range r {
				if j+1 < len(r) && r[j+1].Col == c.Col {
					continue
				}
				out = append(out, c)
			}
			d.rows[i] = out
		}
	}
	return d.rows, d.merged, nil
}

// rkValue decodes an RK number: a 30-bit integer or the high 30 bits of a
// double, possibly divided by 100.
func rkValue(rk uint32) float64 {
	var v float64
	if rk&0x02 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&0xFFFFFFFC) << 32)
	}
	if rk&0x01 != 0 {
		v /= 100
	}
	return v
}
