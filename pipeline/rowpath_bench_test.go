package pipeline

import (
	"context"
	"testing"

	"tally/internal/testkit"
	"tally/report"
)

// BenchmarkRowPath reads and checks generated long and wide tables
// without writing (tally validate): the read and row path on its own. It
// reports, besides wall time, the CPU time of every goroutine per run
// (cpu-ns/op), which a machine shared with other work disturbs less.
func BenchmarkRowPath(b *testing.B) {
	cases := []struct {
		name string
		gen  func(dir string) (string, int64, error)
		spec func(dir, path string) (string, error)
	}{
		{"long/rows=120000", func(dir string) (string, int64, error) { return testkit.LongCSV(dir, 120_000, 1) }, testkit.LongSpec},
		{"wide/stations=100000", func(dir string) (string, int64, error) { return testkit.WideCSV(dir, 100_000, 1) }, testkit.WideSpec},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			spec, size := generatedSpec(b, c.gen, c.spec)
			b.SetBytes(size)
			b.ReportAllocs()
			start := testkit.CPUTime()
			for b.Loop() {
				sum, err := Run(context.Background(), spec, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if n := sum.Count(report.Warning); n != 0 {
					b.Fatalf("%d findings: %v", n, findingsOf(sum)[0])
				}
			}
			testkit.ReportCPU(b, start)
		})
	}
}
