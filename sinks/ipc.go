package sinks

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

type ipcEncoder struct {
	w      *ipc.FileWriter
	rb     *rebatcher
	schema *arrow.Schema // the table's, without the metadata
}

// newIPC writes the Arrow IPC file format, uncompressed unless
// Options.IPCZstd. The metadata goes into the schema's metadata.
func newIPC(w io.Writer, schema *arrow.Schema, meta Meta, opt Options) (encoder, error) {
	plain := schema
	if len(meta) > 0 {
		keys := meta.keys()
		vals := make([]string, len(keys))
		for i, k := range keys {
			vals[i] = meta[k]
		}
		md := arrow.NewMetadata(keys, vals)
		schema = arrow.NewSchema(schema.Fields(), &md)
	}
	opts := []ipc.Option{ipc.WithSchema(schema)}
	if opt.IPCZstd {
		opts = append(opts, ipc.WithZstd())
	}
	fw, err := ipc.NewFileWriter(w, opts...)
	if err != nil {
		return nil, err
	}
	e := &ipcEncoder{w: fw, schema: plain}
	e.rb = &rebatcher{size: ArrowBatchRows, schema: schema, mem: memory.DefaultAllocator, emit: e.put}
	return e, nil
}

// put writes one batch under the writer's schema (which carries the
// metadata the incoming batches lack).
func (e *ipcEncoder) put(b arrow.RecordBatch) error {
	cols := b.Columns()
	rec := array.NewRecordBatch(e.rb.schema, cols, b.NumRows())
	defer rec.Release()
	return e.w.Write(rec)
}

func (e *ipcEncoder) write(b arrow.RecordBatch) error {
	d := dense(e.schema, b)
	defer d.Release()
	return e.rb.add(d)
}

func (e *ipcEncoder) close() error {
	err := e.rb.flush()
	e.rb.release()
	if cerr := e.w.Close(); err == nil {
		err = cerr
	}
	return err
}
