package sinks

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// CreatedBy is written into every Parquet footer; the command line sets it
// to "tally <version>".
var CreatedBy = "tally"

type parquetEncoder struct{ w *pqarrow.FileWriter }

// newParquet writes zstd-compressed Parquet with dictionaries, statistics
// and the Arrow schema stored, row groups cut every RowGroupRows rows.
func newParquet(w io.Writer, schema *arrow.Schema, meta Meta, opt Options) (encoder, error) {
	rg := opt.RowGroupRows
	if rg <= 0 {
		rg = 128 << 10
	}
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithDictionaryDefault(true),
		parquet.WithStats(true),
		parquet.WithMaxRowGroupLength(rg),
		parquet.WithCreatedBy(CreatedBy),
	)
	fw, err := pqarrow.NewFileWriter(schema, w, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return nil, err
	}
	for _, k := range meta.keys() {
		if err := fw.AppendKeyValueMetadata(k, meta[k]); err != nil {
			return nil, err
		}
	}
	return &parquetEncoder{w: fw}, nil
}

func (e *parquetEncoder) write(b arrow.RecordBatch) error { return e.w.WriteBuffered(b) }
func (e *parquetEncoder) close() error                    { return e.w.Close() }
