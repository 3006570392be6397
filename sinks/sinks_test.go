package sinks

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "party", Type: arrow.BinaryTypes.String},
	{Name: "votes", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "share", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "eligible", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

func batch(mem memory.Allocator, parties []string, votes []int64) arrow.RecordBatch {
	return batchOf(mem, testSchema, parties, votes)
}

// batchOf builds rows of a schema shaped like testSchema.
func batchOf(mem memory.Allocator, schema *arrow.Schema, parties []string, votes []int64) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i, p := range parties {
		b.Field(0).(*array.StringBuilder).Append(p)
		if votes[i] < 0 {
			b.Field(1).AppendNull()
			b.Field(2).AppendNull()
		} else {
			b.Field(1).(*array.Int64Builder).Append(votes[i])
			b.Field(2).(*array.Float64Builder).Append(float64(votes[i]) / 10)
		}
		b.Field(3).(*array.BooleanBuilder).Append(votes[i] > 100)
	}
	return b.NewRecordBatch()
}

// writeAll writes the same rows cut into batches of the given sizes.
func writeAll(t *testing.T, format, path string, sizes []int) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	parties := []string{"Nur Otan", "Ақ жол", "Народная партия", "Auyl, \"rural\"", "Adal"}
	votes := []int64{5148074, 792828, -1, 383023, 0}
	s, err := Create(format, path, testSchema, Meta{"tally.version": "test"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := 0
	for _, n := range sizes {
		b := batch(mem, parties[at:at+n], votes[at:at+n])
		if err := s.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		b.Release()
		at += n
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if s.Rows() != 5 {
		t.Errorf("Rows() = %d", s.Rows())
	}
}

func TestRoundTrip(t *testing.T) {
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			a := filepath.Join(dir, "a"+Ext(format))
			b := filepath.Join(dir, "b"+Ext(format))
			writeAll(t, format, a, []int{5})
			writeAll(t, format, b, []int{2, 1, 2})
			ab, _ := os.ReadFile(a)
			bb, _ := os.ReadFile(b)
			if !bytes.Equal(ab, bb) {
				t.Errorf("output depends on batch sizes")
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 2 {
				t.Errorf("stray files left: %v", entries)
			}
			got := readTable(t, format, a)
			want := "Nur Otan|5148074|514807.4|true\nАқ жол|792828|79282.8|true\nНародная партия|null|null|false\nAuyl, \"rural\"|383023|38302.3|true\nAdal|0|0|false\n"
			if got != want {
				t.Errorf("read back:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func readTable(t *testing.T, format, path string) string {
	t.Helper()
	mem := memory.NewGoAllocator()
	var recs []arrow.RecordBatch
	switch format {
	case "parquet":
		f, err := file.OpenParquetFile(path, false)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if v := f.MetaData().KeyValueMetadata().FindValue("tally.version"); v == nil || *v != "test" {
			t.Errorf("parquet metadata tally.version = %v", v)
		}
		fr, err := pqarrow.NewFileReader(f, pqarrow.ArrowReadProperties{}, mem)
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := fr.ReadTable(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer tbl.Release()
		tr := array.NewTableReader(tbl, -1)
		defer tr.Release()
		for tr.Next() {
			r := tr.RecordBatch()
			r.Retain()
			recs = append(recs, r)
		}
	case "arrow":
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r, err := ipc.NewFileReader(f, ipc.WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if v := r.Schema().Metadata().FindKey("tally.version"); v < 0 {
			t.Errorf("arrow schema metadata lacks tally.version")
		}
		for i := 0; i < r.NumRecords(); i++ {
			rec, err := r.RecordBatch(i)
			if err != nil {
				t.Fatal(err)
			}
			rec.Retain()
			recs = append(recs, rec)
		}
	case "csv":
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if lines[0] != "party,votes,share,eligible" {
			t.Errorf("csv header = %q", lines[0])
		}
		var out strings.Builder
		for _, l := range lines[1:] {
			l = strings.Replace(l, `"Auyl, ""rural"""`, "Auyl, \"rural\"", 1)
			parts := strings.Split(l, ",")
			if len(parts) == 5 { // the quoted comma
				parts = append([]string{parts[0] + "," + parts[1]}, parts[2:]...)
			}
			for i, p := range parts {
				if p == "" {
					parts[i] = "null"
				}
			}
			out.WriteString(strings.Join(parts, "|") + "\n")
		}
		return out.String()
	}
	var out strings.Builder
	for _, r := range recs {
		for i, f := range r.Schema().Fields() {
			w := testSchema.Field(i)
			if f.Name != w.Name || !arrow.TypeEqual(f.Type, w.Type) || f.Nullable != w.Nullable {
				t.Errorf("field %d read back = %v, want %v", i, f, w)
			}
		}
		for i := 0; i < int(r.NumRows()); i++ {
			for c := 0; c < int(r.NumCols()); c++ {
				if c > 0 {
					out.WriteByte('|')
				}
				if r.Column(c).IsNull(i) {
					out.WriteString("null")
				} else {
					out.WriteString(r.Column(c).ValueStr(i))
				}
			}
			out.WriteByte('\n')
		}
		r.Release()
	}
	return out.String()
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := Create("parquet", filepath.Join(dir, "x.parquet"), testSchema, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// An empty table still has its header, and outputs are readable by all.
	e, err := Create("csv", filepath.Join(dir, "empty.csv"), testSchema, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "empty.csv")); string(b) != "party,votes,share,eligible\n" {
		t.Errorf("empty CSV = %q", b)
	}
	if st, _ := os.Stat(filepath.Join(dir, "empty.csv")); st.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want 0644", st.Mode().Perm())
	}
	os.Remove(filepath.Join(dir, "empty.csv"))
	if err := s.Abort(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files left after Abort: %v", entries)
	}
	if _, err := Create("ods", filepath.Join(dir, "x.ods"), testSchema, nil, Options{}); err == nil || !strings.Contains(err.Error(), "known: arrow, csv, parquet") {
		t.Errorf("unknown format: %v", err)
	}
}

// A column chunk with more distinct values than half its rows is written
// plain, one with few is dictionary-encoded; either way the choice
// depends on the chunk's rows only, so the bytes do not change from run
// to run.
func TestParquetDictionaryOrPlain(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var parties []string
	var votes []int64
	for i := 0; i < 40000; i++ {
		parties = append(parties, fmt.Sprintf("%06d %s", i, strings.Repeat("Избирательный участок ", 5)))
		votes = append(votes, int64(i%7))
	}
	var files [][]byte
	for run := range 2 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("wide%d.parquet", run))
		s, err := Create("parquet", path, testSchema, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		b := batch(mem, parties, votes)
		if err := s.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		b.Release()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, data)
		f, err := file.OpenParquetFile(path, false)
		if err != nil {
			t.Fatal(err)
		}
		md := f.MetaData()
		if md.NumRowGroups() != 2 {
			t.Errorf("%d row groups, want 2", md.NumRowGroups())
		}
		for i := 0; i < md.NumRowGroups(); i++ {
			rg := md.RowGroup(i)
			party, err := rg.ColumnChunk(0)
			if err != nil {
				t.Fatal(err)
			}
			vote, err := rg.ColumnChunk(1)
			if err != nil {
				t.Fatal(err)
			}
			if party.HasDictionaryPage() {
				t.Errorf("row group %d: the distinct party names have a dictionary", i)
			}
			if !vote.HasDictionaryPage() {
				t.Errorf("row group %d: the seven vote counts have no dictionary", i)
			}
		}
		f.Close()
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("two runs wrote different bytes")
	}
}

// Arrow IPC is uncompressed unless asked; zstd IPC reads back the same
// (through a reader that has the codec), and each file says how it was
// written.
func TestWriterSettingsRecorded(t *testing.T) {
	dir := t.TempDir()
	mem := memory.NewGoAllocator()
	for _, zstd := range []bool{false, true} {
		path := filepath.Join(dir, fmt.Sprintf("zstd-%t.arrow", zstd))
		s, err := Create("arrow", path, testSchema, Meta{"tally.version": "test"}, Options{IPCZstd: zstd})
		if err != nil {
			t.Fatal(err)
		}
		b := batch(mem, []string{"Nur Otan", "Ақ жол"}, []int64{5148074, -1})
		if err := s.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		b.Release()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ipc.NewFileReader(f)
		if err != nil {
			t.Fatal(err)
		}
		want := map[bool]string{false: "none", true: "zstd"}[zstd]
		md := r.Schema().Metadata()
		if i := md.FindKey("tally.writer.compression"); i < 0 || md.Values()[i] != want {
			t.Errorf("zstd %t: tally.writer.compression missing or not %q", zstd, want)
		}
		if i := md.FindKey("tally.writer.batch_rows"); i < 0 || md.Values()[i] != "16384" {
			t.Errorf("zstd %t: tally.writer.batch_rows missing or wrong", zstd)
		}
		r.Close()
		f.Close()
		rows, err := readIPC(path, TableSchema{Fields: []Field{{Name: "party", Type: "string"}, {Name: "votes", Type: "integer"}, {Name: "share", Type: "number"}, {Name: "eligible", Type: "boolean"}}})
		if err != nil || rows != 2 {
			t.Errorf("zstd %t: read back %d rows, %v", zstd, rows, err)
		}
	}
	plain, _ := os.ReadFile(filepath.Join(dir, "zstd-false.arrow"))
	packed, _ := os.ReadFile(filepath.Join(dir, "zstd-true.arrow"))
	if bytes.Equal(plain, packed) {
		t.Error("--arrow-compression zstd wrote the same bytes as none")
	}
	path := filepath.Join(dir, "settings.parquet")
	s, err := Create("parquet", path, testSchema, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kv := f.MetaData().KeyValueMetadata()
	for k, want := range map[string]string{"tally.writer.compression": "zstd", "tally.writer.compression_level": "1", "tally.writer.compression_min_saving": "0.15", "tally.writer.row_group_rows": "32768", "tally.writer.dictionary_limit": "16384"} {
		if v := kv.FindValue(k); v == nil || *v != want {
			t.Errorf("parquet %s = %v, want %s", k, v, want)
		}
	}
}
