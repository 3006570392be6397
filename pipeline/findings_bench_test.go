package pipeline

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"tally/internal/testkit"
	"tally/report"
)

// BenchmarkRunWrongColumn runs the pipeline on a generated long table
// whose spec maps valid ballots to the registered voters' column, as a
// spec with one wrong column does: every unit fails two checks, and the
// findings are recorded, spilled and written. Its cost beside
// BenchmarkRunLong's is that of the findings.
func BenchmarkRunWrongColumn(b *testing.B) {
	const rows = 120_000
	spec, size := generatedSpec(b, func(dir string) (string, int64, error) { return testkit.LongCSV(dir, rows, 1) },
		func(dir, path string) (string, error) {
			p, err := testkit.LongSpec(dir, path)
			if err != nil {
				return "", err
			}
			text, err := os.ReadFile(p)
			if err != nil {
				return "", err
			}
			wrong := strings.Replace(string(text), "invalid: invalid}", "invalid: invalid, valid: registered}", 1)
			return p, os.WriteFile(p, []byte(wrong), 0o644)
		})
	b.SetBytes(size)
	b.ReportAllocs()
	defer testkit.ReportCPU(b, testkit.CPUTime())
	for b.Loop() {
		sum, err := Run(context.Background(), spec, Options{Write: true, OutDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		if n := sum.Count(report.Error); n < rows/12 {
			b.Fatalf("%d errors, want one or two a unit", n)
		}
	}
}

// BenchmarkCheckIdentities checks a unit whose valid ballots are its
// registered voters (a wrong column): two identities fail and make two
// findings, worded and recorded.
func BenchmarkCheckIdentities(b *testing.B) {
	units := make([]*unitBuf, 1000)
	for i := range units {
		u := &unitBuf{id: "esilskii-raion/" + strconv.Itoa(i+1), pos: report.Position{File: "/data/p100k_long.csv", Row: 2 + 12*i}}
		for f, v := range [numFigures]int64{FigRegistered: 1120 + int64(i), FigCast: 464, FigInvalid: 1, FigValid: 1120 + int64(i)} {
			if Figure(f) != FigIssued {
				u.fig[f] = figure{v: opt{v, true}, pos: report.Position{File: u.pos.File, Row: u.pos.Row, Column: 4 + f}}
			}
		}
		units[i] = u
	}
	rec := &report.Recorder{}
	defer func() { rec.Close() }()
	sr := &sourceReader{r: &runner{spec: &Spec{}, rec: rec}}
	defer testkit.ReportCPU(b, testkit.CPUTime())
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sr.checkIdentities(units[i%len(units)], 688, true)
		if i++; i%100_000 == 0 {
			rec.Close()
			rec = &report.Recorder{}
			sr.r.rec = rec
		}
	}
	if rec.FindingCount() != 2*(i%100_000) {
		b.Fatalf("%d findings, want %d", rec.FindingCount(), 2*(i%100_000))
	}
}
