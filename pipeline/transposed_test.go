package pipeline

import (
	"testing"

	"tally/report"
)

// A clerk's sheet with precincts across: the ballots row applies to every
// office, offices start at a section label or at a row repeating the
// ballots, a TOTALS column is the total row of each office, and an
// unlabelled column totals the precincts before it.
func TestTransposedOffices(t *testing.T) {
	sum := runText(t, `
election: {id: town}
sources:
  - path: t.csv
    layout: transposed
`, map[string]string{"t.csv": `State election
;1A;1B;;2A;TOTALS
# ballots;100;50;150;80;230
Governor
Blanks;5;5;10;0;10
Patrick & Murray;60;25;85;50;135
Baker & Tisei;35;20;55;30;65
Attorney General;100;50;150;80;230
Martha Coakley;70;30;100;60;160
James McKenna;30;20;50;20;70
;;;;;0
`})
	votes := map[string]map[string]int64{
		"governor":         {"blanks": 10, "patrick-murray": 135, "baker-tisei": 85},
		"attorney-general": {"martha-coakley": 160, "james-mckenna": 70},
	}
	if len(sum.Totals) != 2 {
		t.Fatalf("contests: %+v", sum.Totals)
	}
	for _, ct := range sum.Totals {
		if ct.Level != "precinct" || ct.Units != 3 || ct.Levels[LevelTotal] != 1 || ct.Levels[LevelSubtotal] != 1 {
			t.Errorf("%s: level %q, %d units, levels %v", ct.Contest, ct.Level, ct.Units, ct.Levels)
		}
		v := votesOf(ct)
		for id, n := range votes[ct.Contest] {
			if v[id] != n {
				t.Errorf("%s: %s = %d, want %d (all %v)", ct.Contest, id, v[id], n, v)
			}
		}
		if ct.Figures["ballots_cast"] != 230 {
			t.Errorf("%s: ballots cast %v", ct.Contest, ct.Figures)
		}
	}
	// The governor's TOTALS say 65 for Baker, the precincts 85; the
	// subtotal of 1A and 1B agrees. The blank line is rejected, as info.
	expectFindings(t, findingsOf(sum), []want{
		{code: report.TotalMismatch, unit: "totals", option: "baker-tisei", expected: "65", actual: "85", row: 7, col: 6},
	})
	if sum.Sources[0].Rejected != 1 || len(rejectsOf(sum)) != 1 || rejectsOf(sum)[0].Pos.Row != 11 {
		t.Errorf("rejects %+v, stats %+v", rejectsOf(sum), sum.Sources[0])
	}
	s := sum.Sources[0]
	if s.Data != s.Used+s.Rejected {
		t.Errorf("rows not accounted for: %+v", s)
	}
}

// Office names in a column of their own, on any row of their block, and
// blocks that end with a write-in row; precincts outside a district's
// office are not units of it.
func TestTransposedOfficeColumn(t *testing.T) {
	sum := runText(t, `
election: {id: county}
sources:
  - path: w.csv
    layout: transposed
`, map[string]string{"w.csv": `;Candidates;TOTALS;P1;P2;P3
BALLOTS CAST - TOTAL;BALLOTS CAST - TOTAL;600;100;200;300
;OBAMA;250;40;90;120
President COUNTY;MCCAIN;320;55;100;165
;WRITE-IN;30;5;10;15
State Senator 4TH DISTRICT;John Warner;150;;60;90
;WRITE-IN;5;;2;3
`})
	if len(sum.Totals) != 2 {
		t.Fatalf("contests: %+v", sum.Totals)
	}
	units := map[string]int{}
	for _, ct := range sum.Totals {
		units[ct.Contest] = ct.Units
	}
	if units["president-county"] != 3 || units["state-senator-4th-district"] != 2 {
		t.Errorf("units per contest %v", units)
	}
	if n := sum.Count(report.Warning); n != 0 {
		t.Errorf("findings:\n%s", findingList(findingsOf(sum)))
	}
}
