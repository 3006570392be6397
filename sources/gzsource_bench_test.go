package sources

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
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
			zw.Write(data)
			if err := zw.Close(); err != nil {
				b.Fatal(err)
			}
			st, _ := gz.Stat()
			gz.Close()
			b.SetBytes(st.Size())
			b.ReportAllocs()
			start := testkit.CPUTime()
			for b.Loop() {
				src, err := Open(context.Background(), Input{Path: path + ".gz"})
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					bt, err := src.Next(context.Background())
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n += len(bt.Rows)
				}
				src.Close()
				if n != rows+1 {
					b.Fatalf("read %d rows, want %d", n, rows+1)
				}
			}
			testkit.ReportCPU(b, start)
		})
	}
}
