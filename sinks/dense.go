package sinks

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// dense returns b with every dictionary-encoded string column expanded to
// a plain string column, under schema (the table's schema, with plain
// strings). Batches may carry string columns dictionary-encoded (tally's
// pipeline builds them so, and the Parquet writer takes them as they
// are); Arrow IPC and CSV files always hold plain strings, so that their
// readers see the types the table defines. The caller releases the result.
func dense(schema *arrow.Schema, b arrow.RecordBatch) arrow.RecordBatch {
	cols := make([]arrow.Array, b.NumCols())
	for i := range cols {
		c := b.Column(i)
		d, ok := c.(*array.Dictionary)
		if !ok {
			c.Retain()
			cols[i] = c
			continue
		}
		cols[i] = expand(d)
	}
	out := array.NewRecordBatch(schema, cols, b.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return out
}

// expand returns a dictionary array of strings as a plain string array,
// building its offsets and bytes directly.
func expand(d *array.Dictionary) arrow.Array {
	vals := d.Dictionary().(*array.String)
	n := d.Len()
	var keys []int32
	if ix, ok := d.Indices().(*array.Int32); ok {
		keys = ix.Int32Values()
	} else {
		keys = make([]int32, n)
		for r := range keys {
			keys[r] = int32(d.GetValueIndex(r))
		}
	}
	nulls := d.NullN()
	size := 0
	for r, k := range keys {
		if nulls == 0 || d.IsValid(r) {
			size += vals.ValueLen(int(k))
		}
	}
	offsets := make([]int32, n+1)
	data := make([]byte, 0, size)
	var bitmap []byte
	if nulls > 0 {
		bitmap = make([]byte, (n+7)/8)
	}
	for r, k := range keys {
		if nulls == 0 || d.IsValid(r) {
			data = append(data, vals.Value(int(k))...)
			if bitmap != nil {
				bitutil.SetBit(bitmap, r)
			}
		}
		offsets[r+1] = int32(len(data))
	}
	var valid *memory.Buffer
	if bitmap != nil {
		valid = memory.NewBufferBytes(bitmap)
	}
	out := array.NewData(arrow.BinaryTypes.String, n,
		[]*memory.Buffer{valid, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets)), memory.NewBufferBytes(data)}, nil, nulls, 0)
	defer out.Release()
	return array.MakeFromData(out)
}
