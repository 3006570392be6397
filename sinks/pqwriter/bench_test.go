package pqwriter

import (
	"fmt"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// resultsBatches builds a results-like table: units of 12 options, the
// string columns dictionary-encoded as tally's pipeline builds them, the
// counts and shares as they vary in real protocols.
func resultsBatches(units, batchRows int) (*arrow.Schema, []arrow.RecordBatch, int64) {
	mem := memory.DefaultAllocator
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	str := arrow.BinaryTypes.String
	names := []string{"election_id", "contest_id", "unit_id", "unit_level", "option_id", "option_name", "option_kind", "party_id"}
	var fields []arrow.Field
	for _, n := range names {
		fields = append(fields, arrow.Field{Name: n, Type: str})
	}
	fields = append(fields,
		arrow.Field{Name: "votes", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		arrow.Field{Name: "share", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		arrow.Field{Name: "source_file", Type: str},
		arrow.Field{Name: "source_row", Type: arrow.PrimitiveTypes.Int64},
		arrow.Field{Name: "source_column", Type: arrow.PrimitiveTypes.Int64})
	schema := arrow.NewSchema(fields, nil)
	batchFields := append([]arrow.Field(nil), fields...)
	for i, f := range batchFields {
		if f.Type.ID() == arrow.STRING {
			batchFields[i].Type = dt
		}
	}
	batchSchema := arrow.NewSchema(batchFields, nil)
	var out []arrow.RecordBatch
	var size int64
	rows := units * 12
	for start := 0; start < rows; start += batchRows {
		n := min(batchRows, rows-start)
		rb := array.NewRecordBuilder(mem, batchSchema)
		for r := start; r < start+n; r++ {
			u, o := r/12, r%12
			for i, v := range []string{"kz-2021", "national", fmt.Sprintf("region-%d/district-%d/%d", u%17, u%200, u), "precinct",
				fmt.Sprintf("party-%d", o), fmt.Sprintf("Партия номер %d", o), "list", fmt.Sprintf("party-%d", o)} {
				rb.Field(i).(*array.BinaryDictionaryBuilder).AppendString(v)
				size += int64(len(v))
			}
			votes := int64((u*7919 + o*104729) % 1500)
			rb.Field(8).(*array.Int64Builder).Append(votes)
			rb.Field(9).(*array.Float64Builder).Append(float64(votes) * 100 / 9000)
			rb.Field(10).(*array.BinaryDictionaryBuilder).AppendString("/data/medium_wide.csv")
			rb.Field(11).(*array.Int64Builder).Append(int64(u + 2))
			rb.Field(12).(*array.Int64Builder).Append(int64(o + 9))
			size += 4 * 8
		}
		out = append(out, rb.NewRecordBatch())
		rb.Release()
	}
	return schema, out, size
}

// BenchmarkResults writes a results-like table of 20,000 units (240,000
// rows). MB/s counts the values' bytes (strings as text, numbers as 8).
func BenchmarkResults(b *testing.B) {
	schema, batches, size := resultsBatches(20_000, 10_000)
	defer func() {
		for _, r := range batches {
			r.Release()
		}
	}()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		w, err := New(io.Discard, schema, Options{RowGroupRows: 32 << 10, ZstdLevel: 1, ArrowSchema: true})
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
	}
}
