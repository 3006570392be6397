// Package pqwriter writes tally's flat tables as Parquet files.
//
// It handles only what tally's tables need: a flat schema of required or
// optional BYTE_ARRAY (UTF-8 string), INT64, DOUBLE and BOOLEAN columns,
// one dictionary page and one data page (format v1) per column chunk,
// and chunk statistics. A chunk without a dictionary has its counts
// DELTA_BINARY_PACKED, its floats PLAIN or BYTE_STREAM_SPLIT (whichever
// zstd makes smaller, see encodeFloats) and everything else PLAIN; a
// chunk of counts also goes without its dictionary when the differences
// take fewer bytes than the dictionary and its indices (row numbers
// repeated on a unit's rows, protocol figures). A column of counts or
// floats whose chunk went without its dictionary (either way) takes its
// next 15 chunks without one, their values never hashed, and the one
// after is tried with a dictionary again (see dictLost); a chunk of nulls
// only loses nothing. Likewise a chunk of counts whose dictionary took
// fewer bytes than the differences makes the column's next 15 dictionary
// chunks keep theirs without sizing the differences. A chunk is compressed
// with zstd where that pays: when zstd saves less than 15% of a chunk's
// bytes (dictionary indices of vote counts, near-unique figures, a chunk
// of a few bytes), the chunk is stored uncompressed and so are the
// column's next 15 chunks of the same encoding, without trying; the one
// after is tried again (see zstdPays; floats, encodeFloats).
//
// In exchange it writes a row for a few nanoseconds a value: input that
// arrives dictionary-encoded (an Arrow dictionary array, as tally's result
// tables are built) is re-indexed once per distinct value and batch
// rather than hashed per row, plain strings are compared with the
// previous value before being hashed, counts go through a direct table
// (small ones) or an open-addressing table with no allocation, and a row
// group's column chunks are encoded on all cores.
//
// Output is deterministic: the bytes depend only on the rows, never on how
// they were split into batches or on the number of cores. A row group
// holds exactly RowGroupRows rows (the last fewer); dictionaries are in
// order of first appearance; a chunk with more distinct values than half
// its non-null values is written plain instead; the choices of encoding
// and codec above depend only on the column's values.
package pqwriter

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/klauspost/compress/zstd"
)

// encoders keeps chunk encoders (zstd encoders and scratch buffers) for
// reuse across row groups and files, one pool per zstd level: an encoder
// allocates its history buffers on first use.
var encoders sync.Map // level -> *sync.Pool

// zstdWindow bounds how far back zstd looks for matches, and so the
// history each encoder keeps (8 MiB by default): a page is one column
// chunk of a row group, rarely more than a few hundred KiB.
const zstdWindow = 1 << 20

func getEncoder(level int) (*chunkEncoder, error) {
	p, _ := encoders.LoadOrStore(level, &sync.Pool{})
	if e, ok := p.(*sync.Pool).Get().(*chunkEncoder); ok {
		return e, nil
	}
	z, err := newZstd(level, false)
	if err != nil {
		return nil, err
	}
	return &chunkEncoder{z: z, level: level}, nil
}

// newZstd returns an encoder of EncodeAll at level; rawLiterals leaves
// out the Huffman coding of literals. The encoder keeps
// a history of one window rather than two: each page is a frame of its
// own, so the bytes are the same, for 1.6 MB an encoder instead of 2.7.
func newZstd(level int, rawLiterals bool) (*zstd.Encoder, error) {
	return zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(level)),
		zstd.WithEncoderConcurrency(1), zstd.WithZeroFrames(true), zstd.WithWindowSize(zstdWindow),
		zstd.WithNoEntropyCompression(rawLiterals), zstd.WithLowerEncoderMem(true))
}

func putEncoder(level int, e *chunkEncoder) {
	p, _ := encoders.Load(level)
	p.(*sync.Pool).Put(e)
}

// Options configure a Writer.
type Options struct {
	RowGroupRows int         // rows per row group; required, > 0
	ZstdLevel    int         // zstd level as the zstd tool numbers them (1 fastest)
	Metadata     [][2]string // key-value pairs for the footer, in the order given
	CreatedBy    string      // the footer's created_by
	ArrowSchema  bool        // also store the Arrow schema (key ARROW:schema)
	Parallel     int         // column chunks encoded at once; 0 means GOMAXPROCS
}

// Parquet's enumerations, as the format's Thrift definition numbers them.
const (
	typeBoolean   = 0
	typeInt64     = 2
	typeDouble    = 5
	typeByteArray = 6

	repRequired = 0
	repOptional = 1

	encPlain     = 0
	encRLE       = 3
	encRLEDict   = 8
	encSplit     = 9 // BYTE_STREAM_SPLIT
	codecNone    = 0
	codecZstd    = 6
	pageData     = 0
	pageDict     = 2
	convertedUTF = 0

	convertedInt64 = 18
)

type kind int

const (
	kString kind = iota
	kInt64
	kFloat64
	kBool
)

// Writer writes one Parquet file. It is not safe for concurrent use.
type Writer struct {
	w       io.Writer
	off     int64
	schema  *arrow.Schema
	opt     Options
	cols    []*column
	rows    int // rows in the current row group
	total   int64
	groups  []groupMeta
	par     int // chunk encoders per row group
	err     error
	started bool
}

type groupMeta struct {
	rows       int
	offset     int64
	bytes      int64 // uncompressed
	compressed int64
	chunks     []chunkMeta
}

// New returns a Writer of the given schema's columns: string, int64,
// float64 and boolean fields, nullable or not.
func New(w io.Writer, schema *arrow.Schema, opt Options) (*Writer, error) {
	if opt.RowGroupRows <= 0 {
		return nil, errors.New("pqwriter: RowGroupRows must be positive")
	}
	wr := &Writer{w: w, schema: schema, opt: opt}
	for _, f := range schema.Fields() {
		var k kind
		switch f.Type.ID() {
		case arrow.STRING:
			k = kString
		case arrow.INT64:
			k = kInt64
		case arrow.FLOAT64:
			k = kFloat64
		case arrow.BOOL:
			k = kBool
		default:
			return nil, fmt.Errorf("pqwriter: column %q has type %s, which tally's tables do not use", f.Name, f.Type)
		}
		wr.cols = append(wr.cols, newColumn(f.Name, k, f.Nullable, opt.RowGroupRows))
	}
	par := opt.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	wr.par = max(1, min(par, len(wr.cols)))
	return wr, nil
}

// Write appends a batch's rows. Its columns must match the schema, except
// that a string column may come as a dictionary array of strings.
func (w *Writer) Write(rec arrow.RecordBatch) error {
	if w.err != nil {
		return w.err
	}
	if int(rec.NumCols()) != len(w.cols) {
		return fmt.Errorf("pqwriter: batch has %d columns, the file %d", rec.NumCols(), len(w.cols))
	}
	n := int(rec.NumRows())
	for start := 0; start < n; {
		take := min(n-start, w.opt.RowGroupRows-w.rows)
		for i, c := range w.cols {
			if err := c.add(rec.Column(i), start, start+take); err != nil {
				w.err = err
				return err
			}
		}
		w.rows += take
		start += take
		if w.rows == w.opt.RowGroupRows {
			if err := w.flush(); err != nil {
				w.err = err
				return err
			}
		}
	}
	return nil
}

var magic = []byte("PAR1")

func (w *Writer) write(p []byte) error {
	n, err := w.w.Write(p)
	w.off += int64(n)
	return err
}

// flush encodes the current row group's column chunks, on up to Parallel
// goroutines, and writes them in column order.
func (w *Writer) flush() error {
	if w.rows == 0 {
		return nil
	}
	if !w.started {
		if err := w.write(magic); err != nil {
			return err
		}
		w.started = true
	}
	out := make([][]byte, len(w.cols))
	metas := make([]chunkMeta, len(w.cols))
	errs := make([]error, len(w.cols))
	next := make(chan int, len(w.cols))
	for i := range w.cols {
		next <- i
	}
	close(next)
	encs := make([]*chunkEncoder, w.par)
	for i := range encs {
		enc, err := getEncoder(w.opt.ZstdLevel)
		if err != nil {
			return err
		}
		encs[i] = enc
	}
	var wg sync.WaitGroup
	for _, enc := range encs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer putEncoder(w.opt.ZstdLevel, enc)
			for i := range next {
				out[i], metas[i], errs[i] = enc.encode(w.cols[i], w.rows)
			}
		}()
	}
	wg.Wait()
	g := groupMeta{rows: w.rows, offset: w.off}
	for i := range w.cols {
		if errs[i] != nil {
			return errs[i]
		}
		m := metas[i]
		m.dataOffset += w.off
		if m.dictOffset >= 0 {
			m.dictOffset += w.off
		}
		m.start = w.off
		if err := w.write(out[i]); err != nil {
			return err
		}
		g.bytes += m.uncompressed
		g.compressed += m.compressed
		g.chunks = append(g.chunks, m)
		w.cols[i].reset()
	}
	w.groups = append(w.groups, g)
	w.total += int64(w.rows)
	w.rows = 0
	return nil
}

// SetMetadata replaces the footer's key-value pairs (Options.Metadata);
// it may be called until Close.
func (w *Writer) SetMetadata(kv [][2]string) { w.opt.Metadata = kv }

// Close writes the last row group and the footer. It does not close the
// underlying writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if err := w.flush(); err != nil {
		return err
	}
	if !w.started {
		if err := w.write(magic); err != nil {
			return err
		}
	}
	footer, err := w.footer()
	if err != nil {
		return err
	}
	footer = binary.LittleEndian.AppendUint32(footer, uint32(len(footer)))
	footer = append(footer, magic...)
	return w.write(footer)
}

func (w *Writer) footer() ([]byte, error) {
	t := &thrift{}
	t.begin()
	t.i32(1, 2) // version
	t.list(2, tStruct, len(w.cols)+1)
	t.begin()
	t.str(4, "schema")
	t.i32(5, int32(len(w.cols)))
	t.end()
	for _, c := range w.cols {
		t.begin()
		t.i32(1, c.physical())
		rep := int32(repRequired)
		if c.nullable {
			rep = repOptional
		}
		t.i32(3, rep)
		t.str(4, c.name)
		switch c.kind {
		case kString:
			t.i32(6, convertedUTF)
			t.structField(10) // logicalType
			t.structField(1)  // STRING
			t.end()
			t.end()
		case kInt64:
			t.i32(6, convertedInt64)
			t.structField(10) // logicalType
			t.structField(10) // INTEGER
			t.i8(1, 64)       // bitWidth
			t.boolean(2, true)
			t.end()
			t.end()
		}
		t.end()
	}
	t.i64(3, w.total)
	t.list(4, tStruct, len(w.groups))
	for gi, g := range w.groups {
		t.begin()
		t.list(1, tStruct, len(g.chunks))
		for ci, m := range g.chunks {
			c := w.cols[ci]
			t.begin()
			t.i64(2, m.start)
			t.structField(3)
			t.i32(1, c.physical())
			// The data page's encoding, the levels' RLE, and PLAIN for a
			// dictionary page, in the format's numbering order.
			encs := []int32{encRLE, m.encoding}
			if m.dictOffset >= 0 {
				encs = []int32{encPlain, encRLE, encRLEDict}
			} else if m.encoding == encPlain {
				encs = []int32{encPlain, encRLE}
			}
			t.list(2, tI32, len(encs))
			for _, e := range encs {
				t.elemI32(e)
			}
			t.list(3, tBinary, 1)
			t.elemStr(c.name)
			t.i32(4, m.codec)
			t.i64(5, int64(g.rows))
			t.i64(6, m.uncompressed)
			t.i64(7, m.compressed)
			t.i64(9, m.dataOffset)
			if m.dictOffset >= 0 {
				t.i64(11, m.dictOffset)
			}
			t.structField(12)
			t.i64(3, int64(m.nulls))
			if m.hasStats {
				t.binary(5, m.max)
				t.binary(6, m.min)
			}
			t.end()
			t.end() // meta_data
			t.end() // chunk
		}
		t.i64(2, g.bytes)
		t.i64(3, int64(g.rows))
		t.i64(5, g.offset)
		t.i64(6, g.compressed)
		t.i16(7, int16(gi))
		t.end()
	}
	kv := w.opt.Metadata
	if w.opt.ArrowSchema {
		s, err := serializeSchema(w.schema)
		if err != nil {
			return nil, err
		}
		kv = append(kv[:len(kv):len(kv)], [2]string{"ARROW:schema", s})
	}
	if len(kv) > 0 {
		t.list(5, tStruct, len(kv))
		for _, p := range kv {
			t.begin()
			t.str(1, p[0])
			t.str(2, p[1])
			t.end()
		}
	}
	if w.opt.CreatedBy != "" {
		t.str(6, w.opt.CreatedBy)
	}
	t.list(7, tStruct, len(w.cols))
	for range w.cols {
		t.begin()
		t.structField(1) // TYPE_ORDER
		t.end()
		t.end()
	}
	t.end()
	return t.b, nil
}

// serializeSchema encodes the Arrow schema as Arrow IPC stream bytes in
// base64, the form Arrow's Parquet readers look for to restore types.
func serializeSchema(s *arrow.Schema) (string, error) {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(s))
	if err := w.Close(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// column gathers one column's values for the current row group.
type column struct {
	name     string
	kind     kind
	nullable bool
	limit    int // most dictionary entries before the chunk goes plain

	defs  []defRun // definition levels (nullable columns), run by run
	nulls int

	plain bool     // the chunk has left (or never used) its dictionary
	idx   []uint32 // dictionary index of every non-null value

	noDict    bool // the chunk's numbers go without a dictionary from the start,
	dictRest  int  // as do the column's next dictRest chunks (see dictLost)
	deltaRest int  // dictionary chunks of counts still to keep without sizing their differences

	// strings
	smap  strTable
	svals []string // the dictionary; its strings' bytes are in sbuf
	sbuf  []byte
	prev  string
	pidx  uint32
	havep bool
	sdata []byte // plain mode values, PLAIN-encoded (length, bytes)
	// int64 / float64 (as bits)
	nmap  numTable
	pnum  uint64 // the previous number, at index pidx when havep
	nvals []uint64
	ndata []uint64 // plain mode values
	// bool
	bools []bool

	remap []int32 // dictionary input: the input's index -> ours, -1 unseen

	rawChunks   int   // chunks still to store uncompressed (see zstdPays),
	rawEncoding int32 // if their data page has this encoding

	floatsLeft  int   // plain float chunks still to take this choice (see encodeFloats):
	floatsEnc   int32 // their data page's encoding
	floatsCodec int32 // and codec

	out []byte // the encoded chunk, until written
}

// defRun is a run of n equal definition levels.
type defRun struct{ level, n uint32 }

// DictionaryLimit is the most dictionary entries a column chunk of a full
// row group may have: a chunk with more distinct values than half its
// rows (shares, unit ids) is written plain, where a dictionary would only
// add the indices.
func DictionaryLimit(rowGroupRows int) int { return max(rowGroupRows/2, 1) }

func newColumn(name string, k kind, nullable bool, rows int) *column {
	c := &column{name: name, kind: k, nullable: nullable, limit: DictionaryLimit(rows)}
	switch k {
	case kBool:
		c.plain = true
	}
	return c
}

func (c *column) physical() int32 {
	switch c.kind {
	case kString:
		return typeByteArray
	case kInt64:
		return typeInt64
	case kFloat64:
		return typeDouble
	}
	return typeBoolean
}

func (c *column) reset() {
	c.defs = c.defs[:0]
	c.nulls = 0
	c.idx = c.idx[:0]
	c.noDict = c.dictRest > 0 && (c.kind == kInt64 || c.kind == kFloat64)
	if c.noDict {
		c.dictRest--
	}
	c.plain = c.kind == kBool || c.noDict
	c.smap.reset()
	c.svals = c.svals[:0]
	c.sbuf = c.sbuf[:0] // no string of the last chunk is kept
	c.havep = false
	c.sdata = c.sdata[:0]
	c.nmap.reset()
	c.nvals = c.nvals[:0]
	c.ndata = c.ndata[:0]
	c.bools = c.bools[:0]
}

// addDefs appends n definition levels of level.
func (c *column) addDefs(level uint32, n int) {
	if k := len(c.defs) - 1; k >= 0 && c.defs[k].level == level {
		c.defs[k].n += uint32(n)
		return
	}
	c.defs = append(c.defs, defRun{level, uint32(n)})
}

// add appends rows [from, to) of a.
func (c *column) add(a arrow.Array, from, to int) error {
	nulls := a.NullN() > 0
	if nulls && !c.nullable {
		for i := from; i < to; i++ {
			if a.IsNull(i) {
				return fmt.Errorf("pqwriter: column %q is required but row %d is null", c.name, i)
			}
		}
	}
	if c.nullable {
		switch {
		case !nulls:
			c.addDefs(1, to-from)
		case a.NullN() == a.Len():
			// A column of nulls (a CSV's sheet names): no values, so the
			// loops below only check the array's type.
			c.addDefs(0, to-from)
			c.nulls += to - from
			from = to
		default:
			for i := from; i < to; i++ {
				if a.IsNull(i) {
					c.addDefs(0, 1)
					c.nulls++
				} else {
					c.addDefs(1, 1)
				}
			}
		}
	}
	switch c.kind {
	case kString:
		switch v := a.(type) {
		case *array.String:
			for i := from; i < to; i++ {
				if !nulls || v.IsValid(i) {
					c.addString(v.Value(i))
				}
			}
		case *array.Dictionary:
			return c.addDict(v, from, to, nulls)
		default:
			return fmt.Errorf("pqwriter: column %q: want strings, got %s", c.name, a.DataType())
		}
	case kInt64:
		v, ok := a.(*array.Int64)
		if !ok {
			return fmt.Errorf("pqwriter: column %q: want int64, got %s", c.name, a.DataType())
		}
		vals := v.Int64Values()[from:to]
		c.addNums(unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(vals))), len(vals)), a, from, nulls)
	case kFloat64:
		v, ok := a.(*array.Float64)
		if !ok {
			return fmt.Errorf("pqwriter: column %q: want float64, got %s", c.name, a.DataType())
		}
		vals := v.Float64Values()[from:to]
		c.addNums(unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(vals))), len(vals)), a, from, nulls)
	case kBool:
		v, ok := a.(*array.Boolean)
		if !ok {
			return fmt.Errorf("pqwriter: column %q: want booleans, got %s", c.name, a.DataType())
		}
		for i := from; i < to; i++ {
			if v.IsValid(i) {
				c.bools = append(c.bools, v.Value(i))
			}
		}
	}
	return nil
}

// appendPlainString appends s to the chunk's plain values.
func (c *column) appendPlainString(s string) {
	c.sdata = binary.LittleEndian.AppendUint32(c.sdata, uint32(len(s)))
	c.sdata = append(c.sdata, s...)
}

func (c *column) addString(s string) {
	if c.plain {
		c.appendPlainString(s)
		return
	}
	if c.havep && s == c.prev {
		c.idx = append(c.idx, c.pidx)
		return
	}
	k, slot, ok := c.smap.find(s, c.svals)
	if !ok {
		k = uint32(len(c.svals))
		if int(k) >= c.limit || c.mostlyDistinct(len(c.idx)) {
			c.toPlain()
			c.appendPlainString(s)
			return
		}
		// The batch's buffers are not ours to keep: the string is copied
		// to the chunk's own bytes. Where sbuf grows into a new array,
		// the strings before still point into the old one, unchanged.
		n := len(c.sbuf)
		c.sbuf = append(c.sbuf, s...)
		s = unsafe.String(unsafe.SliceData(c.sbuf[n:]), len(s))
		c.smap.put(slot, k)
		c.svals = append(c.svals, s)
	}
	c.prev, c.pidx, c.havep = c.svals[k], k, true
	c.idx = append(c.idx, k)
}

// addDict appends a dictionary array's rows, looking each of its distinct
// values up once; nulls says whether the array has any.
func (c *column) addDict(d *array.Dictionary, from, to int, nulls bool) error {
	dict, ok := d.Dictionary().(*array.String)
	if !ok {
		return fmt.Errorf("pqwriter: column %q: want a dictionary of strings, got %s", c.name, d.DataType())
	}
	idx, ok := d.Indices().(*array.Int32)
	if !ok {
		return fmt.Errorf("pqwriter: column %q: want int32 dictionary indices, got %s", c.name, d.Indices().DataType())
	}
	keys := idx.Int32Values()[from:to]
	i := 0
	if !c.plain {
		if cap(c.remap) < dict.Len() {
			c.remap = make([]int32, dict.Len())
		}
		remap := c.remap[:dict.Len()]
		for j := range remap {
			remap[j] = -1
		}
		c.remap = remap
		out := slices.Grow(c.idx, len(keys)) // kept in a local: c.idx is not reloaded per value
		if len(remap) == 1 && !nulls && len(keys) > 0 {
			// One value for the whole batch (an election id, a file name).
			c.idx = out
			c.addString(dict.Value(0))
			out = c.idx
			i = 1
			if !c.plain {
				k, n := out[len(out)-1], len(out)
				out = out[:n+len(keys)-1]
				for x := n; x < len(out); x++ {
					out[x] = k
				}
				i = len(keys)
			}
		}
		for ; i < len(keys) && !c.plain; i++ {
			if !nulls {
				// Values seen before, the common case, in a loop of their
				// own: out has room for every key (slices.Grow above).
				n := len(out)
				seen := out[n : n+len(keys)-i]
				m := 0
				for _, j := range keys[i:] {
					k := remap[j]
					if k < 0 {
						break
					}
					seen[m] = uint32(k)
					m++
				}
				out = out[:n+m]
				if i += m; i == len(keys) {
					break
				}
			} else if d.IsNull(from + i) {
				continue
			}
			j := keys[i]
			k := remap[j]
			if k < 0 {
				c.idx = out
				c.addString(dict.Value(int(j)))
				out = c.idx
				if c.plain {
					i++
					break
				}
				k = int32(out[len(out)-1])
				remap[j] = k
				continue
			}
			out = append(out, uint32(k))
		}
		c.idx = out
	}
	for ; i < len(keys); i++ {
		if !nulls || d.IsValid(from+i) {
			c.appendPlainString(dict.Value(int(keys[i])))
		}
	}
	return nil
}

// addNums appends vals, rows from.. of a, skipping its nulls.
func (c *column) addNums(vals []uint64, a arrow.Array, from int, nulls bool) {
	i := 0
	if !c.plain {
		out := slices.Grow(c.idx, len(vals)) // kept in locals, as in addDict
		prev, pidx, havep := c.pnum, c.pidx, c.havep
		for ; i < len(vals); i++ {
			if nulls && a.IsNull(from+i) {
				continue
			}
			v := vals[i]
			if havep && v == prev {
				out = append(out, pidx)
				continue
			}
			k, ok := c.nmap.get(v, uint32(len(c.nvals)))
			if !ok {
				if int(k) >= c.limit || c.mostlyDistinct(len(out)) {
					c.idx = out
					c.toPlain()
					out = c.idx
					havep = false
					break
				}
				c.nvals = append(c.nvals, v)
			}
			prev, pidx, havep = v, k, true
			out = append(out, k)
		}
		c.idx, c.pnum, c.pidx, c.havep = out, prev, pidx, havep
	}
	if i == len(vals) {
		return
	}
	if !nulls {
		c.ndata = append(c.ndata, vals[i:]...)
		return
	}
	for ; i < len(vals); i++ {
		if a.IsValid(from + i) {
			c.ndata = append(c.ndata, vals[i])
		}
	}
}

// earlyValues is how many values a chunk takes before mostlyDistinct
// judges it.
const earlyValues = 4096

// mostlyDistinct reports, when a chunk's n values so far number at least
// earlyValues, whether more than three quarters of them are distinct (ids,
// shares): a dictionary would not pay, so the chunk goes plain at once
// rather than hashing every value first. It is asked only when a new
// value arrives.
func (c *column) mostlyDistinct(n int) bool {
	return n >= earlyValues && 4*c.dictLen() > 3*n
}

// toPlain turns the chunk's values so far from dictionary indices into
// plain values; the rest of the chunk is written plain.
func (c *column) toPlain() {
	c.plain = true
	switch c.kind {
	case kString:
		for _, k := range c.idx {
			c.appendPlainString(c.svals[k])
		}
	default:
		c.ndata = slices.Grow(c.ndata, len(c.idx))
		for _, k := range c.idx {
			c.ndata = append(c.ndata, c.nvals[k])
		}
	}
	c.idx = c.idx[:0]
	for i := range c.remap {
		c.remap[i] = -1
	}
}

// strTable maps a chunk's distinct strings to their dictionary indices by
// open addressing with linear probing: a slot keeps the string's hash and
// its index, the string itself being the dictionary's entry. A string new
// to the chunk (most of a unit id column's) costs one hash and a probe,
// where a Go map also stored and hashed the key again to insert it. The
// hashes place strings in the table only: indices are in order of first
// appearance whatever the seed.
type strTable struct {
	seed  maphash.Seed
	slots []strSlot
	n     int
	hash  uint64 // the hash of the string find was last asked for
}

type strSlot struct {
	tag uint32 // the hash's high bits
	val uint32 // index + 1; 0 marks an empty slot
}

func (t *strTable) reset() {
	if t.n > 0 {
		clear(t.slots)
		t.n = 0
	}
}

// find returns s's index in vals, or the slot where put would insert it
// (ok false).
func (t *strTable) find(s string, vals []string) (k uint32, slot int, ok bool) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow(vals)
	}
	h := maphash.String(t.seed, s)
	t.hash = h
	tag, mask := uint32(h>>32), len(t.slots)-1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.val == 0 {
			return 0, i, false
		}
		if sl.tag == tag && vals[sl.val-1] == s {
			return sl.val - 1, i, true
		}
	}
}

// put inserts index k at the slot find returned, for the string find was
// last asked for.
func (t *strTable) put(slot int, k uint32) {
	t.slots[slot] = strSlot{tag: uint32(t.hash >> 32), val: k + 1}
	t.n++
}

func (t *strTable) grow(vals []string) {
	if t.slots == nil {
		t.seed = maphash.MakeSeed()
		t.slots = make([]strSlot, 64)
		return
	}
	old := t.slots
	t.slots = make([]strSlot, 2*len(old))
	mask := len(t.slots) - 1
	for _, o := range old {
		if o.val != 0 {
			i := int(maphash.String(t.seed, vals[o.val-1])) & mask
			for t.slots[i].val != 0 {
				i = (i + 1) & mask
			}
			t.slots[i] = o
		}
	}
}

// numTable maps 64-bit values to dictionary indices: values below
// smallValues (counts, column numbers) by direct lookup, others by open
// addressing with linear probing, each slot's key and index side by side.
// No allocation per value.
type numTable struct {
	small  []uint32 // index + 1 of each small value; 0: absent
	nsmall int
	slots  []numSlot
	n      int
	shift  uint
}

const smallValues = 4096

type numSlot struct {
	key uint64
	val uint32 // index + 1; 0 marks an empty slot
}

func (t *numTable) reset() {
	if t.nsmall > 0 {
		clear(t.small)
		t.nsmall = 0
	}
	if t.n > 0 {
		clear(t.slots)
		t.n = 0
	}
}

// get returns v's index, inserting it with index next if absent (ok false).
func (t *numTable) get(v uint64, next uint32) (uint32, bool) {
	if v < smallValues {
		if t.small == nil {
			t.small = make([]uint32, smallValues)
		}
		if k := t.small[v]; k != 0 {
			return k - 1, true
		}
		t.small[v] = next + 1
		t.nsmall++
		return next, false
	}
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	h := (v * 0x9e3779b97f4a7c15) >> t.shift
	for {
		s := &t.slots[h&mask]
		if s.val == 0 {
			s.key, s.val = v, next+1
			t.n++
			return next, false
		}
		if s.key == v {
			return s.val - 1, true
		}
		h++
	}
}

func (t *numTable) grow() {
	size := 1024
	if t.slots != nil {
		size = 2 * len(t.slots)
	}
	old := t.slots
	t.slots = make([]numSlot, size)
	t.shift = uint(64 - bits.Len(uint(size-1)))
	mask := uint64(size - 1)
	for _, o := range old {
		if o.val != 0 {
			h := (o.key * 0x9e3779b97f4a7c15) >> t.shift
			for t.slots[h&mask].val != 0 {
				h++
			}
			t.slots[h&mask] = o
		}
	}
}
