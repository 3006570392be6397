package sinks

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"tally/sinks/pqwriter"
)

// CreatedBy is written into every Parquet footer; the command line sets it
// to "tally <version>".
var CreatedBy = "tally"

// parquetEncoder writes row groups of exactly RowGroupRows rows (the last
// shorter) with tally's own Parquet writer (package pqwriter): zstd pages,
// dictionaries, statistics and the Arrow schema stored.
type parquetEncoder struct {
	w *pqwriter.Writer
}

func newParquet(w io.Writer, schema *arrow.Schema, meta Meta, opt Options) (encoder, error) {
	var kv [][2]string
	for _, k := range meta.keys() {
		kv = append(kv, [2]string{k, meta[k]})
	}
	pw, err := pqwriter.New(w, schema, pqwriter.Options{
		RowGroupRows: int(opt.rowGroupRows()),
		ZstdLevel:    ParquetZstdLevel,
		Metadata:     kv,
		CreatedBy:    CreatedBy,
		ArrowSchema:  true,
	})
	if err != nil {
		return nil, err
	}
	return &parquetEncoder{w: pw}, nil
}

func (e *parquetEncoder) write(b arrow.RecordBatch) error { return e.w.Write(b) }

func (e *parquetEncoder) close() error { return e.w.Close() }
