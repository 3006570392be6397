package pipeline

import (
	"context"
	"io"
	"testing"

	"tally/internal/testkit"
	"tally/sources"
)

// BenchmarkHashWhileRead reads a generated long CSV to its end and takes
// its sha256: apart, as a run did before (a second reading of the file on
// a goroutine of its own), and from the bytes the source reads. cpu-ns/op
// is the CPU time of every goroutine per read.
func BenchmarkHashWhileRead(b *testing.B) {
	path, size, err := testkit.LongCSV(b.TempDir(), 240_000, 1)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	read := func(in sources.Input) {
		src, err := sources.Open(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		defer src.Close()
		for {
			_, err := src.Next(ctx)
			if err == io.EOF {
				return
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	var want string
	for _, mode := range []string{"apart", "from-reads"} {
		b.Run(mode, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			start := testkit.CPUTime()
			for b.Loop() {
				var h inputHash
				if mode == "apart" {
					done := make(chan inputHash, 1)
					go func() { done <- hashFile(ctx, path, func(int64, int64) {}) }()
					read(sources.Input{Path: path})
					h = <-done
				} else {
					s := newStreamHash(ctx, path)
					read(sources.Input{Path: path, Tee: s.feed})
					h = s.finish(ctx)
				}
				if h.err != nil || (want != "" && h.sum != want) {
					b.Fatalf("sha256 %s, %v; want %s", h.sum, h.err, want)
				}
				want = h.sum
			}
			testkit.ReportCPU(b, start)
		})
	}
}
