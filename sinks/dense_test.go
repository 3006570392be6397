package sinks

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// dictBatch is b with its string columns dictionary-encoded, the way
// tally's pipeline builds result batches.
func dictBatch(t *testing.T, mem memory.Allocator, b arrow.RecordBatch) arrow.RecordBatch {
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	fields := b.Schema().Fields()
	cols := make([]arrow.Array, b.NumCols())
	for i := range cols {
		s, ok := b.Column(i).(*array.String)
		if !ok {
			cols[i] = b.Column(i)
			cols[i].Retain()
			continue
		}
		db := array.NewDictionaryBuilder(mem, dt).(*array.BinaryDictionaryBuilder)
		for r := 0; r < s.Len(); r++ {
			if s.IsNull(r) {
				db.AppendNull()
			} else if err := db.AppendString(s.Value(r)); err != nil {
				t.Fatal(err)
			}
		}
		cols[i] = db.NewArray()
		db.Release()
		fields[i].Type = dt
	}
	out := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, b.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return out
}

// Batches whose string columns come dictionary-encoded give the same
// bytes as plain ones, in every format and partitioned.
func TestDictionaryBatchesSameBytes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	parties := []string{"Nur Otan", "Ақ жол", "Nur Otan", "Auyl, \"rural\"", "Adal", "Ақ жол", ""}
	votes := []int64{5148074, 792828, -1, 383023, 0, 7, 9}
	write := func(dir string, dict bool) {
		for _, format := range Formats() {
			s, err := Create(format, filepath.Join(dir, "t"+Ext(format)), testSchema, Meta{"k": "v"}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := CreatePartitioned(format, filepath.Join(dir, "p-"+format), testSchema, []string{"party"}, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, cut := range [][2]int{{0, 3}, {3, 7}} {
				b := batch(mem, parties[cut[0]:cut[1]], votes[cut[0]:cut[1]])
				if dict {
					d := dictBatch(t, mem, b)
					b.Release()
					b = d
				}
				if err := s.Write(context.Background(), b); err != nil {
					t.Fatal(err)
				}
				if err := p.Write(context.Background(), b); err != nil {
					t.Fatal(err)
				}
				b.Release()
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	plain, dict := t.TempDir(), t.TempDir()
	write(plain, false)
	write(dict, true)
	n := 0
	err := filepath.WalkDir(plain, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(plain, path)
		a, _ := os.ReadFile(path)
		b, err := os.ReadFile(filepath.Join(dict, rel))
		if err != nil {
			t.Errorf("%s: written from plain batches only", rel)
			return nil
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: dictionary batches gave other bytes", rel)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 3+3*5 {
		t.Errorf("compared %d files, want every format and partition", n)
	}
}

// A closed sink's sum is the sha256 and size of the file on disk, in
// every format: the manifest takes it instead of reading the file again.
func TestSinkSumIsTheFiles(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, format := range Formats() {
		path := filepath.Join(t.TempDir(), "t"+Ext(format))
		s, err := Create(format, path, testSchema, Meta{"k": "v"}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		b := batch(mem, []string{"Nur Otan", "Ақ жол", "Adal"}, []int64{5148074, -1, 0})
		if err := s.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		b.Release()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		wantSum, wantN, err := FileSum(path)
		if err != nil {
			t.Fatal(err)
		}
		gotSum, gotN := s.(Summed).Sum()
		if gotSum != wantSum || gotN != wantN {
			t.Errorf("%s: sink says %s (%d bytes), the file is %s (%d bytes)", format, gotSum, gotN, wantSum, wantN)
		}
	}
}
