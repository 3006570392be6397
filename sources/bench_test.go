package sources

import (
	"context"
	"fmt"
	"io"
	"testing"

	"tally/internal/testkit"
)

// BenchmarkCSVTableReader reads generated long CSV files through the
// TableReader, the path every CSV source takes. cpu-ns/op is the CPU
// time of every goroutine per read.
func BenchmarkCSVTableReader(b *testing.B) {
	for _, rows := range []int{12_000, 120_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			path, size, err := testkit.LongCSV(b.TempDir(), rows, 1)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			b.ReportAllocs()
			start := testkit.CPUTime()
			for b.Loop() {
				src, err := Open(context.Background(), Input{Path: path})
				if err != nil {
					b.Fatal(err)
				}
				tr := NewTableReader(src, TableOptions{})
				n := 0
				for {
					bt, err := tr.Next(context.Background())
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n += len(bt.Rows)
				}
				tr.Close()
				if n < rows-len(testkit.Parties) {
					b.Fatalf("read %d rows", n)
				}
			}
			testkit.ReportCPU(b, start)
		})
	}
}
