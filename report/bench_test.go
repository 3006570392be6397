package report

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"tally/internal/testkit"
)

// checkFindings are the findings of a spec that maps one wrong column:
// two per unit, at two cells of the unit's first row, as a long table
// of twelve rows a unit gives them.
func checkFindings(units int) []Finding {
	const file = "/tmp/tally-bench/data/p100k_long.csv"
	fs := make([]Finding, 0, 2*units)
	for u := range units {
		id := "esilskii-raion/" + strconv.Itoa(u+1)
		row := 2 + 12*u
		valid, sum := int64(700+u%600), int64(600+u%500)
		fs = append(fs,
			Finding{Severity: Error, Code: VotesSumMismatch, UnitID: id,
				Pos:      Position{File: file, Row: row, Column: 7, Header: "registered"},
				Message:  "options of unit " + strconv.Quote(id) + " sum to " + strconv.FormatInt(sum, 10) + ", but valid ballots are " + strconv.FormatInt(valid, 10),
				Expected: strconv.FormatInt(valid, 10), Actual: strconv.FormatInt(sum, 10)},
			Finding{Severity: Error, Code: ValidInvalidMismatch, UnitID: id,
				Pos:      Position{File: file, Row: row, Column: 8, Header: "ballots_cast"},
				Message:  "valid " + strconv.FormatInt(valid, 10) + " + invalid 3, but ballots cast are 464 in unit " + strconv.Quote(id),
				Expected: "464", Actual: strconv.FormatInt(valid+3, 10)})
	}
	return fs
}

// BenchmarkRecorder records the findings of 100,000 failing units, which
// spill to the temporary file, and reads them back in order: as added
// (units read in file order), and with the units shuffled (sources read
// concurrently).
func BenchmarkRecorder(b *testing.B) {
	fs := checkFindings(100000)
	shuffled := make([]Finding, len(fs))
	perm := rand.New(rand.NewPCG(1, 2)).Perm(len(fs) / 2)
	for i, p := range perm {
		shuffled[2*i], shuffled[2*i+1] = fs[2*p], fs[2*p+1]
	}
	for _, bc := range []struct {
		name string
		fs   []Finding
	}{{"inorder", fs}, {"shuffled", shuffled}} {
		b.Run(bc.name, func(b *testing.B) {
			defer testkit.ReportCPU(b, testkit.CPUTime())
			n := 0
			for b.Loop() {
				r := &Recorder{}
				for i := range bc.fs {
					r.Add(bc.fs[i])
				}
				r.EachFinding(func(f *Finding) error {
					n += len(f.Message)
					return nil
				})
				if err := r.Close(); err != nil {
					b.Fatal(err)
				}
			}
			if n == 0 {
				b.Fatal("no findings read")
			}
		})
	}
}
