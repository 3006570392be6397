package pipeline

import (
	"fmt"
	"strings"
	"testing"

	"tally/report"
)

// longUPVSpec reads l.csv, a long table of Unit, Party and Votes.
const longUPVSpec = `
election: {id: l}
sources:
  - path: l.csv
    layout: long
    columns: {unit_id: Unit, option: Party, votes: Votes}
`

// An option named twice in a unit is found whether the unit has few
// options (compared pairwise) or many (through a map).
func TestDuplicateOptionsInUnit(t *testing.T) {
	for _, n := range []int{4, 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var b strings.Builder
			b.WriteString("Unit,Party,Votes\n")
			for i := 1; i <= n; i++ {
				fmt.Fprintf(&b, "u1,O%d,%d\n", i, 10+i)
			}
			// O2 again with other votes, O3 again with the same.
			b.WriteString("u1,O2,99\nu1,O3,13\nu2,O1,5\n")
			sum := runText(t, longUPVSpec, map[string]string{"l.csv": b.String()})
			expectFindings(t, findingsOf(sum), []want{
				{code: report.ConflictingResult, unit: "u1", option: "o2", expected: "12", actual: "99", row: n + 2},
				{code: report.DuplicateResult, unit: "u1", option: "o3", row: n + 3},
			})
		})
	}
}

// Options are resolved by name whatever order the rows of a unit give
// them in (the reader guesses the next option from the last unit's order).
func TestOptionsInChangingOrder(t *testing.T) {
	sum := runText(t, longUPVSpec, map[string]string{"l.csv": `Unit,Party,Votes
u1,A,1
u1,B,2
u1,C,4
u2,C,8
u2,B,16
u2,A,32
u3,A,64
u3,C,128
u4,B,256
u4,D,512
u4,A,1024
`})
	if n := sum.Count(report.Warning); n != 0 {
		t.Fatalf("findings: %v", findingsOf(sum))
	}
	got := map[string]int64{}
	for _, o := range sum.Totals[0].Options {
		got[o.ID+"="+o.Name] = o.Votes
	}
	want := map[string]int64{"a=A": 1 + 32 + 64 + 1024, "b=B": 2 + 16 + 256, "c=C": 4 + 8 + 128, "d=D": 512}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("totals %v, want %v", got, want)
	}
}

// Duplicates are found among the first 64 option ids of a run (followed
// by bits) and past them (compared pairwise), each repeat naming the
// first row of its option.
func TestDuplicateOptionsPastSixtyFour(t *testing.T) {
	var b strings.Builder
	b.WriteString("Unit,Party,Votes\n")
	// Units of ten options each give the run 80 option ids.
	for u := range 8 {
		for i := 1; i <= 10; i++ {
			fmt.Fprintf(&b, "u%d,O%d,%d\n", u, u*10+i, i)
		}
	}
	// Row 82 on: a unit repeating O3 (an early id) three times and O75
	// (a late one) twice, with O70 and O3 between.
	b.WriteString("u9,O3,1\nu9,O75,2\nu9,O70,3\nu9,O3,1\nu9,O75,4\nu9,O3,5\n")
	sum := runText(t, longUPVSpec, map[string]string{"l.csv": b.String()})
	expectFindings(t, findingsOf(sum), []want{
		{code: report.DuplicateResult, unit: "u9", option: "o3", row: 85, says: []string{"first at l.csv::82:3"}},
		{code: report.ConflictingResult, unit: "u9", option: "o75", expected: "2", actual: "4", row: 86, says: []string{"at l.csv::83:3"}},
		{code: report.ConflictingResult, unit: "u9", option: "o3", expected: "1", actual: "5", row: 87, says: []string{"at l.csv::82:3"}},
	})
}

// Option cells are recognised by their text whatever spaces surround it,
// in the order of the unit before or not, and a cell of spaces is no
// option name, also where that option was expected.
func TestOptionCellsWithSpaces(t *testing.T) {
	sum := runText(t, longUPVSpec, map[string]string{"l.csv": "Unit,Party,Votes\n" +
		"u1, A,1\nu1,B ,2\nu1,C,4\n" +
		"u2, A,8\nu2,B,16\nu2, C ,32\n" +
		"u3,A,64\nu3,B ,128\nu3,   ,256\n" +
		"u4, A,512\nu4,C,1024\nu4,B ,2048\n"})
	got := map[string]int64{}
	for _, o := range sum.Totals[0].Options {
		got[o.ID+"="+o.Name] = o.Votes
	}
	want := map[string]int64{"a=A": 1 + 8 + 64 + 512, "b=B": 2 + 16 + 128 + 2048, "c=C": 4 + 32 + 1024}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("totals %v, want %v", got, want)
	}
	if len(rejectsOf(sum)) != 1 || rejectsOf(sum)[0].Pos.Row != 10 || !strings.Contains(rejectsOf(sum)[0].Reason, "no option name") {
		t.Errorf("rejects %+v, want row 10 for no option name", rejectsOf(sum))
	}
}
