package xls

import (
	"errors"
	"fmt"
	"io"
)

// parseWorkbook decodes the workbook globals substream at the start of a
// workbook stream.
func parseWorkbook(stream []byte) (*Workbook, error) {
	rs := &records{buf: stream}
	bof, err := rs.next()
	if err != nil || !isBOF(stream) {
		return nil, fmt.Errorf("%w: the workbook stream does not start with a BOF record", ErrNotXLS)
	}
	switch bof.id {
	case recBOF2, recBOF3, recBOF4:
		v := map[uint16]int{recBOF2: 2, recBOF3: 3, recBOF4: 4}[bof.id]
		return nil, fmt.Errorf("%w: BIFF%d (Excel %d.x); save it as Excel 97-2003 or later", ErrUnsupported, v, v)
	}
	wb := &Workbook{stream: stream, Codepage: 1252}
	vers, dt := le16(bof.data), le16(bof.data[2:])
	switch {
	case vers == 0x0600:
		wb.BIFF = 8
	case vers == 0x0500:
		wb.BIFF = 5
	case len(bof.data) >= 16: // some writers leave the version out
		wb.BIFF = 8
	default:
		wb.BIFF = 5
	}
	if dt != bofGlobals {
		return nil, fmt.Errorf("%w: the workbook stream starts with a substream of type %#04x, not the workbook globals", ErrNotXLS, dt)
	}

	type rawFormat struct {
		id  int
		rec record
	}
	var (
		formats []rawFormat
		sheets  []record
		xfFmt   []int
		sstSegs [][]byte
	)
	for {
		rec, err := rs.next()
		if errors.Is(err, io.EOF) {
			break // the globals end with the stream: lenient, nothing is lost
		}
		if err != nil {
			return nil, &Error{Offset: rec.off, Err: err}
		}
		if rec.id == recEOF {
			break
		}
		if rec.id == recBOF {
			// A sheet begins without the globals' EOF before it.
			rs.pos = int(rec.off)
			break
		}
		switch rec.id {
		case recFilepass:
			return nil, ErrEncrypted
		case recCodepage:
			if len(rec.data) >= 2 {
				wb.Codepage = int(le16(rec.data))
			}
		case recDatemode:
			if len(rec.data) >= 2 {
				wb.Date1904 = le16(rec.data) == 1
			}
		case recFormat:
			if len(rec.data) >= 2 {
				formats = append(formats, rawFormat{int(le16(rec.data)), rec})
			}
		case recXF:
			if len(rec.data) < 4 {
				return nil, &Error{Offset: rec.off, Err: fmt.Errorf("XF record of %d bytes", len(rec.data))}
			}
			xfFmt = append(xfFmt, int(le16(rec.data[2:])))
		case recBoundsheet:
			sheets = append(sheets, rec)
		case recSST:
			sstSegs = append([][]byte{rec.data}, rs.continues()...)
		}
	}
	wb.end = int64(rs.pos)

	// Text in the globals is decoded after the loop: the CODEPAGE record
	// need not come first.
	enc, _ := codepageEncoding(wb.Codepage)
	wb.dec = decoder{enc}

	codes := make(map[int]string, len(formats))
	for _, f := range formats {
		code, err := wb.formatCode(f.rec.data)
		if err != nil {
			return nil, &Error{Offset: f.rec.off, Err: fmt.Errorf("FORMAT record: %w", err)}
		}
		codes[f.id] = code
	}
	wb.xfClass = make([]numClass, len(xfFmt))
	for i, id := range xfFmt {
		if code, ok := codes[id]; ok && id != 0 { // 0 is General, whatever its (localized) code
			wb.xfClass[i] = classifyFormat(code)
			// A built-in date or time stays one whatever its localized code.
			if c := builtinClass(id); c == classDate || c == classTime {
				wb.xfClass[i] = c
			}
		} else {
			wb.xfClass[i] = builtinClass(id)
		}
	}

	for i, rec := range sheets {
		s, err := wb.boundsheet(rec.data)
		if err != nil {
			return nil, &Error{Offset: rec.off, Err: fmt.Errorf("BOUNDSHEET record: %w", err)}
		}
		s.wb, s.index = wb, i
		wb.Sheets = append(wb.Sheets, s)
	}

	if sstSegs != nil {
		wb.sst, wb.sstErr = parseSST(sstSegs)
	}
	return wb, nil
}

// formatCode decodes the code of a FORMAT record (without its number).
func (wb *Workbook) formatCode(data []byte) (string, error) {
	data = data[2:]
	if wb.BIFF == 8 {
		return newChain(data, nil).unicodeString()
	}
	if len(data) < 1 || int(data[0]) > len(data)-1 {
		return "", errShortString
	}
	return wb.dec.decode(data[1 : 1+int(data[0])]), nil
}

// boundsheet decodes a BOUNDSHEET record: where the sheet starts, its
// visibility and kind, its name.
func (wb *Workbook) boundsheet(data []byte) (*Sheet, error) {
	if len(data) < 7 {
		return nil, fmt.Errorf("%d bytes is too short", len(data))
	}
	s := &Sheet{off: int64(le32(data)), Hidden: data[4]&0x03 != 0}
	switch data[5] {
	case 0x00:
		s.Kind = Worksheet
	case 0x01:
		s.Kind = MacroSheet
	case 0x02:
		s.Kind = ChartSheet
	case 0x06:
		s.Kind = Module
	default:
		s.Kind = OtherSheet
	}
	n := int(data[6])
	if wb.BIFF == 8 {
		name, err := newChain(data[7:], nil).stringBody(n)
		if err != nil {
			return nil, err
		}
		s.Name = name
	} else {
		if n > len(data)-7 {
			return nil, errShortString
		}
		s.Name = wb.dec.decode(data[7 : 7+n])
	}
	return s, nil
}
