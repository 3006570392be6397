package sinks

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// CreatedBy is written into every Parquet footer; the command line sets it
// to "tally <version>".
var CreatedBy = "tally"

// parquetEncoder cuts the stream into row groups of exactly RowGroupRows
// rows (the last shorter) and writes each with one Write call, which
// encodes a column at a time: memory stays at one row group of Arrow data,
// where the buffered writer would also hold every column's pages.
type parquetEncoder struct {
	w  *pqarrow.FileWriter
	rb *rebatcher
}

// newParquet writes zstd-compressed Parquet with dictionaries, statistics
// and the Arrow schema stored, row groups cut every RowGroupRows rows.
func newParquet(w io.Writer, schema *arrow.Schema, meta Meta, opt Options) (encoder, error) {
	rg := opt.rowGroupRows()
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCompressionLevel(ParquetZstdLevel),
		parquet.WithDictionaryDefault(true),
		// A column chunk whose dictionary outgrows the limit falls back to
		// plain pages, and the writer then lists the chunk's two page
		// encodings in map order: the footer's bytes change from run to
		// run. A limit no row group reaches keeps one encoding per chunk.
		parquet.WithDictionaryPageSizeLimit(ParquetDictionaryLimit),
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
	e := &parquetEncoder{w: fw}
	e.rb = &rebatcher{size: rg, schema: schema, mem: memory.DefaultAllocator, emit: fw.Write}
	return e, nil
}

func (e *parquetEncoder) write(b arrow.RecordBatch) error { return e.rb.add(b) }

func (e *parquetEncoder) close() error {
	err := e.rb.flush()
	e.rb.release()
	if cerr := e.w.Close(); err == nil {
		err = cerr
	}
	return err
}
