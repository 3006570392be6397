package xls

// Builders of BIFF records, workbook streams and compound files for the
// tests: every workbook the table tests read is made here, byte by byte.

import (
	"encoding/binary"
	"math"
	"unicode/utf16"
)

// le appends its arguments little-endian: uint8, uint16, uint32 and float64
// by their size, int as a uint16, []byte and string as they are.
func le(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch v := p.(type) {
		case uint8:
			b = append(b, v)
		case uint16:
			b = binary.LittleEndian.AppendUint16(b, v)
		case int:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case uint32:
			b = binary.LittleEndian.AppendUint32(b, v)
		case float64:
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		case []byte:
			b = append(b, v...)
		case string:
			b = append(b, v...)
		default:
			panic("le: unsupported part")
		}
	}
	return b
}

// rec makes one record.
func rec(id uint16, parts ...any) []byte {
	d := le(parts...)
	return append(le(id, uint16(len(d))), d...)
}

// chars encodes s as BIFF8 characters: the option byte and the characters,
// compressed when every character fits in a byte.
func chars(s string) []byte {
	units := utf16.Encode([]rune(s))
	compressed := true
	for _, u := range units {
		if u > 0xFF {
			compressed = false
		}
	}
	if compressed {
		b := []byte{0}
		for _, u := range units {
			b = append(b, byte(u))
		}
		return b
	}
	b := []byte{1}
	for _, u := range units {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// ustr is a BIFF8 XLUnicodeString: 16-bit count, option byte, characters.
func ustr(s string) []byte {
	return append(le(len(utf16.Encode([]rune(s)))), chars(s)...)
}

// bstr is a BIFF5 byte string with a 16-bit length.
func bstr(b []byte) []byte { return append(le(len(b)), b...) }

// Cell records (BIFF5 and BIFF8 share them, except for strings).
func numberRec(row, col, xf int, v float64) []byte { return rec(recNumber, row, col, xf, v) }
func rkRec(row, col, xf int, rk uint32) []byte     { return rec(recRK, row, col, xf, rk) }
func sstRec(row, col, xf int, i uint32) []byte     { return rec(recLabelSST, row, col, xf, i) }
func boolErrRec(row, col int, v, isErr uint8) []byte {
	return rec(recBoolErr, row, col, 0, v, isErr)
}
func labelRec(row, col int, s []byte) []byte { return rec(recLabel, row, col, 0, s) }

// formulaRec makes a FORMULA record with an 8-byte cached result and a
// one-token formula (a reference to A1, which the reader does not evaluate).
func formulaRec(row, col, xf int, result []byte) []byte {
	return rec(recFormula, row, col, xf, result, 0, uint32(0), 5, uint8(0x24), 0, 0)
}

// Cached results of a formula that are not numbers.
func resString() []byte           { return le(uint8(0), uint8(0), 0, 0, 0xFFFF) }
func resBool(v uint8) []byte      { return le(uint8(1), uint8(0), v, uint8(0), 0, 0xFFFF) }
func resErr(code uint8) []byte    { return le(uint8(2), uint8(0), code, uint8(0), 0, 0xFFFF) }
func resEmpty() []byte            { return le(uint8(3), uint8(0), 0, 0, 0xFFFF) }
func resNum(v float64) []byte     { return le(v) }
func stringRec(s []byte) []byte   { return rec(recString, s) }
func continueRec(b []byte) []byte { return rec(recContinue, b) }

// sheetSpec is a sheet of a test workbook: its BOUNDSHEET fields and the
// records between its BOF and EOF.
type sheetSpec struct {
	name    string
	kind    uint8 // BOUNDSHEET sheet type
	hidden  uint8
	bofType int // the sheet BOF's substream type; 0 means worksheet
	records [][]byte
}

// format is a FORMAT record: a number format's id and code.
type format struct {
	id   int
	code string
}

// book describes a test workbook stream.
type book struct {
	biff     int // 5 or 8
	codepage int // 0: no CODEPAGE record
	date1904 bool
	formats  []format
	xfs      []int    // the format of each XF record
	globals  [][]byte // more records for the globals, after BOUNDSHEET (SST, FILEPASS, ...)
	sheets   []sheetSpec
	// badOffsets makes every BOUNDSHEET point at byte 0.
	badOffsets bool
}

func (bk book) bof(dt int) []byte {
	if bk.biff == 5 {
		return rec(recBOF, 0x0500, dt, 0x096C, 0x07C9)
	}
	return rec(recBOF, 0x0600, dt, 0x0DBB, 0x07CC, uint32(0x000100C9), uint32(0x00000406))
}

// stream returns the workbook stream.
func (bk book) stream() []byte {
	var g []byte
	g = append(g, bk.bof(bofGlobals)...)
	if bk.codepage != 0 {
		g = append(g, rec(recCodepage, bk.codepage)...)
	}
	if bk.date1904 {
		g = append(g, rec(recDatemode, 1)...)
	}
	for _, f := range bk.formats {
		if bk.biff == 5 {
			g = append(g, rec(recFormat, f.id, uint8(len(f.code)), f.code)...)
		} else {
			g = append(g, rec(recFormat, f.id, ustr(f.code))...)
		}
	}
	for _, f := range bk.xfs {
		g = append(g, rec(recXF, 0, f, 0, 0, 0, 0, 0, 0, 0, 0)...)
	}
	offPos := make([]int, len(bk.sheets))
	for i, s := range bk.sheets {
		offPos[i] = len(g) + 4
		var name []byte
		if bk.biff == 5 {
			name = append([]byte{uint8(len(s.name))}, s.name...)
		} else {
			name = append([]byte{uint8(len(utf16.Encode([]rune(s.name))))}, chars(s.name)...)
		}
		g = append(g, rec(recBoundsheet, uint32(0), s.hidden, s.kind, name)...)
	}
	for _, r := range bk.globals {
		g = append(g, r...)
	}
	g = append(g, rec(recEOF)...)
	for i, s := range bk.sheets {
		if !bk.badOffsets {
			binary.LittleEndian.PutUint32(g[offPos[i]:], uint32(len(g)))
		}
		dt := s.bofType
		if dt == 0 {
			dt = bofWorksheet
		}
		g = append(g, bk.bof(dt)...)
		for _, r := range s.records {
			g = append(g, r...)
		}
		g = append(g, rec(recEOF)...)
	}
	return g
}

// cfb wraps streams in a version 3 compound file with 512-byte sectors.
// Streams are padded to 4096 bytes so that none lives in the mini stream;
// a workbook reader ignores bytes after the last EOF record.
func cfb(names []string, streams [][]byte) []byte {
	const ss = 512
	const endOfChain, fatSect, noStream = 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
	var body []byte
	var starts, sizes []uint32
	var fat []uint32
	for _, s := range streams {
		for len(s) < 4096 {
			s = append(s, 0)
		}
		starts = append(starts, uint32(len(body)/ss))
		sizes = append(sizes, uint32(len(s)))
		n := (len(s) + ss - 1) / ss
		for i := range n {
			if i == n-1 {
				fat = append(fat, endOfChain)
			} else {
				fat = append(fat, uint32(len(fat)+1))
			}
		}
		body = append(body, s...)
		for len(body)%ss != 0 {
			body = append(body, 0)
		}
	}
	// Directory: the root entry, then one entry per stream, each the right
	// sibling of the one before.
	entry := func(name string, typ uint8, child, right, start, size uint32) []byte {
		e := make([]byte, 128)
		u := utf16.Encode([]rune(name))
		for i, c := range u {
			binary.LittleEndian.PutUint16(e[2*i:], c)
		}
		binary.LittleEndian.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66], e[67] = typ, 1
		binary.LittleEndian.PutUint32(e[68:], noStream)
		binary.LittleEndian.PutUint32(e[72:], right)
		binary.LittleEndian.PutUint32(e[76:], child)
		binary.LittleEndian.PutUint32(e[116:], start)
		binary.LittleEndian.PutUint32(e[120:], size)
		return e
	}
	dirStart := uint32(len(body) / ss)
	var dir []byte
	child := uint32(noStream)
	if len(streams) > 0 {
		child = 1
	}
	dir = append(dir, entry("Root Entry", 5, child, noStream, endOfChain, 0)...)
	for i, name := range names {
		right := uint32(noStream)
		if i+1 < len(names) {
			right = uint32(i + 2)
		}
		dir = append(dir, entry(name, 2, noStream, right, starts[i], sizes[i])...)
	}
	for len(dir)%ss != 0 {
		unused := make([]byte, 128)
		binary.LittleEndian.PutUint32(unused[68:], noStream)
		binary.LittleEndian.PutUint32(unused[72:], noStream)
		binary.LittleEndian.PutUint32(unused[76:], noStream)
		dir = append(dir, unused...)
	}
	nDir := len(dir) / ss
	for i := range nDir {
		if i == nDir-1 {
			fat = append(fat, endOfChain)
		} else {
			fat = append(fat, uint32(len(fat)+1))
		}
	}
	body = append(body, dir...)
	nFat := 1
	for nFat*ss/4 < len(fat)+nFat {
		nFat++
	}
	fatStart := uint32(len(body) / ss)
	for range nFat {
		fat = append(fat, fatSect)
	}
	for len(fat)%(ss/4) != 0 {
		fat = append(fat, noStream)
	}
	for _, v := range fat {
		body = binary.LittleEndian.AppendUint32(body, v)
	}

	h := make([]byte, ss)
	copy(h, cfbMagic)
	binary.LittleEndian.PutUint16(h[24:], 0x003E)
	binary.LittleEndian.PutUint16(h[26:], 3)
	binary.LittleEndian.PutUint16(h[28:], 0xFFFE)
	binary.LittleEndian.PutUint16(h[30:], 9)
	binary.LittleEndian.PutUint16(h[32:], 6)
	binary.LittleEndian.PutUint32(h[44:], uint32(nFat))
	binary.LittleEndian.PutUint32(h[48:], dirStart)
	binary.LittleEndian.PutUint32(h[56:], 4096)
	binary.LittleEndian.PutUint32(h[60:], endOfChain)
	binary.LittleEndian.PutUint32(h[68:], endOfChain)
	for i := range 109 {
		v := uint32(noStream)
		if i < nFat {
			v = fatStart + uint32(i)
		}
		binary.LittleEndian.PutUint32(h[76+4*i:], v)
	}
	return append(h, body...)
}

// xlsFile is a workbook stream in a compound file, as Excel writes it.
func (bk book) xlsFile() []byte {
	name := "Workbook"
	if bk.biff == 5 {
		name = "Book"
	}
	return cfb([]string{name}, [][]byte{bk.stream()})
}
