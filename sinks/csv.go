package sinks

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	acsv "github.com/apache/arrow-go/v18/arrow/csv"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

type csvEncoder struct {
	bw     *bufio.Writer
	w      *acsv.Writer
	schema *arrow.Schema
	wrote  bool
}

// newCSV writes RFC 4180 CSV in UTF-8 without a byte order mark: a header
// row, "\n" line ends, nulls as empty fields, booleans as true/false, and
// floats in the shortest form that reads back to the same value. Metadata
// has no place in CSV; the manifest describes the file.
func newCSV(w io.Writer, schema *arrow.Schema, _ Meta, _ Options) (encoder, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	cw := acsv.NewWriter(bw, schema,
		acsv.WithHeader(true),
		acsv.WithNullWriter(""),
		acsv.WithCustomTypeConverter(floatText),
	)
	return &csvEncoder{bw: bw, w: cw, schema: schema}, nil
}

func floatText(typ arrow.DataType, col arrow.Array) ([]string, bool) {
	if typ.ID() != arrow.FLOAT64 {
		return nil, false
	}
	a := col.(*array.Float64)
	out := make([]string, a.Len())
	for i := range out {
		if a.IsValid(i) {
			out[i] = strconv.FormatFloat(a.Value(i), 'f', -1, 64)
		}
	}
	return out, true
}

func (e *csvEncoder) write(b arrow.RecordBatch) error {
	e.wrote = true
	d := dense(memory.DefaultAllocator, e.schema, b)
	defer d.Release()
	return e.w.Write(d)
}

func (e *csvEncoder) close() error {
	if !e.wrote {
		// A table with no rows still gets its header line.
		names := make([]string, e.schema.NumFields())
		for i, f := range e.schema.Fields() {
			names[i] = f.Name
		}
		cw := csv.NewWriter(e.bw)
		if err := cw.Write(names); err != nil {
			return err
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	}
	e.w.Flush()
	if err := e.w.Error(); err != nil {
		return err
	}
	return e.bw.Flush()
}
