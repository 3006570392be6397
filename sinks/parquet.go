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
	w    *pqwriter.Writer
	meta Meta
	late func() (Meta, error)
}

func newParquet(w io.Writer, schema *arrow.Schema, meta Meta, opt Options) (encoder, error) {
	pw, err := pqwriter.New(w, schema, pqwriter.Options{
		RowGroupRows: int(opt.rowGroupRows()),
		ZstdLevel:    ParquetZstdLevel,
		CreatedBy:    CreatedBy,
		ArrowSchema:  true,
	})
	if err != nil {
		return nil, err
	}
	return &parquetEncoder{w: pw, meta: meta, late: opt.LateMeta}, nil
}

func (e *parquetEncoder) write(b arrow.RecordBatch) error { return e.w.Write(b) }

// close writes the footer with the metadata, sorted by key, the late
// metadata (Options.LateMeta) included.
func (e *parquetEncoder) close() error {
	meta := e.meta
	if e.late != nil {
		late, err := e.late()
		if err != nil {
			return err
		}
		meta = Meta{}
		for k, v := range e.meta {
			meta[k] = v
		}
		for k, v := range late {
			meta[k] = v
		}
	}
	var kv [][2]string
	for _, k := range meta.keys() {
		kv = append(kv, [2]string{k, meta[k]})
	}
	e.w.SetMetadata(kv)
	return e.w.Close()
}
