package sinks

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// dense returns b with every dictionary-encoded string column expanded to
// a plain string column, under schema (the table's schema, with plain
// strings). Batches may carry string columns dictionary-encoded (tally's
// pipeline builds them so, and the Parquet writer takes them as they
// are); Arrow IPC and CSV files always hold plain strings, so that their
// readers see the types the table defines. The caller releases the result.
func dense(mem memory.Allocator, schema *arrow.Schema, b arrow.RecordBatch) arrow.RecordBatch {
	cols := make([]arrow.Array, b.NumCols())
	for i := range cols {
		c := b.Column(i)
		d, ok := c.(*array.Dictionary)
		if !ok {
			c.Retain()
			cols[i] = c
			continue
		}
		vals := d.Dictionary().(*array.String)
		sb := array.NewStringBuilder(mem)
		sb.Reserve(d.Len())
		size := 0
		for r := 0; r < d.Len(); r++ {
			if d.IsValid(r) {
				size += vals.ValueLen(d.GetValueIndex(r))
			}
		}
		sb.ReserveData(size)
		for r := 0; r < d.Len(); r++ {
			if d.IsNull(r) {
				sb.AppendNull()
			} else {
				sb.Append(vals.Value(d.GetValueIndex(r)))
			}
		}
		cols[i] = sb.NewArray()
		sb.Release()
	}
	out := array.NewRecordBatch(schema, cols, b.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return out
}
