package pipeline

import (
	"path/filepath"
	"strings"
	"testing"

	"tally/report"
)

// The published legacy Excel files (Excel 95 inside gzip, BIFF8 with 101
// sheets) read through their specs to the totals the commissions
// published, their own total rows recognised and checked.
func TestRealLegacyExcel(t *testing.T) {
	needReal(t)
	t.Run("kansas-1996", func(t *testing.T) {
		sum := runSpec(t, "../testdata/real/kansas-1996.yaml", false)
		ct := totalsOf(t, sum, "president")
		v := votesOf(ct)
		for id, want := range map[string]int64{"dole-kemp": 583245, "clinton-gore": 387659, "perot-campbell": 92639} {
			if v[id] != want {
				t.Errorf("%s = %d, want %d", id, v[id], want)
			}
		}
		// 105 county totals and the grand total are total rows; precinct,
		// advance and provisional rows are the units.
		if ct.Level != "precinct" || ct.Levels[LevelTotal] != 106 || ct.Units != 3910-106 {
			t.Errorf("level %q, %d units, levels %v", ct.Level, ct.Units, ct.Levels)
		}
		if n := sum.Count(report.Error); n != 0 {
			t.Errorf("%d errors: every county total and the grand total add up in the published file:\n%s", n, findingList(firstN(sum.Findings, 5)))
		}
		if n := len(withCode(sum.Findings, report.UnitNoFigures)); n < 464 {
			t.Errorf("%d units without figures reported, want the 464 blank precinct rows at least", n)
		}
	})
	t.Run("north-dakota-2016", func(t *testing.T) {
		sum := runSpec(t, "../testdata/real/north-dakota-2016.yaml", false)
		ct := totalsOf(t, sum, "president")
		v := votesOf(ct)
		if ct.Level != "county" || ct.Units != 53 || ct.Levels["district"] != 47 || v["trump"] != 216794 || v["clinton"] != 93758 {
			t.Errorf("level %q with %d units (levels %v); votes %v", ct.Level, ct.Units, ct.Levels, v)
		}
		// The sheet's TOTAL row adds the legislative districts to the
		// counties: it is reported, for every candidate, with both figures.
		got := withCode(sum.Findings, report.TotalMismatch)
		if len(got) != 8 {
			t.Fatalf("%d total-mismatch findings, want 8 (7 candidates and the TOTALS column):\n%s", len(got), findingList(got))
		}
		for _, f := range got {
			if f.Pos.Sheet != "County Results" || f.Pos.Row != 107 || !strings.Contains(f.Message, "the sum of the 47 district units: the total counts them too") {
				t.Errorf("finding not located to the TOTAL row and the districts: %s", f)
			}
			if f.OptionID == "trump" && (f.Expected != "397094" || f.Actual != "216794" || !strings.Contains(f.Message, "difference -180300")) {
				t.Errorf("TRUMP: %s", f)
			}
		}
	})
}

func firstN(fs []report.Finding, n int) []report.Finding {
	return fs[:min(n, len(fs))]
}

// runReal runs a spec of testdata/real.
func runReal(t *testing.T, name string) *Summary {
	t.Helper()
	return runSpec(t, filepath.Join("../testdata/real", name), false)
}
