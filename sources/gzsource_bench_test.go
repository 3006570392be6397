package sources

import (
	"compress/gzip"
	"fmt"
	"os"
	"testing"

	"tally/internal/testkit"
)

// BenchmarkGzipCSVSource reads a generated long CSV compressed with gzip,
// row by row: inflating and parsing. cpu-ns/op is the CPU time of every
// goroutine per read; MB/s counts the compressed bytes.
func BenchmarkGzipCSVSource(b *testing.B) {
	for _, rows := range []int{120_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			dir := b.TempDir()
			path, _, err := testkit.LongCSV(dir, rows, 1)
			if err != nil {
				b.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			gz, err := os.Create(path + ".gz")
			if err != nil {
				b.Fatal(err)
			}
			zw := gzip.NewWriter(gz)
			if _, err := zw.Write(data); err != nil {
				b.Fatal(err)
			}
			if err := zw.Close(); err != nil {
				b.Fatal(err)
			}
			st, _ := gz.Stat()
			gz.Close()
			b.SetBytes(st.Size())
			b.ReportAllocs()
			start := testkit.CPUTime()
			for b.Loop() {
				n := sourceRows(b, Input{Path: path + ".gz"})
				if n != rows+1 {
					b.Fatalf("read %d rows, want %d", n, rows+1)
				}
			}
			testkit.ReportCPU(b, start)
		})
	}
}
