package sinks

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"pgregory.net/rapid"
)

// tally's CSV encoder writes the bytes encoding/csv writes for the same
// cells: quoting, doubled quotes, line breaks inside fields, leading
// white space, `\.`, empty strings and nulls, numbers and booleans; plain
// and dictionary-encoded strings alike.
func TestCSVMatchesEncodingCSV(t *testing.T) {
	pieces := []string{"", "a", ",", "\"", "\n", "\r", " ", "\t", "\u00a0", "\\.", "Ақ жол", "x y", "\u2028"}
	rapid.Check(t, func(rt *rapid.T) {
		rows := rapid.IntRange(0, 40).Draw(rt, "rows")
		mem := memory.DefaultAllocator
		fields := []arrow.Field{
			{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
			{Name: "d", Type: arrow.BinaryTypes.String, Nullable: true},
			{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
			{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
			{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		}
		schema := arrow.NewSchema(fields, nil)
		dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
		sb, db := array.NewStringBuilder(mem), array.NewDictionaryBuilder(mem, dt).(*array.BinaryDictionaryBuilder)
		nb, fb, bb := array.NewInt64Builder(mem), array.NewFloat64Builder(mem), array.NewBooleanBuilder(mem)
		var want bytes.Buffer
		cw := csv.NewWriter(&want)
		cw.Write([]string{"s", "d", "n", "f", "b"})
		for range rows {
			var rec []string
			for _, b := range []*array.StringBuilder{sb} {
				if rapid.IntRange(0, 5).Draw(rt, "null") == 0 {
					b.AppendNull()
					rec = append(rec, "")
					continue
				}
				var s string
				for range rapid.IntRange(0, 4).Draw(rt, "len") {
					s += rapid.SampledFrom(pieces).Draw(rt, "piece")
				}
				b.Append(s)
				rec = append(rec, s)
			}
			if rapid.IntRange(0, 5).Draw(rt, "dnull") == 0 {
				db.AppendNull()
				rec = append(rec, "")
			} else {
				s := rapid.SampledFrom(pieces).Draw(rt, "dict")
				db.AppendString(s)
				rec = append(rec, s)
			}
			n := rapid.Int64().Draw(rt, "n")
			nb.Append(n)
			rec = append(rec, strconv.FormatInt(n, 10))
			f := rapid.Float64().Draw(rt, "f")
			fb.Append(f)
			rec = append(rec, strconv.FormatFloat(f, 'f', -1, 64))
			bv := rapid.Bool().Draw(rt, "b")
			bb.Append(bv)
			rec = append(rec, strconv.FormatBool(bv))
			cw.Write(rec)
		}
		cw.Flush()
		cols := []arrow.Array{sb.NewArray(), db.NewArray(), nb.NewArray(), fb.NewArray(), bb.NewArray()}
		batchFields := append([]arrow.Field(nil), fields...)
		batchFields[1].Type = dt
		rec := array.NewRecordBatch(arrow.NewSchema(batchFields, nil), cols, int64(rows))
		var got bytes.Buffer
		enc, err := newCSV(&got, schema, nil, Options{})
		if err != nil {
			rt.Fatal(err)
		}
		if rows > 0 {
			if err := enc.write(rec); err != nil {
				rt.Fatal(err)
			}
		}
		if err := enc.close(); err != nil {
			rt.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			rt.Fatalf("tally wrote\n%q\nencoding/csv writes\n%q", got.String(), want.String())
		}
	})
}
