package sinks

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// MaxPartitions bounds the partitions of one table: each holds an open
// file and a buffer, so a column with a value per row must not be used.
const MaxPartitions = 1024

// NullPartition is the folder value of a null or empty partition column,
// as Hive, Spark and DuckDB name it.
const NullPartition = "__HIVE_DEFAULT_PARTITION__"

// Partitioned writes one table as Hive-style folders: a row goes to
// dir/col1=v1/col2=v2/part-0.<ext>, and the partition columns are left out
// of the files (readers take them from the folder names). Rows keep their
// order within each file. A Partitioned is a Sink.
type Partitioned struct {
	format, dir string
	by, keep    []int
	fileSchema  *arrow.Schema
	meta        Meta
	opt         Options
	parts       map[string]*partition
	rows        int64
	done        bool
}

type partition struct {
	rel  string // folder path under dir, with forward slashes
	sink Sink
}

// CreatePartitioned opens a partitioned sink writing schema in format
// under dir, one file per distinct value of the columns by. Partition
// columns must be strings or integers.
func CreatePartitioned(format, dir string, schema *arrow.Schema, by []string, meta Meta, opt Options) (*Partitioned, error) {
	if _, ok := formats[format]; !ok {
		return nil, fmt.Errorf("unknown output format %q; known: %s", format, strings.Join(Formats(), ", "))
	}
	p := &Partitioned{format: format, dir: dir, meta: meta, opt: opt, parts: map[string]*partition{}}
	isBy := map[int]bool{}
	for _, name := range by {
		idx := schema.FieldIndices(name)
		if len(idx) != 1 {
			return nil, fmt.Errorf("partition column %q is not in the table", name)
		}
		switch schema.Field(idx[0]).Type.ID() {
		case arrow.STRING, arrow.INT64, arrow.INT32:
		default:
			return nil, fmt.Errorf("partition column %q must be a string or an integer", name)
		}
		if isBy[idx[0]] {
			return nil, fmt.Errorf("partition column %q is named twice", name)
		}
		isBy[idx[0]] = true
		p.by = append(p.by, idx[0])
	}
	var fields []arrow.Field
	for i, f := range schema.Fields() {
		if !isBy[i] {
			p.keep = append(p.keep, i)
			fields = append(fields, f)
		}
	}
	md := schema.Metadata()
	p.fileSchema = arrow.NewSchema(fields, &md)
	return p, nil
}

// Write sends each run of rows with the same partition values to that
// partition's file.
func (p *Partitioned) Write(ctx context.Context, b arrow.RecordBatch) error {
	if p.done {
		return fmt.Errorf("%s: write after close", p.dir)
	}
	// The batch may carry string columns dictionary-encoded: its slices go
	// out under the file schema with the batch's column types.
	fields := p.fileSchema.Fields()
	for i, c := range p.keep {
		fields[i].Type = b.Column(c).DataType()
	}
	md := p.fileSchema.Metadata()
	schema := arrow.NewSchema(fields, &md)
	n := int(b.NumRows())
	for start := 0; start < n; {
		end := start + 1
		for end < n && p.sameKey(b, start, end) {
			end++
		}
		part, err := p.partition(p.key(b, start))
		if err != nil {
			return err
		}
		cols := make([]arrow.Array, len(p.keep))
		for i, c := range p.keep {
			cols[i] = array.NewSlice(b.Column(c), int64(start), int64(end))
		}
		rec := array.NewRecordBatch(schema, cols, int64(end-start))
		for _, c := range cols {
			c.Release()
		}
		err = part.sink.Write(ctx, rec)
		rec.Release()
		if err != nil {
			return err
		}
		p.rows += int64(end - start)
		start = end
	}
	return nil
}

// key is the folder path of row i: "col1=v1/col2=v2".
func (p *Partitioned) key(b arrow.RecordBatch, i int) string {
	var sb strings.Builder
	for j, c := range p.by {
		if j > 0 {
			sb.WriteByte('/')
		}
		sb.WriteString(escapePart(b.Schema().Field(c).Name))
		sb.WriteByte('=')
		sb.WriteString(escapePart(cellText(b.Column(c), i)))
	}
	return sb.String()
}

// sameKey reports whether rows i and j go to the same partition.
func (p *Partitioned) sameKey(b arrow.RecordBatch, i, j int) bool {
	for _, c := range p.by {
		if cellText(b.Column(c), i) != cellText(b.Column(c), j) {
			return false
		}
	}
	return true
}

func cellText(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return ""
	}
	switch a := a.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Dictionary:
		return cellText(a.Dictionary(), a.GetValueIndex(i))
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	}
	return a.ValueStr(i)
}

// escapePart writes a partition value as a folder name the way Hive does:
// characters that paths or the key=value syntax give a meaning to become
// %XX; an empty value is NullPartition.
func escapePart(s string) string {
	if s == "" {
		return NullPartition
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte("\"#%'*/:=?\\{[]^", c) >= 0 {
			fmt.Fprintf(&sb, "%%%02X", c)
			continue
		}
		sb.WriteByte(c)
	}
	return sb.String()
}

func (p *Partitioned) partition(key string) (*partition, error) {
	if part, ok := p.parts[key]; ok {
		return part, nil
	}
	if len(p.parts) == MaxPartitions {
		return nil, fmt.Errorf("%s: more than %d partitions; partition by columns with few distinct values", p.dir, MaxPartitions)
	}
	folder := filepath.Join(p.dir, filepath.FromSlash(key))
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return nil, err
	}
	meta := Meta{}
	for k, v := range p.meta {
		meta[k] = v
	}
	meta["tally.partition"] = key
	s, err := Create(p.format, filepath.Join(folder, "part-0"+Ext(p.format)), p.fileSchema, meta, p.opt)
	if err != nil {
		return nil, err
	}
	part := &partition{rel: key, sink: s}
	p.parts[key] = part
	return part, nil
}

// Rows returns how many rows have been written, over every partition.
func (p *Partitioned) Rows() int64 { return p.rows }

// Close closes every partition's file.
func (p *Partitioned) Close() error {
	if p.done {
		return nil
	}
	p.done = true
	var first error
	for _, k := range p.keys() {
		if err := p.parts[k].sink.Close(); err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		p.abortAll()
	}
	return first
}

// Abort removes every partition's temporary file.
func (p *Partitioned) Abort() error {
	if p.done {
		return nil
	}
	p.done = true
	p.abortAll()
	return nil
}

func (p *Partitioned) abortAll() {
	for _, part := range p.parts {
		part.sink.Abort()
	}
}

// Files returns the partition files written, relative to the sink's
// folder with forward slashes, sorted, with their rows.
func (p *Partitioned) Files() []PartFile {
	var out []PartFile
	for _, k := range p.keys() {
		out = append(out, PartFile{Path: path.Join(k, "part-0"+Ext(p.format)), Rows: p.parts[k].sink.Rows()})
	}
	return out
}

func (p *Partitioned) keys() []string {
	keys := make([]string, 0, len(p.parts))
	for k := range p.parts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
