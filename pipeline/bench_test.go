package pipeline

import (
	"context"
	"fmt"
	"testing"

	"tally/internal/testkit"
	"tally/report"
)

// BenchmarkRunLong runs the whole pipeline (read, map, check, allocate)
// on generated long tables; with write=true it also writes every table in
// every format. MB/s is input bytes per second.
func BenchmarkRunLong(b *testing.B) {
	for _, rows := range []int{12_000, 120_000} {
		for _, write := range []bool{false, true} {
			b.Run(fmt.Sprintf("rows=%d/write=%v", rows, write), func(b *testing.B) {
				spec, size := generatedSpec(b, func(dir string) (string, int64, error) { return testkit.LongCSV(dir, rows, 1) }, testkit.LongSpec)
				b.SetBytes(size)
				b.ReportAllocs()
				for b.Loop() {
					sum, err := Run(context.Background(), spec, Options{Write: write, OutDir: b.TempDir()})
					if err != nil {
						b.Fatal(err)
					}
					if n := sum.Count(report.Error); n != 0 {
						b.Fatalf("%d errors: %v", n, findingsOf(sum)[0])
					}
				}
			})
		}
	}
}

// generatedSpec generates a table in a temporary folder with gen, writes
// its spec with spec, and loads it; it returns the spec and the table's
// size.
func generatedSpec(tb testing.TB, gen func(dir string) (string, int64, error), spec func(dir, path string) (string, error)) (*Spec, int64) {
	tb.Helper()
	dir := tb.TempDir()
	path, size, err := gen(dir)
	if err != nil {
		tb.Fatal(err)
	}
	specPath, err := spec(dir, path)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := LoadSpec(specPath)
	if err != nil {
		tb.Fatal(err)
	}
	return s, size
}

// TestGeneratedTableIsConsistent guards the benchmark input: a generated
// table must pass every check, so benchmarks measure the clean path.
func TestGeneratedTableIsConsistent(t *testing.T) {
	dir := t.TempDir()
	csv, _, err := testkit.LongCSV(dir, 1200, 7)
	if err != nil {
		t.Fatal(err)
	}
	specPath, err := testkit.LongSpec(dir, csv)
	if err != nil {
		t.Fatal(err)
	}
	sum := runSpec(t, specPath, true)
	if n := sum.Count(report.Warning); n != 0 {
		t.Errorf("findings on a consistent table: %v", findingsOf(sum))
	}
	if sum.Tables["results"] != 1200 || sum.Tables["units"] != 100 {
		t.Errorf("tables = %v, want 1200 results, 100 units", sum.Tables)
	}
	st := sum.Sources[0]
	if st.Rows != 1201 || st.Used != 1200 || st.Rejected != 0 {
		t.Errorf("accounting = %+v", st)
	}
}
