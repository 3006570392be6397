package sinks

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

type ipcEncoder struct{ w *ipc.FileWriter }

// newIPC writes the Arrow IPC file format, uncompressed unless
// Options.IPCZstd. The metadata goes into the schema's metadata.
func newIPC(w io.Writer, schema *arrow.Schema, meta Meta, opt Options) (encoder, error) {
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
	return &ipcEncoder{w: fw}, nil
}

func (e *ipcEncoder) write(b arrow.RecordBatch) error {
	// The batch carries the schema without metadata; IPC wants them equal
	// in fields only, so rebuild it with the writer's schema.
	return e.w.Write(b)
}

func (e *ipcEncoder) close() error { return e.w.Close() }
