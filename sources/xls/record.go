package xls

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// Record types read by this package ([MS-XLS] 2.3 and the BIFF5 documentation).
const (
	recFormula    = 0x0006
	recEOF        = 0x000A
	recDatemode   = 0x0022
	recFilepass   = 0x002F
	recContinue   = 0x003C
	recCodepage   = 0x0042
	recBoundsheet = 0x0085
	recMulRK      = 0x00BD
	recMulBlank   = 0x00BE
	recRString    = 0x00D6
	recXF         = 0x00E0
	recMerged     = 0x00E5
	recSST        = 0x00FC
	recLabelSST   = 0x00FD
	recBlank      = 0x0201
	recNumber     = 0x0203
	recLabel      = 0x0204
	recBoolErr    = 0x0205
	recString     = 0x0207
	recRK         = 0x027E
	recFormat     = 0x041E
	recBOF        = 0x0809 // BIFF5 and BIFF8
	recBOF2       = 0x0009
	recBOF3       = 0x0209
	recBOF4       = 0x0409
)

// BOF substream types.
const (
	bofGlobals   = 0x0005
	bofVBModule  = 0x0006
	bofWorksheet = 0x0010
	bofChart     = 0x0020
	bofMacro     = 0x0040
	bofWorkspace = 0x0100
)

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// record is one BIFF record: a 4-byte header (type, length) and its data.
type record struct {
	id   uint16
	off  int64 // offset of the header in the stream
	data []byte
}

var errTruncatedRecord = errors.New("record runs past the end of the workbook stream")

// records walks the records of a workbook stream.
type records struct {
	buf []byte
	pos int
}

// next returns the record at the current position and moves past it. It
// returns io.EOF at the end of the stream; a few stray bytes at the end (less
// than a record header) count as the end too.
func (r *records) next() (record, error) {
	if len(r.buf)-r.pos < 4 {
		r.pos = len(r.buf)
		return record{}, io.EOF
	}
	id := le16(r.buf[r.pos:])
	n := int(le16(r.buf[r.pos+2:]))
	start := r.pos + 4
	if n > len(r.buf)-start {
		return record{id: id, off: int64(r.pos)}, errTruncatedRecord
	}
	rec := record{id: id, off: int64(r.pos), data: r.buf[start : start+n]}
	r.pos = start + n
	return rec, nil
}

// continues returns the data of the CONTINUE records that follow and moves
// past them.
func (r *records) continues() [][]byte {
	var segs [][]byte
	for len(r.buf)-r.pos >= 4 && le16(r.buf[r.pos:]) == recContinue {
		n := int(le16(r.buf[r.pos+2:]))
		start := r.pos + 4
		if n > len(r.buf)-start {
			break
		}
		segs = append(segs, r.buf[start:start+n])
		r.pos = start + n
	}
	return segs
}

var errShortString = errors.New("string runs past the end of its record")

// chain reads a record's data and that of the CONTINUE records after it as one
// sequence. BIFF8 may break a string's characters at a record boundary; the
// next record then starts with a fresh option byte saying whether the rest of
// the characters are compressed. Anything else (string headers, rich-text runs,
// phonetic blocks) simply goes on in the next record.
type chain struct {
	segs [][]byte
	seg  int
	off  int
}

func newChain(first []byte, more [][]byte) *chain {
	segs := make([][]byte, 0, 1+len(more))
	segs = append(segs, first)
	segs = append(segs, more...)
	return &chain{segs: segs}
}

// done reports whether every byte has been read.
func (c *chain) done() bool {
	for c.seg < len(c.segs) && c.off >= len(c.segs[c.seg]) {
		if c.seg == len(c.segs)-1 {
			return true
		}
		c.seg++
		c.off = 0
	}
	return c.seg >= len(c.segs)
}

// read fills b from the chain, crossing record boundaries.
func (c *chain) read(b []byte) error {
	for len(b) > 0 {
		if c.done() {
			return errShortString
		}
		n := copy(b, c.segs[c.seg][c.off:])
		c.off += n
		b = b[n:]
	}
	return nil
}

func (c *chain) u8() (byte, error) {
	var b [1]byte
	err := c.read(b[:])
	return b[0], err
}

func (c *chain) u16() (uint16, error) {
	var b [2]byte
	err := c.read(b[:])
	return le16(b[:]), err
}

func (c *chain) u32() (uint32, error) {
	var b [4]byte
	err := c.read(b[:])
	return le32(b[:]), err
}

// skip moves n bytes on.
func (c *chain) skip(n int) error {
	for n > 0 {
		if c.done() {
			return errShortString
		}
		k := min(n, len(c.segs[c.seg])-c.off)
		c.off += k
		n -= k
	}
	return nil
}

// chars reads n characters, compressed (one byte each: the low byte of a
// UTF-16 code unit, i.e. Latin-1) when high is false, UTF-16LE otherwise.
func (c *chain) chars(n int, high bool) (string, error) {
	// Fast path: compressed ASCII wholly inside the current record.
	if !high && c.seg < len(c.segs) && len(c.segs[c.seg])-c.off >= n {
		b := c.segs[c.seg][c.off : c.off+n]
		if isASCII(b) {
			c.off += n
			return string(b), nil
		}
	}
	units := make([]uint16, 0, n)
	for n > 0 {
		if c.seg >= len(c.segs) {
			return "", errShortString
		}
		seg := c.segs[c.seg]
		if c.off >= len(seg) {
			// The characters go on in the next record, after its option byte.
			if c.seg+1 >= len(c.segs) {
				return "", errShortString
			}
			c.seg++
			c.off = 0
			seg = c.segs[c.seg]
			if len(seg) == 0 {
				return "", errShortString
			}
			high = seg[0]&1 != 0
			c.off = 1
			continue
		}
		rest := seg[c.off:]
		if high {
			k := min(n, len(rest)/2)
			if k == 0 {
				return "", errors.New("a UTF-16 character is split between records")
			}
			for i := range k {
				units = append(units, le16(rest[2*i:]))
			}
			c.off += 2 * k
			n -= k
		} else {
			k := min(n, len(rest))
			for _, b := range rest[:k] {
				units = append(units, uint16(b))
			}
			c.off += k
			n -= k
		}
	}
	return string(utf16.Decode(units)), nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// unicodeString reads a BIFF8 XLUnicodeString: a 16-bit character count, an
// option byte, the characters. Rich-text and phonetic data, which some writers
// add to cell strings, are skipped.
func (c *chain) unicodeString() (string, error) {
	n, err := c.u16()
	if err != nil {
		return "", err
	}
	return c.stringBody(int(n))
}

// stringBody reads what follows a BIFF8 string's character count: the option
// byte, the counts of rich-text runs and phonetic bytes where the option byte
// announces them, the characters, then the runs and phonetic bytes.
func (c *chain) stringBody(n int) (string, error) {
	flags, err := c.u8()
	if err != nil {
		return "", err
	}
	runs, ext := 0, 0
	if flags&0x08 != 0 {
		r, err := c.u16()
		if err != nil {
			return "", err
		}
		runs = int(r)
	}
	if flags&0x04 != 0 {
		e, err := c.u32()
		if err != nil {
			return "", err
		}
		if e > 1<<30 {
			return "", fmt.Errorf("phonetic block of %d bytes", e)
		}
		ext = int(e)
	}
	s, err := c.chars(n, flags&0x01 != 0)
	if err != nil {
		return "", err
	}
	if err := c.skip(4*runs + ext); err != nil {
		return "", err
	}
	return s, nil
}

// parseSST decodes the shared string table from the SST record's data and its
// CONTINUE records. A table that ends early (fewer strings than announced, or
// a string cut short) keeps the strings read so far and reports why it ended.
func parseSST(segs [][]byte) ([]string, error) {
	c := &chain{segs: segs}
	if err := c.skip(4); err != nil { // total number of references
		return nil, errors.New("shared string table header is cut short")
	}
	unique, err := c.u32()
	if err != nil {
		return nil, errors.New("shared string table header is cut short")
	}
	total := 0
	for _, s := range segs {
		total += len(s)
	}
	// Each string takes at least 3 bytes; do not trust the count for memory.
	strs := make([]string, 0, min(int(unique), total/3))
	for i := 0; i < int(unique); i++ {
		if c.done() {
			return strs, fmt.Errorf("shared string table holds %d strings, not %d", len(strs), unique)
		}
		s, err := c.unicodeString()
		if err != nil {
			return strs, fmt.Errorf("shared string %d: %w", i, err)
		}
		strs = append(strs, s)
	}
	return strs, nil
}
