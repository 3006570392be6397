package sinks

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// rebatcher cuts a stream of batches of any sizes into batches of exactly
// size rows (the last one shorter), so that formats which record batch
// boundaries (Arrow IPC) write the same bytes whatever the caller's batch
// size. It holds at most size rows.
type rebatcher struct {
	size    int64
	schema  *arrow.Schema
	mem     memory.Allocator
	pending []arrow.RecordBatch
	rows    int64
	emit    func(arrow.RecordBatch) error
}

func (r *rebatcher) add(b arrow.RecordBatch) error {
	b.Retain()
	r.pending = append(r.pending, b)
	r.rows += b.NumRows()
	for r.rows >= r.size {
		if err := r.cut(r.size); err != nil {
			return err
		}
	}
	return nil
}

func (r *rebatcher) flush() error {
	if r.rows == 0 {
		return nil
	}
	return r.cut(r.rows)
}

// cut emits the first n pending rows as one batch.
func (r *rebatcher) cut(n int64) error {
	var parts []arrow.RecordBatch
	var rest []arrow.RecordBatch
	need := n
	for _, b := range r.pending {
		switch {
		case need == 0:
			rest = append(rest, b)
		case b.NumRows() <= need:
			parts = append(parts, b)
			need -= b.NumRows()
		default:
			parts = append(parts, b.NewSlice(0, need))
			rest = append(rest, b.NewSlice(need, b.NumRows()))
			b.Release()
			need = 0
		}
	}
	r.pending, r.rows = rest, r.rows-n
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	// Even a single part is copied through Concatenate, so that buffers
	// (validity bitmaps, offsets) come out alike however the rows arrived.
	cols := make([]arrow.Array, r.schema.NumFields())
	for i := range cols {
		arrs := make([]arrow.Array, len(parts))
		for j, p := range parts {
			arrs[j] = p.Column(i)
		}
		c, err := array.Concatenate(arrs, r.mem)
		if err != nil {
			return err
		}
		defer c.Release()
		cols[i] = c
	}
	out := array.NewRecordBatch(r.schema, cols, n)
	defer out.Release()
	return r.emit(out)
}

func (r *rebatcher) release() {
	for _, p := range r.pending {
		p.Release()
	}
	r.pending, r.rows = nil, 0
}
