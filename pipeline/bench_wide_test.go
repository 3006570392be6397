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
			dir := b.TempDir()
			csv, size, err := testkit.WideCSV(dir, stations, 1)
			if err != nil {
				b.Fatal(err)
			}
			specPath, err := testkit.WideSpec(dir, csv)
			if err != nil {
				b.Fatal(err)
			}
			spec, err := LoadSpec(specPath)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				sum, err := Run(context.Background(), spec, Options{Write: true, OutDir: b.TempDir(), Formats: []string{"parquet"}})
				if err != nil {
					b.Fatal(err)
				}
				if n := sum.Count(report.Warning); n != 0 {
					b.Fatalf("%d findings: %v", n, sum.Findings[0])
				}
				if got := sum.Tables["results"]; got != int64(stations*len(testkit.Parties)) {
					b.Fatalf("%d result rows", got)
				}
			}
		})
	}
}
