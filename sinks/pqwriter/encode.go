package pqwriter

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/klauspost/compress/zstd"
)

// chunkEncoder turns a column's gathered values into a column chunk: a
// dictionary page (unless the chunk is plain) and one data page, each
// compressed with zstd. Each encoding goroutine has its own.
type chunkEncoder struct {
	z      *zstd.Encoder
	level  int
	dict   []byte // the dictionary page, uncompressed
	body   []byte // the data page, uncompressed
	zdict  []byte // the same compressed
	comp   []byte
	levels []uint32 // definition levels, when their runs are short
	split  []byte   // a float chunk's data page in BYTE_STREAM_SPLIT
	zsplit []byte   // the same compressed
	words  wordZstd // the zstd encoder of PLAIN float pages
}

// chunkMeta is what the footer records of a chunk; offsets are relative to
// the chunk's start until the writer places it.
type chunkMeta struct {
	start        int64
	dataOffset   int64
	dictOffset   int64 // -1: no dictionary page
	uncompressed int64
	compressed   int64
	nulls        int
	encoding     int32 // of the data page
	codec        int32
	hasStats     bool
	min, max     []byte
}

// encode returns the chunk's bytes in c.out, which the column keeps for
// the next row group.
func (e *chunkEncoder) encode(c *column, rows int) ([]byte, chunkMeta, error) {
	m := chunkMeta{dictOffset: -1, nulls: c.nulls}
	if !c.plain && (c.dictLen() == 0 || 2*c.dictLen() > len(c.idx)) {
		// More distinct values than half the chunk's: a dictionary would
		// only add the indices. (A chunk of nulls only has no dictionary.)
		c.toPlain()
	}
	dict := !c.plain && c.kind != kBool
	switch {
	case !dict || c.kind != kInt64:
	case c.deltaRest > 0:
		c.deltaRest--
	default:
		// Counts that vary little from row to row (row numbers repeated
		// on a unit's rows, protocol figures) can take fewer bytes as
		// differences than as a dictionary of 8 bytes a value and indices
		// (a byte of bit width, then the indices). Where the dictionary
		// wins, the column's next dictRetry chunks that keep one keep it
		// without sizing the differences (options' column numbers).
		w := bitWidth(uint32(c.dictLen() - 1))
		if deltaSize(c.nvals, c.idx) < 8*c.dictLen()+1+hybridSize(c.idx, w) {
			c.toPlain()
			dict = false
		} else {
			c.deltaRest = dictRetry
		}
	}
	if !dict && !c.noDict && len(c.ndata) > 0 {
		c.dictLost()
	}
	e.dict = e.dict[:0]
	if dict {
		e.dict = c.appendDict(e.dict)
	}
	// The data page: definition levels, then the values.
	body := e.body[:0]
	if c.nullable {
		body = append(body, 0, 0, 0, 0)
		body, e.levels = appendLevels(body, c.defs, e.levels)
		binary.LittleEndian.PutUint32(body, uint32(len(body)-4))
	}
	head := len(body)
	enc := int32(encPlain)
	switch {
	case dict:
		enc = encRLEDict
		w := bitWidth(uint32(c.dictLen() - 1))
		body = appendHybrid(append(body, byte(w)), c.idx, w)
	case c.kind == kInt64:
		enc = encDelta
		body = appendDelta(body, c.ndata)
	default:
		body = c.appendPlain(body)
	}
	e.body = body
	if len(e.dict) > maxPage || len(e.body) > maxPage {
		return nil, m, pageTooLarge(c)
	}
	dictPage, dataPage := e.dict, e.body
	m.codec = codecNone
	switch {
	case c.kind == kFloat64 && !dict:
		var err error
		if enc, dataPage, m.codec, err = e.encodeFloats(c, head); err != nil {
			return nil, m, err
		}
	case c.rawChunks > 0 && c.rawEncoding == enc:
		c.rawChunks--
	default:
		c.rawChunks = 0
		e.zdict = e.zdict[:0]
		if dict {
			e.zdict = e.z.EncodeAll(e.dict, e.zdict)
		}
		e.comp = e.z.EncodeAll(e.body, e.comp[:0])
		if zstdPays(len(e.dict)+len(e.body), len(e.zdict)+len(e.comp)) {
			dictPage, dataPage, m.codec = e.zdict, e.comp, codecZstd
		} else {
			c.rawChunks, c.rawEncoding = rawChunks, enc
		}
	}
	m.encoding = enc
	out := c.out[:0]
	if dict {
		m.dictOffset = 0
		out = appendPage(out, &m, pageDict, c.dictLen(), encPlain, len(e.dict), dictPage)
	}
	m.dataOffset = int64(len(out))
	out = appendPage(out, &m, pageData, rows, enc, len(e.body), dataPage)
	m.hasStats, m.min, m.max = c.stats()
	c.out = out
	return out, m, nil
}

// encodeFloats chooses the data page of a plain float chunk, whose PLAIN
// page, uncompressed, is e.body (the definition levels in its first head
// bytes). Of three pages it takes the smallest:
//   - PLAIN compressed, which pays where values repeat (a share of the
//     votes repeats whenever two units' fractions are equal), by wordZstd,
//     which looks for repeats a value at a time;
//   - BYTE_STREAM_SPLIT compressed: the values' first bytes, then their
//     second bytes, and so on, which pays on near-unique values whose sign,
//     exponent and high mantissa bytes vary little (turnout);
//   - PLAIN uncompressed, when zstd saves less than MinZstdSaving either way.
//
// Trying both compressions costs a second zstd pass, so the choice is
// made on a column's first plain float chunk, kept for its next
// rawChunks chunks (each still stored uncompressed if its zstd does not
// pay), and made again on the one after. It depends only on the column's
// values.
func (e *chunkEncoder) encodeFloats(c *column, head int) (enc int32, page []byte, codec int32, err error) {
	try := c.floatsLeft == 0
	if try {
		c.floatsLeft = rawChunks
	} else {
		c.floatsLeft--
	}
	raw := len(e.body)
	plain, split := -1, -1 // compressed sizes, where zstd pays
	if try || c.floatsCodec == codecZstd && c.floatsEnc == encPlain {
		if raw <= zMaxPage && (raw-head)%8 == 0 {
			e.comp = e.words.appendFrame(e.comp[:0], e.body, head)
		} else {
			e.comp = e.z.EncodeAll(e.body, e.comp[:0])
		}
		if zstdPays(raw, len(e.comp)) {
			plain = len(e.comp)
		}
	}
	if try || c.floatsCodec == codecZstd && c.floatsEnc == encSplit {
		e.split = appendSplit(append(e.split[:0], e.body[:head]...), c.ndata)
		e.zsplit = e.z.EncodeAll(e.split, e.zsplit[:0])
		if zstdPays(raw, len(e.zsplit)) {
			split = len(e.zsplit)
		}
	}
	enc, page, codec = encPlain, e.body, codecNone
	switch {
	case plain >= 0 && (split < 0 || plain <= split):
		page, codec = e.comp, codecZstd
	case split >= 0:
		enc, page, codec = encSplit, e.zsplit, codecZstd
	}
	if try {
		c.floatsEnc, c.floatsCodec = enc, codec
	}
	return enc, page, codec, nil
}

// appendSplit appends vals in BYTE_STREAM_SPLIT: the first (least
// significant) byte of every value, then every value's second byte, and
// so on.
func appendSplit(b []byte, vals []uint64) []byte {
	n := len(vals)
	start := len(b)
	b = slices.Grow(b, 8*n)[:start+8*n]
	s0, s1, s2, s3 := b[start:][:n], b[start+n:][:n], b[start+2*n:][:n], b[start+3*n:][:n]
	s4, s5, s6, s7 := b[start+4*n:][:n], b[start+5*n:][:n], b[start+6*n:][:n], b[start+7*n:][:n]
	for i, v := range vals {
		s0[i], s1[i], s2[i], s3[i] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		s4[i], s5[i], s6[i], s7[i] = byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56)
	}
	return b
}

// dictLost records that the chunk's numbers, gathered for a dictionary,
// went without one (more distinct values than half the chunk's, or
// differences smaller): the column's next dictRetry chunks take their
// numbers plain from the start, without hashing them, and the one after
// tries a dictionary again. Each chunk holds the same rows whatever the
// batches, so the choice depends only on the column's values.
func (c *column) dictLost() { c.dictRest = dictRetry }

// dictRetry is how many chunks a numeric column goes without a
// dictionary after one lost.
const dictRetry = rawChunks

// A column chunk is compressed with zstd where that pays: when zstd saves
// less than MinZstdSaving of a chunk's bytes (counts as differences,
// near-unique values, or a chunk of a few bytes, where zstd's frame adds
// more than it saves), the chunk is stored uncompressed, and so are the
// column's next rawChunks chunks of the same encoding without trying; the
// one after, or one of another encoding (a dictionary chunk's indices
// compress otherwise than plain values), is tried again. The choice
// depends only on the column's values, so the same rows still give the
// same bytes.
const rawChunks = 15

// MinZstdSaving is the share of a chunk's bytes zstd must save for the
// chunk to be stored compressed (the manifest records it).
const MinZstdSaving = 0.15

func zstdPays(raw, comp int) bool { return float64(comp) <= (1-MinZstdSaving)*float64(raw) }

// maxPage is the largest page Parquet's 32-bit page sizes can describe
// (less a margin for zstd's frame).
const maxPage = math.MaxInt32 - 1<<20

func pageTooLarge(c *column) error {
	return fmt.Errorf("column %q: a row group's values exceed the 2 GiB a Parquet page can hold; write this table as CSV or Arrow", c.name)
}

// appendPage appends a page of size bytes before compression, stored as
// body, with its header.
func appendPage(out []byte, m *chunkMeta, typ int32, values int, enc int32, size int, body []byte) []byte {
	t := &thrift{}
	t.begin()
	t.i32(1, typ)
	t.i32(2, int32(size))
	t.i32(3, int32(len(body)))
	if typ == pageDict {
		t.structField(7)
		t.i32(1, int32(values))
		t.i32(2, enc)
		t.end()
	} else {
		t.structField(5)
		t.i32(1, int32(values))
		t.i32(2, enc)
		t.i32(3, encRLE)
		t.i32(4, encRLE)
		t.end()
	}
	t.end()
	m.uncompressed += int64(len(t.b) + size)
	m.compressed += int64(len(t.b) + len(body))
	out = append(out, t.b...)
	return append(out, body...)
}

func (c *column) dictLen() int {
	if c.kind == kString {
		return len(c.svals)
	}
	return len(c.nvals)
}

func (c *column) appendDict(b []byte) []byte {
	if c.kind == kString {
		for _, s := range c.svals {
			b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
			b = append(b, s...)
		}
		return b
	}
	return appendUint64s(b, c.nvals)
}

func (c *column) appendPlain(b []byte) []byte {
	switch c.kind {
	case kString:
		return append(b, c.sdata...)
	case kBool:
		var acc byte
		for i, v := range c.bools {
			if v {
				acc |= 1 << (i % 8)
			}
			if i%8 == 7 {
				b = append(b, acc)
				acc = 0
			}
		}
		if len(c.bools)%8 != 0 {
			b = append(b, acc)
		}
		return b
	}
	return appendUint64s(b, c.ndata)
}

// littleEndian is whether the machine stores integers as Parquet does.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// appendUint64s appends vals as 8-byte little-endian integers.
func appendUint64s(b []byte, vals []uint64) []byte {
	if littleEndian {
		return append(b, unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(vals))), 8*len(vals))...)
	}
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

// stats returns the chunk's smallest and largest value in the encoding of
// Parquet statistics (strings by unsigned byte order, NaN left out, a zero
// minimum as -0 and a zero maximum as +0).
func (c *column) stats() (bool, []byte, []byte) {
	switch c.kind {
	case kString:
		// Go orders strings by unsigned bytes, as Parquet does.
		var lo, hi string
		first := true
		visit := func(s string) {
			if first || s < lo {
				lo = s
			}
			if first || s > hi {
				hi = s
			}
			first = false
		}
		if c.plain {
			for b := c.sdata; len(b) >= 4; {
				n := int(binary.LittleEndian.Uint32(b))
				visit(unsafe.String(unsafe.SliceData(b[4:]), n))
				b = b[4+n:]
			}
		} else {
			for _, s := range c.svals {
				visit(s)
			}
		}
		if first {
			return false, nil, nil
		}
		return true, []byte(lo), []byte(hi)
	case kBool:
		if len(c.bools) == 0 {
			return false, nil, nil
		}
		lo, hi := byte(1), byte(0)
		for _, v := range c.bools {
			if v {
				hi = 1
			} else {
				lo = 0
			}
		}
		return true, []byte{lo}, []byte{hi}
	}
	vals := c.ndata
	if !c.plain {
		vals = c.nvals
	}
	if c.kind == kInt64 {
		if len(vals) == 0 {
			return false, nil, nil
		}
		lo, hi := int64(vals[0]), int64(vals[0])
		for _, u := range vals {
			v := int64(u)
			lo, hi = min(lo, v), max(hi, v)
		}
		return true, le64(uint64(lo)), le64(uint64(hi))
	}
	// NaN is left out: it compares false. A zero bound's sign is set
	// below, so -0 and +0 need not be told apart.
	lo, hi := math.Inf(1), math.Inf(-1)
	seen := false
	for _, u := range vals {
		v := math.Float64frombits(u)
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
		seen = seen || v == v
	}
	if !seen {
		return false, nil, nil
	}
	if lo == 0 {
		lo = math.Copysign(0, -1)
	}
	if hi == 0 {
		hi = 0
	}
	return true, le64(math.Float64bits(lo)), le64(math.Float64bits(hi))
}

func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
