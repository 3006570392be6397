package sinks

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// csvEncoder writes RFC 4180 CSV in UTF-8 without a byte order mark: a
// header row, "\n" line ends, nulls as empty fields, booleans as
// true/false, and floats in the shortest form that reads back to the same
// value. Fields are quoted exactly where encoding/csv quotes them (a
// test holds the two to the same bytes). A dictionary column's entries
// are formatted once per batch, not once per row. Metadata has no place
// in CSV; the manifest describes the file.
type csvEncoder struct {
	bw     *bufio.Writer
	schema *arrow.Schema
	header bool
	line   []byte
	cols   []csvColumn
}

// csvColumn formats one column's cells of the current batch.
type csvColumn struct {
	arr   arrow.Array
	dict  *array.Dictionary
	words *array.String // the dictionary's values
	text  [][]byte      // formatted dictionary entries, nil until used
	done  []bool
}

func newCSV(w io.Writer, schema *arrow.Schema, _ Meta, _ Options) (encoder, error) {
	for _, f := range schema.Fields() {
		switch f.Type.ID() {
		case arrow.STRING, arrow.INT64, arrow.FLOAT64, arrow.BOOL:
		default:
			return nil, fmt.Errorf("csv: column %q has type %s, which tally's tables do not use", f.Name, f.Type)
		}
	}
	return &csvEncoder{bw: bufio.NewWriterSize(w, 256<<10), schema: schema}, nil
}

func (e *csvEncoder) writeHeader() error {
	e.header = true
	line := e.line[:0]
	for i, f := range e.schema.Fields() {
		if i > 0 {
			line = append(line, ',')
		}
		line = appendCSVField(line, f.Name)
	}
	line = append(line, '\n')
	e.line = line
	_, err := e.bw.Write(line)
	return err
}

func (e *csvEncoder) write(b arrow.RecordBatch) error {
	if !e.header {
		if err := e.writeHeader(); err != nil {
			return err
		}
	}
	if cap(e.cols) < int(b.NumCols()) {
		e.cols = make([]csvColumn, b.NumCols())
	}
	e.cols = e.cols[:b.NumCols()]
	for j := range e.cols {
		c := &e.cols[j]
		c.arr, c.dict, c.words = b.Column(j), nil, nil
		if d, ok := c.arr.(*array.Dictionary); ok {
			words, ok := d.Dictionary().(*array.String)
			if !ok {
				return fmt.Errorf("csv: column %q: a dictionary of %s", e.schema.Field(j).Name, d.Dictionary().DataType())
			}
			c.dict, c.words = d, words
			n := words.Len()
			c.text = append(c.text[:0], make([][]byte, n)...)
			c.done = append(c.done[:0], make([]bool, n)...)
		}
	}
	for r := 0; r < int(b.NumRows()); r++ {
		line := e.line[:0]
		for j := range e.cols {
			if j > 0 {
				line = append(line, ',')
			}
			var err error
			if line, err = e.cols[j].appendCell(line, r); err != nil {
				return fmt.Errorf("csv: column %q: %w", e.schema.Field(j).Name, err)
			}
		}
		line = append(line, '\n')
		e.line = line
		if _, err := e.bw.Write(line); err != nil {
			return err
		}
	}
	return nil
}

func (c *csvColumn) appendCell(dst []byte, r int) ([]byte, error) {
	if c.arr.IsNull(r) {
		return dst, nil
	}
	if c.dict != nil {
		k := c.dict.GetValueIndex(r)
		if !c.done[k] {
			c.text[k], c.done[k] = appendCSVField(nil, c.words.Value(k)), true
		}
		return append(dst, c.text[k]...), nil
	}
	switch a := c.arr.(type) {
	case *array.String:
		return appendCSVField(dst, a.Value(r)), nil
	case *array.Int64:
		return strconv.AppendInt(dst, a.Value(r), 10), nil
	case *array.Float64:
		return appendCSVFloat(dst, a.Value(r)), nil
	case *array.Boolean:
		return strconv.AppendBool(dst, a.Value(r)), nil
	}
	return dst, fmt.Errorf("cannot write %s as CSV", c.arr.DataType())
}

// appendCSVFloat writes the shortest decimal that reads back to v, never
// in exponent form.
func appendCSVFloat(dst []byte, v float64) []byte {
	return strconv.AppendFloat(dst, v, 'f', -1, 64)
}

// appendCSVField writes s as encoding/csv writes a field with ',' and
// "\n" line ends: quoted when it holds a comma, a quote or a line break,
// starts with white space or is `\.`, with quotes doubled.
func appendCSVField(dst []byte, s string) []byte {
	if !csvNeedsQuotes(s) {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for len(s) > 0 {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			dst = append(dst, s...)
			break
		}
		dst = append(dst, s[:i+1]...)
		dst = append(dst, '"')
		s = s[i+1:]
	}
	return append(dst, '"')
}

func csvNeedsQuotes(s string) bool {
	if s == "" {
		return false
	}
	if s == `\.` {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n', '\r', '"', ',':
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

func (e *csvEncoder) close() error {
	if !e.header {
		// A table with no rows still gets its header line.
		if err := e.writeHeader(); err != nil {
			return err
		}
	}
	return e.bw.Flush()
}
