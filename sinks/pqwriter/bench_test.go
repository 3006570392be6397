package pqwriter

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"tally/internal/testkit"
)

// benchParties are the 12 options of the benchmark tables, with their
// national shares of the valid votes.
var benchParties = []struct {
	id, name string
	share    float64
}{
	{"nur-otan", "Nur Otan", 0.62},
	{"ak-zhol", "Ак жол", 0.10},
	{"narodnaia-partiia-kazakhstana", "Народная партия Казахстана", 0.08},
	{"auyl", `Народно-демократическая патриотическая партия "Ауыл"`, 0.045},
	{"adal", "ADAL", 0.035},
	{"qazaqstan-zhasyldary", "Қазақстан жасылдары, экологтар және фермерлер", 0.03},
	{"respublica", "Respublica", 0.025},
	{"rukhaniyat", "Rukhaniyat", 0.02},
	{"zhana-qazaqstan", "Жаңа Қазақстан", 0.015},
	{"partiia-birlik", "Partiia Birlik", 0.012},
	{"soiuz-truda", "Союз труда и справедливости", 0.01},
	{"qazaq-liberal-alliance", "Qazaq Liberal Alliance", 0.008},
}

// benchUnit is one polling station of the benchmark tables.
type benchUnit struct {
	id, name, parent                 string
	registered, cast, invalid, valid int64
	votes                            [12]int64
}

// benchUnits returns n polling stations shaped like the harness's wide
// file: registered voters log-normal around 1,100, regional turnout and
// party strengths, precinct noise, votes summing to the valid ballots.
func benchUnits(n int) []benchUnit {
	rng := rand.New(rand.NewPCG(2021, 12))
	out := make([]benchUnit, n)
	var mul, w [12]float64
	turn := 0.0
	for i := range out {
		if i%(n/17+1) == 0 { // a new region
			turn = 0.55 + 0.30*rng.Float64()
			for k := range mul {
				mul[k] = math.Exp(0.35 * rng.NormFloat64())
			}
		}
		u := &out[i]
		district := fmt.Sprintf("raion-%d", i/2000)
		u.id, u.name, u.parent = fmt.Sprintf("%s/%d", district, i+1), fmt.Sprint(i+1), district
		u.registered = int64(min(max(math.Exp(7+0.55*rng.NormFloat64()), 50), 3500))
		t := min(max(turn+0.08*rng.NormFloat64(), 0.15), 0.99)
		u.cast = int64(math.Round(float64(u.registered) * t))
		u.invalid = int64(math.Round(float64(u.cast) * 0.03 * rng.Float64()))
		u.valid = u.cast - u.invalid
		sum := 0.0
		for k := range w {
			w[k] = benchParties[k].share * mul[k] * math.Exp(0.25*rng.NormFloat64())
			sum += w[k]
		}
		left := u.valid
		for k := range w {
			u.votes[k] = int64(float64(u.valid) * w[k] / sum)
			left -= u.votes[k]
		}
		u.votes[0] += left
	}
	return out
}

var dictStrings = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// batchesOf returns schema and, for the batches, the same fields with
// the strings not in plain dictionary-encoded (as tally's pipeline builds
// them).
func batchesOf(fields []arrow.Field, plain map[string]bool) (*arrow.Schema, *arrow.Schema) {
	bf := append([]arrow.Field(nil), fields...)
	for i, f := range bf {
		if f.Type.ID() == arrow.STRING && !plain[f.Name] {
			bf[i].Type = dictStrings
		}
	}
	return arrow.NewSchema(fields, nil), arrow.NewSchema(bf, nil)
}

// appendString appends s to a string or dictionary builder.
func appendString(b array.Builder, s string) {
	switch b := b.(type) {
	case *array.BinaryDictionaryBuilder:
		b.AppendString(s)
	case *array.StringBuilder:
		b.Append(s)
	}
}

// resultsBatches builds the results table of units (12 rows each) in
// batches of batchRows rows, with the columns of tally's results table;
// size is the values' bytes (strings as text, numbers as 8).
func resultsBatches(units []benchUnit, batchRows int) (*arrow.Schema, []arrow.RecordBatch, int64) {
	str, i64, f64 := arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64
	schema, batchSchema := batchesOf([]arrow.Field{
		{Name: "election_id", Type: str}, {Name: "contest_id", Type: str}, {Name: "unit_id", Type: str},
		{Name: "unit_level", Type: str}, {Name: "option_id", Type: str}, {Name: "option_name", Type: str},
		{Name: "option_kind", Type: str}, {Name: "party_id", Type: str, Nullable: true},
		{Name: "votes", Type: i64, Nullable: true}, {Name: "share", Type: f64, Nullable: true},
		{Name: "source_file", Type: str}, {Name: "source_sheet", Type: str, Nullable: true},
		{Name: "source_row", Type: i64}, {Name: "source_column", Type: i64},
	}, nil)
	var out []arrow.RecordBatch
	var size int64
	rows := len(units) * 12
	for start := 0; start < rows; start += batchRows {
		n := min(batchRows, rows-start)
		rb := array.NewRecordBuilder(memory.DefaultAllocator, batchSchema)
		for r := start; r < start+n; r++ {
			u, o := &units[r/12], r%12
			p := benchParties[o]
			for i, v := range []string{"kz-2021", "national", u.id, "precinct", p.id, p.name, "list", p.id} {
				appendString(rb.Field(i), v)
				size += int64(len(v))
			}
			rb.Field(8).(*array.Int64Builder).Append(u.votes[o])
			rb.Field(9).(*array.Float64Builder).Append(float64(u.votes[o]) * 100 / float64(u.valid))
			appendString(rb.Field(10), "/tmp/tally-bench/data/medium_wide.csv")
			rb.Field(11).AppendNull()
			rb.Field(12).(*array.Int64Builder).Append(int64(r/12 + 2))
			rb.Field(13).(*array.Int64Builder).Append(int64(o + 9))
			size += 4 * 8
		}
		out = append(out, rb.NewRecordBatch())
		rb.Release()
	}
	return schema, out, size
}

// unitsBatches builds the units table of units, as resultsBatches.
func unitsBatches(units []benchUnit, batchRows int) (*arrow.Schema, []arrow.RecordBatch, int64) {
	str, i64, f64 := arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64
	schema, batchSchema := batchesOf([]arrow.Field{
		{Name: "election_id", Type: str}, {Name: "contest_id", Type: str}, {Name: "unit_id", Type: str},
		{Name: "unit_name", Type: str}, {Name: "unit_level", Type: str}, {Name: "parent_unit_id", Type: str, Nullable: true},
		{Name: "registered", Type: i64, Nullable: true}, {Name: "ballots_issued", Type: i64, Nullable: true},
		{Name: "ballots_cast", Type: i64, Nullable: true}, {Name: "invalid", Type: i64, Nullable: true},
		{Name: "valid", Type: i64, Nullable: true}, {Name: "turnout", Type: f64, Nullable: true},
		{Name: "source_file", Type: str}, {Name: "source_sheet", Type: str, Nullable: true},
		{Name: "source_row", Type: i64},
	}, map[string]bool{"unit_id": true, "unit_name": true})
	var out []arrow.RecordBatch
	var size int64
	for start := 0; start < len(units); start += batchRows {
		n := min(batchRows, len(units)-start)
		rb := array.NewRecordBuilder(memory.DefaultAllocator, batchSchema)
		for r := start; r < start+n; r++ {
			u := &units[r]
			for i, v := range []string{"kz-2021", "national", u.id, u.name, "precinct", u.parent} {
				appendString(rb.Field(i), v)
				size += int64(len(v))
			}
			for i, v := range []int64{u.registered, -1, u.cast, u.invalid, u.valid} {
				if v < 0 {
					rb.Field(6 + i).AppendNull()
				} else {
					rb.Field(6 + i).(*array.Int64Builder).Append(v)
				}
			}
			rb.Field(11).(*array.Float64Builder).Append(float64(u.cast) * 100 / float64(u.registered))
			appendString(rb.Field(12), "/tmp/tally-bench/data/medium_wide.csv")
			rb.Field(13).AppendNull()
			rb.Field(14).(*array.Int64Builder).Append(int64(r + 2))
			size += 6 * 8
		}
		out = append(out, rb.NewRecordBatch())
		rb.Release()
	}
	return schema, out, size
}

// benchWrite writes batches to io.Discard as tally writes its tables,
// reporting MB/s of the values' bytes, the CPU time of every goroutine
// and the file's size.
func benchWrite(b *testing.B, schema *arrow.Schema, batches []arrow.RecordBatch, size int64) {
	defer func() {
		for _, r := range batches {
			r.Release()
		}
	}()
	b.SetBytes(size)
	b.ReportAllocs()
	var written int64
	defer testkit.ReportCPU(b, testkit.CPUTime())
	for b.Loop() {
		cw := &countWriter{}
		w, err := New(cw, schema, Options{RowGroupRows: 32 << 10, ZstdLevel: 1, ArrowSchema: true})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range batches {
			if err := w.Write(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		written = cw.n
	}
	b.ReportMetric(float64(written), "file-bytes")
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return io.Discard.Write(p) }

// BenchmarkResults writes the results table of 40,000 polling stations
// (480,000 rows, 15 row groups) as tally's pipeline hands it over:
// batches of 4,096 rows, strings dictionary-encoded. MB/s counts the
// values' bytes (strings as text, numbers as 8).
func BenchmarkResults(b *testing.B) {
	schema, batches, size := resultsBatches(benchUnits(40_000), 4096)
	benchWrite(b, schema, batches, size)
}

// BenchmarkUnits writes the units table of 400,000 polling stations (12
// row groups), as BenchmarkResults.
func BenchmarkUnits(b *testing.B) {
	schema, batches, size := unitsBatches(benchUnits(400_000), 4096)
	benchWrite(b, schema, batches, size)
}
