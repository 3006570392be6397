package pipeline

import (
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"tally/sinks"
)

// TableDef is one canonical table: its name, columns and their meanings.
type TableDef struct {
	Name        string
	Description string
	Schema      *arrow.Schema
	PrimaryKey  []string
	ForeignKeys []sinks.ForeignKey
}

type col struct {
	name string
	typ  arrow.DataType
	null bool
	desc string
}

func schema(cols ...col) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		md := arrow.NewMetadata([]string{"description"}, []string{c.desc})
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: c.null, Metadata: md}
	}
	return arrow.NewSchema(fields, nil)
}

var (
	str = arrow.BinaryTypes.String
	i64 = arrow.PrimitiveTypes.Int64
	f64 = arrow.PrimitiveTypes.Float64
	bln = arrow.FixedWidthTypes.Boolean
)

// The canonical tables, in the order they are written.
var (
	ResultsTable = TableDef{
		Name:        "results",
		Description: "One row per contest, reporting unit and ballot option.",
		PrimaryKey:  []string{"election_id", "contest_id", "unit_id", "option_id"},
		ForeignKeys: []sinks.ForeignKey{{Fields: []string{"election_id", "contest_id", "unit_id"}, Table: "units", TableFields: []string{"election_id", "contest_id", "unit_id"}}},
		Schema: schema(
			col{"election_id", str, false, "Election id from the spec"},
			col{"contest_id", str, false, "What is decided: a list-PR constituency or an office in a district"},
			col{"unit_id", str, false, "Stable id of the reporting unit"},
			col{"unit_level", str, false, "Level of the unit: nation, region, district, precinct or a level the spec names"},
			col{"option_id", str, false, "Canonical id of the ballot option after alias resolution"},
			col{"option_name", str, false, "Canonical display name of the option"},
			col{"option_kind", str, false, "list, candidate, against_all, blank, write_in or other"},
			col{"party_id", str, true, "Canonical party of the option; empty for none"},
			col{"votes", i64, true, "Votes for this option in this unit; null where the sheet shows none"},
			col{"share", f64, true, "Votes as a percent of the unit's valid votes"},
			col{"source_file", str, false, "File the figure came from"},
			col{"source_sheet", str, true, "Sheet the figure came from; empty for text files"},
			col{"source_row", i64, false, "1-based row of the cell in the source"},
			col{"source_column", i64, false, "1-based column of the cell in the source"},
		),
	}
	UnitsTable = TableDef{
		Name:        "units",
		Description: "One row per contest and reporting unit, with its protocol figures.",
		PrimaryKey:  []string{"election_id", "contest_id", "unit_id"},
		Schema: schema(
			col{"election_id", str, false, "Election id from the spec"},
			col{"contest_id", str, false, "Contest id"},
			col{"unit_id", str, false, "Stable id of the reporting unit"},
			col{"unit_name", str, false, "Name of the unit as published"},
			col{"unit_level", str, false, "Level of the unit"},
			col{"parent_unit_id", str, true, "Unit this one belongs to; empty at the top"},
			col{"registered", i64, true, "Registered voters"},
			col{"ballots_issued", i64, true, "Ballots issued"},
			col{"ballots_cast", i64, true, "Ballots cast"},
			col{"invalid", i64, true, "Invalid ballots"},
			col{"valid", i64, true, "Valid ballots"},
			col{"turnout", f64, true, "Ballots cast as a percent of registered voters"},
			col{"source_file", str, false, "File the unit came from"},
			col{"source_sheet", str, true, "Sheet the unit came from; empty for text files"},
			col{"source_row", i64, false, "1-based row of the unit in the source (its first row in a long table)"},
		),
	}
	SeatsTable = TableDef{
		Name:        "seats",
		Description: "One row per list-PR contest and party: votes, eligibility and seats.",
		PrimaryKey:  []string{"election_id", "contest_id", "party_id"},
		Schema: schema(
			col{"election_id", str, false, "Election id from the spec"},
			col{"contest_id", str, false, "Contest id"},
			col{"party_id", str, false, "Canonical party id"},
			col{"party_name", str, false, "Canonical party name"},
			col{"votes", i64, false, "Votes of the party in the contest"},
			col{"share", f64, true, "Votes as a percent of the threshold base"},
			col{"eligible", bln, false, "Whether the party passed the threshold and takes part in the allocation"},
			col{"seats", i64, false, "Seats computed by tally"},
			col{"declared_seats", i64, true, "Seats the commission declared; null where not given"},
			col{"method", str, false, "Allocation method"},
			col{"gallagher", f64, false, "Gallagher least-squares index of the contest, in percentage points"},
			col{"loosemore_hanby", f64, false, "Loosemore-Hanby index of the contest, in percentage points"},
			col{"sainte_lague_index", f64, false, "Sainte-Laguë index of the contest"},
			col{"enp_votes", f64, false, "Effective number of parties by votes in the contest"},
			col{"enp_seats", f64, false, "Effective number of parties by seats in the contest"},
		),
	}
	FindingsTable = TableDef{
		Name:        "findings",
		Description: "One row per problem found in the data.",
		Schema: schema(
			col{"severity", str, false, "error, warning or info"},
			col{"code", str, false, "Stable code of the check"},
			col{"message", str, false, "What was found"},
			col{"unit_id", str, true, "Unit concerned"},
			col{"option_id", str, true, "Option concerned"},
			col{"source_file", str, true, "File of the cell"},
			col{"source_sheet", str, true, "Sheet of the cell"},
			col{"source_row", i64, true, "1-based row of the cell"},
			col{"source_column", i64, true, "1-based column of the cell"},
			col{"expected", str, true, "Expected value"},
			col{"actual", str, true, "Value found"},
		),
	}
	RejectsTable = TableDef{
		Name:        "rejects",
		Description: "One row per input row that could not be used.",
		Schema: schema(
			col{"source_file", str, false, "File of the row"},
			col{"source_sheet", str, true, "Sheet of the row"},
			col{"source_row", i64, false, "1-based row number"},
			col{"raw", str, false, "The row's cells as read, joined with a tab"},
			col{"reason", str, false, "Why the row could not be used"},
		),
	}
)

// Tables lists the canonical tables in the order they are written.
var Tables = []TableDef{ResultsTable, UnitsTable, SeatsTable, FindingsTable, RejectsTable}

// builder appends rows to an Arrow record batch of one table.
//
// String columns are built dictionary-encoded: a row appends an index,
// and a value the column has just seen (the same Go string: the election
// id, a unit's id on each of its options, an option's canonical name) is
// recognised by its address without hashing its bytes; any other value
// becomes a new entry. The batches so carry each string about once,
// without a hash per row on the goroutine that checks the rows; the
// Parquet writer merges equal entries as it takes them, and the other
// formats expand them (package sinks). Columns whose
// values are mostly distinct (denseColumns) are built plain.
type builder struct {
	schema *arrow.Schema // the batches' schema: strings as dictionaries
	fields []array.Builder
	dicts  []*dictCol
	strs   []*strCol // plain string columns
	nums   []*numCol // int64 and float64 columns
	rows   int
	gen    int // batches flushed so far
}

// denseColumns are string columns with about one distinct value per row,
// where a dictionary would only add indices.
var denseColumns = map[string]bool{
	"units.unit_id": true, "units.unit_name": true,
	"findings.message": true, "rejects.raw": true,
}

var dictString = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

func newBuilder(mem memory.Allocator, t TableDef) *builder {
	b := &builder{}
	// The columns built here write every value and offset of a batch and
	// keep their validity bitmaps in memory of their own: they need no
	// zeroed buffers. Arrow's builders (booleans) do.
	raw := rawOf(mem)
	fields := t.Schema.Fields()
	for i, f := range fields {
		if f.Type.ID() == arrow.STRING && !denseColumns[t.Name+"."+f.Name] {
			b.dicts = append(b.dicts, newDictCol(raw))
			b.strs = append(b.strs, nil)
			b.fields = append(b.fields, nil)
			b.nums = append(b.nums, nil)
			fields[i].Type = dictString
			continue
		}
		b.dicts = append(b.dicts, nil)
		if f.Type.ID() == arrow.STRING {
			b.strs = append(b.strs, &strCol{mem: raw})
			b.fields = append(b.fields, nil)
			b.nums = append(b.nums, nil)
			continue
		}
		b.strs = append(b.strs, nil)
		if id := f.Type.ID(); id == arrow.INT64 || id == arrow.FLOAT64 {
			b.nums = append(b.nums, &numCol{typ: f.Type, mem: raw})
			b.fields = append(b.fields, nil)
			continue
		}
		b.nums = append(b.nums, nil)
		b.fields = append(b.fields, array.NewBuilder(mem, f.Type))
	}
	b.schema = arrow.NewSchema(fields, nil)
	return b
}

func (b *builder) str(i int, s string) {
	if d := b.dicts[i]; d != nil {
		d.add(s)
		return
	}
	b.strs[i].add(s)
}

// strN appends s to n rows (of a unit's results, say) of column i.
func (b *builder) strN(i int, s string, n int) {
	d := b.dicts[i]
	if d == nil || n == 0 {
		for range n {
			b.str(i, s)
		}
		return
	}
	d.add(s)
	d.idx.fill(d.idx.vals[len(d.idx.vals)-1], n-1)
}

// nstrN appends s, or a null for "", to n rows of column i.
func (b *builder) nstrN(i int, s string, n int) {
	if s != "" {
		b.strN(i, s, n)
		return
	}
	if d := b.dicts[i]; d != nil {
		d.idx.nullN(n)
		return
	}
	for range n {
		b.nstr(i, s)
	}
}

// nstr appends s, or a null for "".
func (b *builder) nstr(i int, s string) {
	if s != "" {
		b.str(i, s)
		return
	}
	if d := b.dicts[i]; d != nil {
		d.null()
		return
	}
	b.strs[i].null()
}

func (b *builder) i64(i int, v int64) { b.nums[i].add(uint64(v)) }

func (b *builder) ni64(i int, v opt) {
	if !v.ok {
		b.nums[i].null()
		return
	}
	b.nums[i].add(uint64(v.v))
}

func (b *builder) nf64(i int, v float64, ok bool) {
	if !ok {
		b.nums[i].null()
		return
	}
	b.nums[i].add(math.Float64bits(v))
}

func (b *builder) bool(i int, v bool) { b.fields[i].(*array.BooleanBuilder).Append(v) }

// flush returns the rows built so far as a batch (nil when none); the
// caller releases it.
func (b *builder) flush() arrow.RecordBatch {
	if b.rows == 0 {
		return nil
	}
	cols := make([]arrow.Array, len(b.fields))
	for i := range cols {
		if d := b.dicts[i]; d != nil {
			cols[i] = d.flush()
		} else if n := b.nums[i]; n != nil {
			cols[i] = n.flush()
		} else if c := b.strs[i]; c != nil {
			cols[i] = c.flush()
		} else {
			cols[i] = b.fields[i].NewArray()
		}
	}
	rec := array.NewRecordBatch(b.schema, cols, int64(b.rows))
	for _, c := range cols {
		c.Release()
	}
	b.rows = 0
	b.gen++
	return rec
}

func (b *builder) release() {
	for _, f := range b.fields {
		if f != nil {
			f.Release()
		}
	}
	for _, d := range b.dicts {
		if d != nil {
			d.dict.release()
			d.idx.release()
		}
	}
	for _, c := range b.strs {
		if c != nil {
			c.release()
		}
	}
	for _, n := range b.nums {
		if n != nil {
			n.release()
		}
	}
}

// dictCol builds one dictionary-encoded string column of a batch.
type dictCol struct {
	idx  fixedCol[int32]
	vals []string
	// seen remembers recent values by address and length: a string with
	// the same address and length as one seen is that string (the entry
	// keeps it alive, so the address cannot be reused meanwhile).
	seen [dictSeen]seenString
	turn int
	// last is the value added last (nil before the batch's first): the
	// same value again, a table's election or file on every row, needs
	// no hash. It is always in seen too, so that both give the same index.
	last seenString
	dict strCol
}

const (
	dictSeenBits = 6
	dictSeen     = 1 << dictSeenBits
	dictProbe    = 4
)

type seenString struct {
	p *byte
	n int
	k int32
}

func newDictCol(mem memory.Allocator) *dictCol {
	return &dictCol{idx: fixedCol[int32]{typ: arrow.PrimitiveTypes.Int32, mem: mem}, dict: strCol{mem: mem}}
}

func (d *dictCol) add(s string) {
	p := unsafe.StringData(s)
	if p == d.last.p && len(s) == d.last.n && p != nil {
		d.append(d.last.k)
		return
	}
	// A multiplicative hash of the address picks a window of dictProbe
	// slots; a value is looked for in its window and, when new, replaces
	// the window's empty or next slot in turn, so that a dozen values
	// cycling (a unit's options) all stay.
	h := uint((uint64(uintptr(unsafe.Pointer(p))) ^ uint64(len(s))) * 0x9e3779b97f4a7c15 >> (64 - dictSeenBits))
	if p != nil {
		for j := range uint(dictProbe) {
			if e := &d.seen[(h+j)%dictSeen]; e.p == p && e.n == len(s) {
				d.last = *e
				d.append(e.k)
				return
			}
		}
	}
	// Not seen lately: a new dictionary entry, even if an equal string
	// came earlier in the batch. Arrow dictionaries may repeat values; the
	// Parquet writer merges them, on its own goroutine.
	k := int32(len(d.vals))
	d.vals = append(d.vals, s)
	slot := (h + uint(d.turn)) % dictSeen
	for j := range uint(dictProbe) {
		if d.seen[(h+j)%dictSeen].p == nil {
			slot = (h + j) % dictSeen
			break
		}
	}
	d.turn = (d.turn + 1) % dictProbe
	d.seen[slot] = seenString{p, len(s), k}
	d.last = d.seen[slot]
	d.append(k)
}

func (d *dictCol) append(k int32) { d.idx.add(k) }

func (d *dictCol) null() { d.idx.null() }

// flush returns the column's rows as a dictionary array and starts anew.
func (d *dictCol) flush() arrow.Array {
	for _, v := range d.vals {
		d.dict.add(v)
	}
	values := d.dict.flush()
	defer values.Release()
	indices := d.idx.flush()
	defer indices.Release()
	out := array.NewDictionaryArray(dictString, indices, values)
	d.vals = d.vals[:0]
	d.seen, d.last = [dictSeen]seenString{}, seenString{}
	return out
}

// strCol builds one plain string column of a batch: its offsets and
// bytes go straight to two buffers of the builder's allocator, which the
// batch takes over at the flush. Each batch starts with the room the last
// one took, so that a batch's buffers are mostly sized once, not grown
// (and copied) from nothing as an Arrow builder's are.
type strCol struct {
	mem       memory.Allocator
	offBuf    *memory.Buffer // holds offs; nil before the first value
	dataBuf   *memory.Buffer // holds data
	offs      []int32        // the start of each value and the end of the last
	data      []byte
	valid     validity
	lastRows  int
	lastBytes int
}

// add appends a value.
func (c *strCol) add(s string) {
	if len(c.offs) == cap(c.offs) || len(s) > cap(c.data)-len(c.data) {
		c.grow(len(s))
	}
	if c.valid.bits != nil {
		c.valid.set(len(c.offs)-1, true)
	}
	c.data = append(c.data, s...)
	c.offs = append(c.offs, int32(len(c.data)))
}

// null appends a null (an empty value).
func (c *strCol) null() {
	if len(c.offs) == cap(c.offs) {
		c.grow(0)
	}
	c.valid.set(len(c.offs)-1, false)
	c.offs = append(c.offs, int32(len(c.data)))
}

// grow makes room for one more offset and n more bytes, keeping those
// there.
func (c *strCol) grow(n int) {
	if c.offBuf == nil {
		mem := c.mem
		if mem == nil {
			mem = memory.DefaultAllocator
		}
		c.offBuf = memory.NewResizableBuffer(mem)
		c.dataBuf = memory.NewResizableBuffer(mem)
		c.offs, c.data = nil, nil
		c.reserve(max(c.lastRows+1, 64), max(c.lastBytes, n, 256))
		c.offs = append(c.offs, 0)
		if len(c.offs) < cap(c.offs) && n <= cap(c.data) {
			return
		}
	}
	rows, bytes := cap(c.offs), cap(c.data)
	if len(c.offs) == rows {
		rows *= 2
	}
	if n > bytes-len(c.data) {
		bytes = max(2*bytes, len(c.data)+n)
	}
	c.reserve(rows, bytes)
}

// reserve makes room for rows offsets and bytes bytes in all.
func (c *strCol) reserve(rows, bytes int) {
	if rows > cap(c.offs) {
		c.offBuf.Reserve(rows * 4)
		b := c.offBuf.Buf()
		c.offs = unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)[:len(c.offs)]
	}
	if bytes > cap(c.data) {
		c.dataBuf.Reserve(bytes)
		b := c.dataBuf.Buf()
		c.data = b[:len(c.data):len(b)] // an allocator's slice may have room past its length
	}
}

// flush returns the column's values as an array and starts anew.
func (c *strCol) flush() arrow.Array {
	if c.offBuf == nil {
		c.grow(0)
	}
	n := len(c.offs) - 1
	bitmap, nulls := c.valid.take(n)
	c.offBuf.ResizeNoShrink(len(c.offs) * 4)
	c.dataBuf.ResizeNoShrink(len(c.data))
	data := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{bitmap, c.offBuf, c.dataBuf}, nil, nulls, 0)
	defer data.Release()
	c.lastRows, c.lastBytes = n, len(c.data)
	c.offBuf.Release() // the batch holds them now
	c.dataBuf.Release()
	c.offBuf, c.dataBuf, c.offs, c.data = nil, nil, nil, nil
	return array.MakeFromData(data)
}

// release gives back the buffers of a batch never flushed.
func (c *strCol) release() {
	if c.offBuf != nil {
		c.offBuf.Release()
		c.dataBuf.Release()
		c.offBuf, c.dataBuf, c.offs, c.data = nil, nil, nil, nil
	}
}

// fixedCol builds one column of fixed-width values of a batch in a plain
// slice: dictionary indices (int32), counts and shares (int64, float64 as
// bits, in uint64). The flush hands the slice and its validity bitmap to
// Arrow whole and starts a fresh one.
//
// The slice lives in a buffer of the builder's allocator, which the batch
// takes over: with the run's bufPool, the buffer comes back once every
// sink has released the batch.
type fixedCol[T int32 | uint64] struct {
	typ   arrow.DataType
	mem   memory.Allocator
	buf   *memory.Buffer // holds vals; nil before the first value
	vals  []T
	valid validity
	last  int // values in the last batch, the room the next one takes
	fast  int // add's fast path holds while len(vals) < fast: cap(vals) while no value is null, else 0
}

type numCol = fixedCol[uint64]

// add appends a value. Its common case (room left, no null so far) is
// small enough to be inlined into the builder's column calls.
func (c *fixedCol[T]) add(v T) {
	if len(c.vals) < c.fast {
		c.vals = append(c.vals, v)
		return
	}
	c.put(v, true)
}

func (c *fixedCol[T]) null() { c.put(0, false) }

// put appends a value or a null.
func (c *fixedCol[T]) put(v T, ok bool) {
	c.valid.set(len(c.vals), ok)
	if len(c.vals) == cap(c.vals) {
		c.grow(2 * cap(c.vals))
	}
	c.vals = append(c.vals, v)
	c.setFast()
}

func (c *fixedCol[T]) setFast() {
	c.fast = 0
	if c.valid.bits == nil {
		c.fast = cap(c.vals)
	}
}

// grow makes room for n values, keeping those there.
func (c *fixedCol[T]) grow(n int) {
	n = max(n, c.last, 256)
	var zero T
	size := int(unsafe.Sizeof(zero))
	if c.buf == nil {
		mem := c.mem
		if mem == nil {
			mem = memory.DefaultAllocator
		}
		c.buf = memory.NewResizableBuffer(mem)
	}
	c.buf.Reserve(n * size)
	b := c.buf.Buf()
	c.vals = unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/size)[:len(c.vals)]
	c.setFast()
}

func (c *fixedCol[T]) flush() arrow.Array {
	n := len(c.vals)
	bitmap, nulls := c.valid.take(n)
	if c.buf == nil {
		c.grow(0)
	}
	var zero T
	c.buf.ResizeNoShrink(n * int(unsafe.Sizeof(zero)))
	data := array.NewData(c.typ, n, []*memory.Buffer{bitmap, c.buf}, nil, nulls, 0)
	defer data.Release()
	c.buf.Release() // the batch holds it now
	c.buf, c.vals, c.last, c.fast = nil, nil, n, 0
	return array.MakeFromData(data)
}

// fill appends n copies of v.
func (c *fixedCol[T]) fill(v T, n int) {
	if len(c.vals)+n > c.fast {
		for range n {
			c.put(v, true)
		}
		return
	}
	s := c.vals[len(c.vals) : len(c.vals)+n]
	c.vals = c.vals[:len(c.vals)+n]
	for len(s) >= 4 {
		s[0], s[1], s[2], s[3] = v, v, v, v
		s = s[4:]
	}
	for i := range s {
		s[i] = v
	}
}

// nullN appends n nulls.
func (c *fixedCol[T]) nullN(n int) {
	if n == 0 {
		return
	}
	at := len(c.vals)
	c.valid.nullRange(at, n)
	if at+n > cap(c.vals) {
		c.grow(max(2*cap(c.vals), at+n))
	}
	c.vals = c.vals[:at+n]
	clear(c.vals[at:])
	c.setFast()
}

// addAll appends values none of which is null.
func (c *fixedCol[T]) addAll(vs []T) {
	if len(c.vals)+len(vs) > c.fast {
		for _, v := range vs {
			c.put(v, true)
		}
		return
	}
	c.vals = append(c.vals, vs...)
}

// release gives back the buffer of a batch never flushed.
func (c *fixedCol[T]) release() {
	if c.buf != nil {
		c.buf.Release()
		c.buf, c.vals, c.fast = nil, nil, 0
	}
}

// validity is a column's validity bitmap, kept only once a null arrives.
type validity struct {
	bits  []byte
	nulls int
}

// set records whether row i (the next row) is valid.
func (v *validity) set(i int, ok bool) {
	if ok && v.bits == nil {
		return
	}
	if v.bits == nil {
		v.bits = make([]byte, 0, i/8+64)
		for j := range i {
			v.setBit(j)
		}
	}
	for len(v.bits) <= i/8 {
		v.bits = append(v.bits, 0)
	}
	if ok {
		v.setBit(i)
	} else {
		v.nulls++
	}
}

// nullRange records rows i to i+n-1 (the next ones) as nulls.
func (v *validity) nullRange(i, n int) {
	v.set(i, false)
	for len(v.bits) < (i+n+7)/8 {
		v.bits = append(v.bits, 0)
	}
	v.nulls += n - 1
}

func (v *validity) setBit(i int) {
	for len(v.bits) <= i/8 {
		v.bits = append(v.bits, 0)
	}
	v.bits[i/8] |= 1 << (i % 8)
}

// take returns the bitmap of n rows (nil when all are valid) and the
// number of nulls, and starts anew.
func (v *validity) take(n int) (*memory.Buffer, int) {
	if v.bits == nil {
		return nil, 0
	}
	for len(v.bits) < (n+7)/8 {
		v.bits = append(v.bits, 0)
	}
	b, nulls := memory.NewBufferBytes(v.bits), v.nulls
	v.bits, v.nulls = nil, 0
	return b, nulls
}

// opt is an optional count: a figure the sheet may not have.
type opt struct {
	v  int64
	ok bool
}

func some(v int64) opt { return opt{v, true} }
