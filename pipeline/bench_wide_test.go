package pipeline

import (
	"context"
	"fmt"
	"testing"

	"tally/internal/testkit"
	"tally/report"
)

// BenchmarkRunWide runs the whole pipeline on generated wide tables (a
// row per station, a column per party), writing Parquet only, as the
// benchmark workload of BENCHMARKS.md does. MB/s is input bytes per
// second.
func BenchmarkRunWide(b *testing.B) {
	for _, stations := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("stations=%d", stations), func(b *testing.B) {
			spec, size := generatedSpec(b, func(dir string) (string, int64, error) { return testkit.WideCSV(dir, stations, 1) }, testkit.WideSpec)
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				sum, err := Run(context.Background(), spec, Options{Write: true, OutDir: b.TempDir(), Formats: []string{"parquet"}})
				if err != nil {
					b.Fatal(err)
				}
				if n := sum.Count(report.Warning); n != 0 {
					b.Fatalf("%d findings: %v", n, findingsOf(sum)[0])
				}
				if got := sum.Tables["results"]; got != int64(stations*len(testkit.Parties)) {
					b.Fatalf("%d result rows", got)
				}
			}
		})
	}
}
