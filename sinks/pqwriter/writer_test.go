package pqwriter

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"pgregory.net/rapid"
)

// tb is what the helpers need of *testing.T and *rapid.T.
type tb interface {
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// table is a test table held as Go values: nil is null.
type table struct {
	schema *arrow.Schema
	cols   [][]any
}

func (t table) rows() int { return len(t.cols[0]) }

// genTable draws a table of every column kind, with few or many distinct
// values, nulls where the column allows them.
func genTable(rt *rapid.T) table {
	ncols := rapid.IntRange(1, 6).Draw(rt, "ncols")
	rows := rapid.IntRange(0, 300).Draw(rt, "rows")
	var fields []arrow.Field
	var cols [][]any
	for i := range ncols {
		k := kind(rapid.IntRange(0, 3).Draw(rt, "kind"))
		nullable := rapid.Bool().Draw(rt, "nullable")
		distinct := rapid.IntRange(1, 400).Draw(rt, "distinct")
		var typ arrow.DataType
		switch k {
		case kString:
			typ = arrow.BinaryTypes.String
		case kInt64:
			typ = arrow.PrimitiveTypes.Int64
		case kFloat64:
			typ = arrow.PrimitiveTypes.Float64
		default:
			typ = arrow.FixedWidthTypes.Boolean
		}
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("c%d", i), Type: typ, Nullable: nullable})
		col := make([]any, rows)
		for r := range col {
			if nullable && rapid.IntRange(0, 4).Draw(rt, "null") == 0 {
				continue
			}
			v := rapid.IntRange(0, distinct-1).Draw(rt, "v")
			switch k {
			case kString:
				col[r] = []string{"", "Nur Otan", "Ақ жол", "a,b", "x"}[v%5] + fmt.Sprint(v/5)
			case kInt64:
				col[r] = int64(v) * []int64{1, -1, 1 << 40}[v%3]
			case kFloat64:
				col[r] = []float64{float64(v) / 7, -float64(v), 0, math.Copysign(0, -1), math.Inf(1)}[v%5]
			default:
				col[r] = v%2 == 0
			}
		}
		cols = append(cols, col)
	}
	return table{schema: arrow.NewSchema(fields, nil), cols: cols}
}

// batch builds rows [from, to) as a record; string columns become
// dictionary arrays where dict says so.
func (t table) batch(from, to int, dict bool) arrow.RecordBatch {
	mem := memory.DefaultAllocator
	var arrs []arrow.Array
	var fields []arrow.Field
	for i, f := range t.schema.Fields() {
		col := t.cols[i][from:to]
		var a arrow.Array
		switch f.Type.ID() {
		case arrow.STRING:
			if dict {
				dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
				b := array.NewDictionaryBuilder(mem, dt).(*array.BinaryDictionaryBuilder)
				for _, v := range col {
					if v == nil {
						b.AppendNull()
					} else {
						b.AppendString(v.(string))
					}
				}
				a = b.NewArray()
				f.Type = dt
			} else {
				b := array.NewStringBuilder(mem)
				for _, v := range col {
					if v == nil {
						b.AppendNull()
					} else {
						b.Append(v.(string))
					}
				}
				a = b.NewArray()
			}
		case arrow.INT64:
			b := array.NewInt64Builder(mem)
			for _, v := range col {
				if v == nil {
					b.AppendNull()
				} else {
					b.Append(v.(int64))
				}
			}
			a = b.NewArray()
		case arrow.FLOAT64:
			b := array.NewFloat64Builder(mem)
			for _, v := range col {
				if v == nil {
					b.AppendNull()
				} else {
					b.Append(v.(float64))
				}
			}
			a = b.NewArray()
		default:
			b := array.NewBooleanBuilder(mem)
			for _, v := range col {
				if v == nil {
					b.AppendNull()
				} else {
					b.Append(v.(bool))
				}
			}
			a = b.NewArray()
		}
		arrs = append(arrs, a)
		fields = append(fields, f)
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), arrs, int64(to-from))
}

// write writes t in batches cut at the given sizes.
func write(t tb, tbl table, rg int, cuts []int, dict bool) []byte {
	var buf bytes.Buffer
	w, err := New(&buf, tbl.schema, Options{RowGroupRows: rg, ZstdLevel: 1, CreatedBy: "tally test",
		Metadata: [][2]string{{"k", "v"}}, ArrowSchema: true, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	from := 0
	for _, n := range cuts {
		to := min(from+n, tbl.rows())
		rec := tbl.batch(from, to, dict)
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		from = to
	}
	if from < tbl.rows() {
		rec := tbl.batch(from, tbl.rows(), dict)
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readBack reads a file with arrow-go's Parquet reader into Go values.
func readBack(t tb, data []byte) [][]any {
	rdr, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	out := make([][]any, tbl.NumCols())
	for i := range out {
		for _, chunk := range tbl.Column(i).Data().Chunks() {
			for r := 0; r < chunk.Len(); r++ {
				if chunk.IsNull(r) {
					out[i] = append(out[i], nil)
					continue
				}
				switch a := chunk.(type) {
				case *array.String:
					out[i] = append(out[i], a.Value(r))
				case *array.Int64:
					out[i] = append(out[i], a.Value(r))
				case *array.Float64:
					out[i] = append(out[i], a.Value(r))
				case *array.Boolean:
					out[i] = append(out[i], a.Value(r))
				default:
					t.Fatalf("column %d read back as %s", i, chunk.DataType())
				}
			}
		}
	}
	return out
}

// readsBackAs reads a file back and requires every value of tbl in it.
func readsBackAs(t tb, data []byte, tbl table) {
	got := readBack(t, data)
	for c := range tbl.cols {
		for r := range tbl.cols[c] {
			if !sameValue(got[c][r], tbl.cols[c][r]) {
				t.Fatalf("column %d row %d: %v, want %v", c, r, got[c][r], tbl.cols[c][r])
			}
		}
	}
}

func sameValue(a, b any) bool {
	if fa, ok := a.(float64); ok {
		fb, ok := b.(float64)
		return ok && math.Float64bits(fa) == math.Float64bits(fb)
	}
	return a == b
}

// TestRoundTrip writes random tables in random batches and row groups and
// reads them back with arrow-go's reader: every value, null and type comes
// back, and the bytes do not depend on the batches or on dictionary input.
func TestRoundTrip(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		tb := genTable(rt)
		rg := rapid.IntRange(1, 120).Draw(rt, "rowGroup")
		cuts := rapid.SliceOfN(rapid.IntRange(1, 90), 0, 8).Draw(rt, "cuts")
		data := write(rt, tb, rg, cuts, rapid.Bool().Draw(rt, "dict"))
		got := readBack(rt, data)
		for i, col := range tb.cols {
			if len(got[i]) != len(col) {
				rt.Fatalf("column %d: %d rows back, wrote %d", i, len(got[i]), len(col))
			}
			for r := range col {
				if !sameValue(col[r], got[i][r]) {
					rt.Fatalf("column %d row %d: wrote %v (%T), read %v (%T)", i, r, col[r], col[r], got[i][r], got[i][r])
				}
			}
		}
		if again := write(rt, tb, rg, nil, false); !bytes.Equal(data, again) {
			rt.Fatalf("the same rows in other batches gave other bytes")
		}
	})
}

// Batches that are slices of a larger one (their arrays start at an
// offset into their buffers and validity bitmaps) give the bytes of the
// whole.
func TestSlicedBatches(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		tb := genTable(rt)
		rg := rapid.IntRange(1, 120).Draw(rt, "rowGroup")
		dict := rapid.Bool().Draw(rt, "dict")
		want := write(rt, tb, rg, nil, dict)
		whole := tb.batch(0, tb.rows(), dict)
		defer whole.Release()
		var buf bytes.Buffer
		w, err := New(&buf, tb.schema, Options{RowGroupRows: rg, ZstdLevel: 1, CreatedBy: "tally test",
			Metadata: [][2]string{{"k", "v"}}, ArrowSchema: true, Parallel: 2})
		if err != nil {
			rt.Fatal(err)
		}
		for from := 0; from < tb.rows(); {
			to := min(tb.rows(), from+rapid.IntRange(1, 70).Draw(rt, "cut"))
			rec := whole.NewSlice(int64(from), int64(to))
			if err := w.Write(rec); err != nil {
				rt.Fatal(err)
			}
			rec.Release()
			from = to
		}
		if err := w.Close(); err != nil {
			rt.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			rt.Fatalf("sliced batches gave other bytes")
		}
	})
}

// TestStatistics checks each chunk's min, max and null count against the
// rows, as arrow-go's reader decodes them.
func TestStatistics(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		tb := genTable(rt)
		rg := rapid.IntRange(1, 120).Draw(rt, "rowGroup")
		data := write(rt, tb, rg, nil, true)
		rdr, err := file.NewParquetReader(bytes.NewReader(data))
		if err != nil {
			rt.Fatal(err)
		}
		if got := rdr.NumRows(); got != int64(tb.rows()) {
			rt.Fatalf("footer says %d rows, wrote %d", got, tb.rows())
		}
		for g := 0; g < rdr.NumRowGroups(); g++ {
			md := rdr.MetaData().RowGroup(g)
			from := g * rg
			to := min(from+rg, tb.rows())
			for i, col := range tb.cols {
				cc, err := md.ColumnChunk(i)
				if err != nil {
					rt.Fatal(err)
				}
				st, err := cc.Statistics()
				if err != nil || st == nil {
					rt.Fatalf("group %d column %d: no statistics (%v)", g, i, err)
				}
				checkStats(rt, st, col[from:to])
			}
		}
	})
}

func checkStats(t *rapid.T, st metadata.TypedStatistics, vals []any) {
	nulls := 0
	var lo, hi any
	for _, v := range vals {
		if v == nil {
			nulls++
			continue
		}
		if lo == nil || less(v, lo) {
			lo = v
		}
		if hi == nil || less(hi, v) {
			hi = v
		}
	}
	if st.NullCount() != int64(nulls) {
		t.Fatalf("null count %d, want %d", st.NullCount(), nulls)
	}
	if lo == nil {
		if st.HasMinMax() {
			t.Fatalf("min/max written for a chunk of nulls")
		}
		return
	}
	if !st.HasMinMax() {
		t.Fatalf("no min/max")
	}
	var gotLo, gotHi any
	switch s := st.(type) {
	case *metadata.ByteArrayStatistics:
		gotLo, gotHi = string(s.Min()), string(s.Max())
	case *metadata.Int64Statistics:
		gotLo, gotHi = s.Min(), s.Max()
	case *metadata.Float64Statistics:
		gotLo, gotHi = s.Min(), s.Max()
		// A zero bound is written as -0 (min) and +0 (max).
		if lo.(float64) == 0 {
			lo = math.Copysign(0, -1)
		}
		if hi.(float64) == 0 {
			hi = 0.0
		}
	case *metadata.BooleanStatistics:
		gotLo, gotHi = s.Min(), s.Max()
	}
	if !sameValue(gotLo, lo) || !sameValue(gotHi, hi) {
		t.Fatalf("min/max %v/%v, want %v/%v", gotLo, gotHi, lo, hi)
	}
}

func less(a, b any) bool {
	switch x := a.(type) {
	case string:
		return x < b.(string)
	case int64:
		return x < b.(int64)
	case float64:
		return x < b.(float64)
	case bool:
		return !x && b.(bool)
	}
	return false
}

// TestFooter checks the schema types, metadata and created_by readers see.
func TestFooter(t *testing.T) {
	tb := table{schema: arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil), cols: [][]any{{"a", "b", "a"}, {int64(1), nil, int64(3)}}}
	data := write(t, tb, 2, nil, false)
	rdr, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	md := rdr.MetaData()
	if got := md.GetCreatedBy(); got != "tally test" {
		t.Errorf("created_by %q", got)
	}
	if md.NumRowGroups() != 2 {
		t.Errorf("%d row groups, want 2", md.NumRowGroups())
	}
	if v := md.KeyValueMetadata().FindValue("k"); v == nil || *v != "v" {
		t.Errorf("metadata k = %v", v)
	}
	s := md.Schema
	if c := s.Column(0); c.PhysicalType() != parquet.Types.ByteArray || c.LogicalType().String() != "String" || c.MaxDefinitionLevel() != 0 {
		t.Errorf("column s: %s %s def %d", c.PhysicalType(), c.LogicalType(), c.MaxDefinitionLevel())
	}
	if c := s.Column(1); c.PhysicalType() != parquet.Types.Int64 || c.LogicalType().String() != "Int(bitWidth=64, isSigned=true)" || c.MaxDefinitionLevel() != 1 {
		t.Errorf("column n: %s %s def %d", c.PhysicalType(), c.LogicalType(), c.MaxDefinitionLevel())
	}
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	as, err := fr.Schema()
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range tb.schema.Fields() {
		g := as.Field(i)
		if g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) || g.Nullable != f.Nullable {
			t.Errorf("field %d read back as %s, want %s", i, g, f)
		}
	}
}

func TestEmptyTable(t *testing.T) {
	tb := table{schema: arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String}}, nil), cols: [][]any{{}}}
	got := readBack(t, write(t, tb, 10, nil, false))
	if len(got[0]) != 0 {
		t.Fatalf("read %d rows from an empty table", len(got[0]))
	}
}

func TestRequiredColumnRejectsNull(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewStringBuilder(memory.DefaultAllocator)
	b.AppendNull()
	a := b.NewArray()
	rec := array.NewRecordBatch(sch, []arrow.Array{a}, 1)
	w, err := New(&bytes.Buffer{}, sch, Options{RowGroupRows: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err == nil {
		t.Fatal("a null in a required column was accepted")
	}
}

// TestHybrid decodes the hybrid encoding of runs and literals of every
// shape and compares with the input.
func TestHybrid(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		width := rapid.IntRange(1, 20).Draw(rt, "width")
		var vals []uint32
		for range rapid.IntRange(0, 30).Draw(rt, "runs") {
			v := uint32(rapid.Uint64Range(0, 1<<width-1).Draw(rt, "v"))
			n := rapid.IntRange(1, 40).Draw(rt, "n")
			for range n {
				vals = append(vals, v)
			}
		}
		got := decodeHybrid(appendHybrid(nil, vals, width), width, len(vals))
		for i := range vals {
			if got[i] != vals[i] {
				rt.Fatalf("value %d: %d, want %d", i, got[i], vals[i])
			}
		}
	})
}

// appendHybrid's skips and eight-at-a-time run counts find the runs that
// looking at every value finds: the same bytes as that plain scan.
func TestHybridFindsEveryRun(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		width := rapid.IntRange(1, 12).Draw(rt, "width")
		var vals []uint32
		for range rapid.IntRange(0, 40).Draw(rt, "runs") {
			v := uint32(rapid.Uint64Range(0, 1<<width-1).Draw(rt, "v"))
			for range rapid.IntRange(1, 20).Draw(rt, "n") {
				vals = append(vals, v)
			}
		}
		if got, want := appendHybrid(nil, vals, width), appendHybridEveryValue(nil, vals, width); !bytes.Equal(got, want) {
			rt.Fatalf("% x, want % x", got, want)
		}
	})
}

// hybridSize is the length of appendHybrid's encoding, which it does not
// build.
func TestHybridSize(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		width := rapid.IntRange(1, 32).Draw(rt, "width")
		var vals []uint32
		for range rapid.IntRange(0, 80).Draw(rt, "runs") {
			v := uint32(rapid.Uint64Range(0, 1<<width-1).Draw(rt, "v"))
			for range rapid.IntRange(1, 30).Draw(rt, "n") {
				vals = append(vals, v)
			}
		}
		if got, want := hybridSize(vals, width), len(appendHybrid(nil, vals, width)); got != want {
			rt.Fatalf("hybridSize %d, encoding %d bytes", got, want)
		}
	})
}

// appendHybridEveryValue is appendHybrid looking at every value in turn.
func appendHybridEveryValue(dst []byte, vals []uint32, width int) []byte {
	n, lit, i := len(vals), 0, 0
	for i < n {
		v := vals[i]
		r := 1
		for i+r < n && vals[i+r] == v {
			r++
		}
		if r < 8 {
			i += r
			continue
		}
		if pend := i - lit; pend > 0 {
			k := (8 - pend%8) % 8
			i += k
			r -= k
			dst = appendPacked(dst, vals[lit:i], width)
			lit = i
			if r < 8 {
				i += r
				continue
			}
		}
		dst = appendRepeat(dst, v, r, width)
		i += r
		lit = i
	}
	if lit < n {
		dst = appendPacked(dst, vals[lit:], width)
	}
	return dst
}

// decodeHybrid is a plain reading of the format's definition, for tests.
func decodeHybrid(b []byte, width, n int) []uint32 {
	var out []uint32
	for len(out) < n {
		h, k := uvarint(b)
		b = b[k:]
		if h&1 == 0 {
			count := int(h >> 1)
			var v uint32
			for i := 0; i < (width+7)/8; i++ {
				v |= uint32(b[i]) << (8 * i)
			}
			b = b[(width+7)/8:]
			for range count {
				out = append(out, v)
			}
			continue
		}
		count := int(h>>1) * 8
		var acc uint64
		nbits := 0
		for range count {
			for nbits < width {
				acc |= uint64(b[0]) << nbits
				b = b[1:]
				nbits += 8
			}
			out = append(out, uint32(acc&(1<<width-1)))
			acc >>= width
			nbits -= width
		}
	}
	return out[:n]
}

func uvarint(b []byte) (uint64, int) {
	var v uint64
	for i, c := range b {
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1
		}
	}
	return v, len(b)
}

// A chunk whose first values are mostly distinct goes plain early; the
// values already taken come out right, and so do the rest.
func TestEarlyPlain(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "few", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	tbl := table{schema: sch, cols: make([][]any, 3)}
	for i := range 3 * earlyValues {
		tbl.cols[0] = append(tbl.cols[0], fmt.Sprintf("unit %d", i%(2*earlyValues)))
		if i%5 == 0 {
			tbl.cols[1] = append(tbl.cols[1], nil)
		} else {
			tbl.cols[1] = append(tbl.cols[1], int64(i*7919))
		}
		tbl.cols[2] = append(tbl.cols[2], int64(i%3))
	}
	for _, dict := range []bool{false, true} {
		data := write(t, tbl, 4*earlyValues, []int{1000, 5000}, dict)
		readsBackAs(t, data, tbl)
		rdr, err := file.NewParquetReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for c, wantDict := range []bool{false, false, true} {
			cc, err := rdr.MetaData().RowGroup(0).ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			if cc.HasDictionaryPage() != wantDict {
				t.Errorf("column %d: dictionary %t, want %t", c, cc.HasDictionaryPage(), wantDict)
			}
		}
	}
}

// Plain number chunks (DELTA_BINARY_PACKED counts, PLAIN
// floats) read back exactly, extremes and wrapping differences included.
func TestPlainNumbers(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 700).Draw(rt, "n")
		ints := rapid.SliceOfN(rapid.OneOf(rapid.Int64(), rapid.Int64Range(-3, 3),
			rapid.SampledFrom([]int64{math.MaxInt64, math.MinInt64, 0})), n, n).Draw(rt, "ints")
		tbl := table{schema: arrow.NewSchema([]arrow.Field{
			{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
			{Name: "f", Type: arrow.PrimitiveTypes.Float64},
		}, nil), cols: make([][]any, 2)}
		for k, v := range ints {
			if k%11 == 3 {
				tbl.cols[0] = append(tbl.cols[0], nil)
			} else {
				tbl.cols[0] = append(tbl.cols[0], v)
			}
			tbl.cols[1] = append(tbl.cols[1], math.Float64frombits(uint64(v)))
		}
		// Row groups of n rows with n distinct values are plain.
		readsBackAs(rt, write(rt, tbl, max(n, 1), nil, false), tbl)
	})
}

// A column chunk where zstd saves little is stored uncompressed, and so
// are the column's next rawChunks chunks of the same encoding whatever
// they hold; the one after, or one of another encoding, is tried again.
// A column that compresses well stays zstd.
func TestCodecPerChunk(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "noise first", Type: arrow.PrimitiveTypes.Float64},
		{Name: "same", Type: arrow.BinaryTypes.String},
		{Name: "ids", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "noise then few", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	const rg, groups = 512, 2*rawChunks + 3
	tbl := table{schema: sch, cols: make([][]any, 4)}
	x := uint64(1)
	for i := range rg * groups {
		x = x*6364136223846793005 + 1442695040888963407
		noise := math.Float64frombits(x) // every byte random: no encoding shrinks it
		if i < rg {
			tbl.cols[0] = append(tbl.cols[0], noise)
			tbl.cols[3] = append(tbl.cols[3], noise)
		} else {
			tbl.cols[0] = append(tbl.cols[0], float64(i)) // distinct: plain, as the noise
			tbl.cols[3] = append(tbl.cols[3], float64(i%3))
		}
		tbl.cols[1] = append(tbl.cols[1], "Nur Otan")
		if i%7 == 0 {
			tbl.cols[2] = append(tbl.cols[2], nil)
		} else {
			tbl.cols[2] = append(tbl.cols[2], fmt.Sprintf("region-%d/district-%d/precinct-%d", i/5000, i/700, i))
		}
	}
	data := write(t, tbl, rg, []int{700, 3000}, false)
	readsBackAs(t, data, tbl)
	rdr, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	none, zstd := compress.Codecs.Uncompressed, compress.Codecs.Zstd
	for g := range groups {
		rg := rdr.MetaData().RowGroup(g)
		want := []compress.Compression{none, none, zstd, zstd}
		if g > rawChunks {
			// The first group's noise put the next rawChunks groups'
			// plain values uncompressed; tried again, they compress.
			want[0] = zstd
		}
		if g <= dictRetry {
			// The noise, then plain values as the noise was: neither a
			// dictionary nor zstd is tried until both have waited out.
			want[3] = none
		}
		for c := range want {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			if cc.Compression() != want[c] {
				t.Errorf("group %d column %d: codec %s, want %s", g, c, cc.Compression(), want[c])
			}
		}
	}
}

// A float chunk is PLAIN and compressed where its values repeat (shares),
// BYTE_STREAM_SPLIT and compressed where they are near-unique but their
// bytes vary little position by position, and PLAIN uncompressed where
// neither pays; the choice, made on a column's first chunk, holds for its
// next rawChunks chunks and is made again on the one after.
func TestFloatEncodings(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "share", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "figures", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "noise then figures", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	const rg, groups = 4096, rawChunks + 2
	tbl := table{schema: sch, cols: make([][]any, 3)}
	x := uint64(7)
	for i := range rg * groups {
		x = x*6364136223846793005 + 1442695040888963407
		valid, votes := 300+(x>>50)%150, (x>>40)%(1+(x>>30)%40)
		// Distinct figures of a few significant bits: their low bytes are
		// zero, their high bytes vary little.
		figure := 50 + float64(i)/64
		if i%13 == 5 {
			tbl.cols[0] = append(tbl.cols[0], nil)
			tbl.cols[1] = append(tbl.cols[1], nil)
		} else {
			// Small parties' shares repeat, a little over half distinct.
			tbl.cols[0] = append(tbl.cols[0], float64(votes)*100/float64(valid))
			tbl.cols[1] = append(tbl.cols[1], figure)
		}
		if i < rg {
			tbl.cols[2] = append(tbl.cols[2], math.Float64frombits(x))
		} else {
			tbl.cols[2] = append(tbl.cols[2], figure)
		}
	}
	data := write(t, tbl, rg, []int{1000, 5000}, false)
	readsBackAs(t, data, tbl)
	rdr, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	type chunk struct {
		enc   parquet.Encoding
		codec compress.Compression
	}
	plainZstd := chunk{parquet.Encodings.Plain, compress.Codecs.Zstd}
	splitZstd := chunk{parquet.Encodings.ByteStreamSplit, compress.Codecs.Zstd}
	plainRaw := chunk{parquet.Encodings.Plain, compress.Codecs.Uncompressed}
	for g := range groups {
		want := []chunk{plainZstd, splitZstd, plainRaw}
		if g > rawChunks {
			want[2] = splitZstd // tried again
		}
		for c := range want {
			cc, err := rdr.MetaData().RowGroup(g).ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			if cc.HasDictionaryPage() {
				t.Fatalf("group %d column %d has a dictionary", g, c)
			}
			got := chunk{codec: cc.Compression()}
			for _, e := range cc.Encodings() {
				if e != parquet.Encodings.RLE {
					got.enc = e
				}
			}
			if got != want[c] {
				t.Errorf("group %d column %d: %s %s, want %s %s", g, c, got.enc, got.codec, want[c].enc, want[c].codec)
			}
		}
	}
}

// A numeric column whose dictionary lost (too many distinct values, or
// differences smaller) builds none for its next dictRetry chunks, even
// where one would win, and tries again on the one after; a column whose
// dictionary won keeps trying. Values read back the same either way.
func TestDictionaryRetry(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "distinct then few", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "rows then few", Type: arrow.PrimitiveTypes.Int64},
		{Name: "few", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "nulls then few", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	const rg, groups = 1024, 2*dictRetry + 3
	tbl := table{schema: sch, cols: make([][]any, 4)}
	for i := range rg * groups {
		few := int64(i%5) * 1000
		if i < rg {
			tbl.cols[0] = append(tbl.cols[0], float64(i)/3)
			tbl.cols[1] = append(tbl.cols[1], int64(i)) // differences of 1: delta wins
			tbl.cols[3] = append(tbl.cols[3], nil)      // no values: nothing lost
		} else {
			tbl.cols[0] = append(tbl.cols[0], float64(few)/3)
			tbl.cols[1] = append(tbl.cols[1], few)
			tbl.cols[3] = append(tbl.cols[3], few)
		}
		if i%9 == 0 {
			tbl.cols[2] = append(tbl.cols[2], nil)
		} else {
			tbl.cols[2] = append(tbl.cols[2], few)
		}
	}
	data := write(t, tbl, rg, []int{700, 3000}, false)
	readsBackAs(t, data, tbl)
	if again := write(t, tbl, rg, []int{rg + 1, 5}, false); !bytes.Equal(data, again) {
		t.Fatal("the same rows in other batches gave other bytes")
	}
	rdr, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for g := range groups {
		lost := g >= 1 && g <= dictRetry // the first group's loss holds
		want := []bool{!lost && g > 0, !lost && g > 0, true, g > 0}
		for c := range want {
			cc, err := rdr.MetaData().RowGroup(g).ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			if cc.HasDictionaryPage() != want[c] {
				t.Errorf("group %d column %d: dictionary %t, want %t", g, c, cc.HasDictionaryPage(), want[c])
			}
		}
	}
}

// A count column whose dictionary took fewer bytes than the differences
// keeps a dictionary for its next dictRetry chunks without sizing the
// differences, even where they would win; the one after is sized again.
func TestDeltaRetry(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "few then rows", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	const rg, groups = 1024, 2*dictRetry + 3
	tbl := table{schema: sch, cols: make([][]any, 1)}
	for i := range rg * groups {
		switch {
		case i%11 == 0:
			tbl.cols[0] = append(tbl.cols[0], nil)
		case i < rg:
			tbl.cols[0] = append(tbl.cols[0], int64(i%5)<<40)
		default:
			tbl.cols[0] = append(tbl.cols[0], int64(i/12)) // a row number on a unit's rows
		}
	}
	data := write(t, tbl, rg, []int{700, 3000}, false)
	readsBackAs(t, data, tbl)
	rdr, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for g := range groups {
		cc, err := rdr.MetaData().RowGroup(g).ColumnChunk(0)
		if err != nil {
			t.Fatal(err)
		}
		if want := g <= dictRetry; cc.HasDictionaryPage() != want {
			t.Errorf("group %d: dictionary %t, want %t", g, cc.HasDictionaryPage(), want)
		}
	}
}

// appendSplit puts the k-th byte of every value in the k-th stream.
func TestAppendSplit(t *testing.T) {
	vals := []uint64{0x0807060504030201, 0x1817161514131211, 0x2827262524232221}
	got := appendSplit([]byte{0xff}, vals)
	want := []byte{0xff, 1, 0x11, 0x21, 2, 0x12, 0x22, 3, 0x13, 0x23, 4, 0x14, 0x24, 5, 0x15, 0x25, 6, 0x16, 0x26, 7, 0x17, 0x27, 8, 0x18, 0x28}
	if !bytes.Equal(got, want) {
		t.Fatalf("appendSplit: % x, want % x", got, want)
	}
}

// Counts with few distinct values take a dictionary unless their
// differences take fewer bytes (a row number repeated on a unit's rows).
func TestDeltaOverDictionary(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "row", Type: arrow.PrimitiveTypes.Int64},
		{Name: "jumps", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	tbl := table{schema: sch, cols: make([][]any, 2)}
	for i := range 6000 {
		tbl.cols[0] = append(tbl.cols[0], int64(i/12+2))
		if i%5 == 0 {
			tbl.cols[1] = append(tbl.cols[1], nil)
		} else {
			tbl.cols[1] = append(tbl.cols[1], int64(i%4)<<40)
		}
	}
	data := write(t, tbl, 6000, []int{100, 4000}, true)
	readsBackAs(t, data, tbl)
	rdr, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for c, wantDict := range []bool{false, true} {
		cc, err := rdr.MetaData().RowGroup(0).ColumnChunk(c)
		if err != nil {
			t.Fatal(err)
		}
		if cc.HasDictionaryPage() != wantDict {
			t.Errorf("column %d: dictionary %t, want %t (encodings %v)", c, cc.HasDictionaryPage(), wantDict, cc.Encodings())
		}
	}
}

// deltaSize is the length of appendDelta's encoding, which it does not
// build.
func TestDeltaSize(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		dict := rapid.SliceOfN(rapid.OneOf(rapid.Uint64(), rapid.Uint64Range(0, 40),
			rapid.SampledFrom([]uint64{math.MaxInt64, 1 << 63, 0})), 1, 50).Draw(rt, "dict")
		idx := rapid.SliceOfN(rapid.Uint32Range(0, uint32(len(dict)-1)), 0, 700).Draw(rt, "idx")
		var vals []uint64
		for _, k := range idx {
			vals = append(vals, dict[k])
		}
		if got, want := deltaSize(dict, idx), len(appendDelta(nil, vals)); got != want {
			rt.Fatalf("deltaSize %d, encoding %d bytes", got, want)
		}
	})
}

// A chunk's string dictionary holds each distinct string once, in order of
// first appearance, whatever the table's growth, and every value's index
// points at its string.
func TestStringDictionary(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		vals := rapid.SliceOfN(rapid.StringMatching(`[a-z]{0,2}`), 0, 2000).Draw(rt, "vals")
		c := newColumn("s", kString, false, 1<<20)
		var want []string
		seen := map[string]bool{}
		for _, v := range vals {
			// The bytes of a buffer the column does not own, overwritten
			// after, as a batch's are once it is released.
			b := []byte(v)
			c.addString(unsafe.String(unsafe.SliceData(b), len(b)))
			clear(b)
			if !seen[v] {
				seen[v] = true
				want = append(want, v)
			}
		}
		if c.plain {
			rt.Skip("the chunk went plain")
		}
		if !slices.Equal(c.svals, want) {
			rt.Fatalf("dictionary %q, want %q", c.svals, want)
		}
		for i, k := range c.idx {
			if c.svals[k] != vals[i] {
				rt.Fatalf("value %d: index %d (%q), want %q", i, k, c.svals[k], vals[i])
			}
		}
	})
}
