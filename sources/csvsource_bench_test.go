package sources

import (
	"context"
	"fmt"
	"io"
	"testing"

	"tally/internal/testkit"
)

// BenchmarkCSVSource reads generated long CSV files row by row, without
// finding tables: parsing alone. cpu-ns/op is the CPU time of every
// goroutine per read.
func BenchmarkCSVSource(b *testing.B) {
	for _, rows := range []int{120_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			path, size, err := testkit.LongCSV(b.TempDir(), rows, 1)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			b.ReportAllocs()
			start := testkit.CPUTime()
			for b.Loop() {
				n := sourceRows(b, Input{Path: path})
				if n != rows+1 {
					b.Fatalf("read %d rows, want %d", n, rows+1)
				}
			}
			testkit.ReportCPU(b, start)
		})
	}
}

// sourceRows opens in and reads it to its end, returning the rows read.
func sourceRows(b *testing.B, in Input) int {
	b.Helper()
	src, err := Open(context.Background(), in)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	n := 0
	for {
		bt, err := src.Next(context.Background())
		if err == io.EOF {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n += len(bt.Rows)
	}
}
