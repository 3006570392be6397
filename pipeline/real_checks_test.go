package pipeline

import (
	"os"
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
			t.Errorf("%d errors: every county total and the grand total add up in the published file:\n%s", n, findingList(firstN(findingsOf(sum), 5)))
		}
		if n := len(withCode(findingsOf(sum), report.UnitNoFigures)); n < 464 {
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
		got := withCode(findingsOf(sum), report.TotalMismatch)
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

// Poland's polling-station file falls short of the national totals of the
// commission's annex 2, and the shortfall is traced to the four military
// stations abroad whose cells are all '-'.
func TestRealPolandStationsShortOfNationalTotals(t *testing.T) {
	needReal(t)
	sum := runReal(t, "poland-2020-stations.yaml")
	empty := withCode(findingsOf(sum), report.UnitNoFigures)
	if len(empty) != 4 {
		t.Fatalf("%d units without figures, want the 4 military stations:\n%s", len(empty), findingList(empty))
	}
	var rows []string
	for _, f := range empty {
		rows = append(rows, strings.TrimPrefix(f.Pos.String(), f.Pos.File))
	}
	got := withCode(findingsOf(sum), report.ReferenceMismatch)
	if len(got) == 0 {
		t.Fatal("no reference-mismatch: the stations must be reported short of the national totals")
	}
	for _, f := range got {
		if f.Pos.Sheet != "str1" || f.Pos.Row != 7 || f.UnitID != "str1-polska-ogolem" {
			t.Errorf("not located to the annex's national row: %s", f)
		}
		if !strings.HasPrefix(f.Message, "valid of") && !strings.HasPrefix(f.Message, "votes for") || !strings.Contains(f.Message, "(difference -") {
			t.Errorf("not a shortfall: %s", f)
		}
		for _, r := range rows {
			if !strings.Contains(f.Message, r+")") {
				t.Errorf("shortfall not traced to the station at %s: %s", r, f)
			}
		}
		if f.OptionID == "" && (f.Expected != "19425459" || f.Actual != "19425034") {
			t.Errorf("valid votes: expected %s, actual %s; want 19425459 and 19425034", f.Expected, f.Actual)
		}
	}
	for _, s := range sum.Sources {
		if s.Data != s.Used+s.Rejected || s.Rejected != 0 {
			t.Errorf("%s: rows not accounted for: %+v", s.Name, s)
		}
	}
}

// Town and county sheets with the precincts across, read with layout:
// transposed.
func TestRealTransposedSheets(t *testing.T) {
	needReal(t)
	t.Run("fitchburg-2010", func(t *testing.T) {
		sum := runReal(t, "fitchburg-2010.yaml")
		if len(sum.Totals) != 14 {
			t.Errorf("%d contests, want 14 (10 offices, 3 questions and the governor)", len(sum.Totals))
		}
		ct := totalsOf(t, sum, "governor-lt-governor")
		v := votesOf(ct)
		if v["patrick-murray"] != 4378 || v["baker-tisei"] != 4532 || ct.Units != 12 || ct.Figures["ballots_cast"] != 10107 {
			t.Errorf("governor: %d units, votes %v, figures %v", ct.Units, v, ct.Figures)
		}
		if n := sum.Count(report.Warning); n != 0 {
			t.Errorf("findings in a sheet that adds up:\n%s", findingList(findingsOf(sum)))
		}
	})
	t.Run("ward-county-2008", func(t *testing.T) {
		sum := runReal(t, "ward-county-2008.yaml")
		// The TOTALS column is county-wide; the page holds 32 of the
		// precincts. Every candidate whose TOTALS differ from the page's
		// precincts is reported with both figures.
		got := withCode(findingsOf(sum), report.TotalMismatch)
		if len(got) != 46 {
			t.Errorf("%d total-mismatch findings, want 46", len(got))
		}
		obama := false
		for _, f := range got {
			if f.UnitID != "totals" || f.Pos.Column != 3 || f.Expected == "" || f.Actual == "" || f.Expected == f.Actual {
				t.Errorf("not located to the TOTALS column with both figures: %s", f)
			}
			if f.OptionID == "obama" {
				obama = f.Expected == "18477" && f.Actual == "10144" && f.Pos.Row == 4
			}
		}
		if !obama {
			t.Errorf("OBAMA's TOTALS 18477 against 10144 on the page's precincts not reported at C4")
		}
		if n := len(findingsOf(sum)) - len(got); n != 0 {
			t.Errorf("%d other findings; the subtotal columns add up:\n%s", n, findingList(findingsOf(sum)))
		}
		ct := totalsOf(t, sum, "president-vice-president-of-the-united-ward-county")
		if ct.Units != 32 || ct.Levels[LevelSubtotal] != 5 {
			t.Errorf("president: %d precincts, levels %v", ct.Units, ct.Levels)
		}
	})
	t.Run("montague-2010", func(t *testing.T) {
		sum := runReal(t, "montague-2010.yaml")
		if len(sum.Totals) != 17 {
			t.Errorf("%d contests, want 17", len(sum.Totals))
		}
		// The amended sheet and the original differ in precinct 5 (and so
		// in the TOTAL column): ballots 295 against 294, Patrick and
		// Murray 198 against 197.
		got := withCode(findingsOf(sum), report.ReferenceMismatch)
		seen := map[string]bool{}
		for _, f := range got {
			if f.UnitID != "5" && f.UnitID != "total" {
				t.Errorf("a difference outside precinct 5 and the totals: %s", f)
			}
			if f.Pos.Sheet != "AMENDED ELECTION RESULTS" || !strings.Contains(f.Message, "Election Results - Original:") {
				t.Errorf("not located in both sheets: %s", f)
			}
			seen[f.UnitID+"/"+f.OptionID+"/"+f.Expected+"/"+f.Actual] = true
		}
		for _, k := range []string{"5/patrick-and-murray/197/198", "total/patrick-and-murray/1863/1864", "5//294/295"} {
			if !seen[k] {
				t.Errorf("difference %s not reported; got %v", k, seen)
			}
		}
		if n := sum.Count(report.Warning) - len(got); n != 0 {
			t.Errorf("%d other findings:\n%s", n, findingList(findingsOf(sum)))
		}
		for _, s := range sum.Sources {
			if s.Data != s.Used+s.Rejected {
				t.Errorf("%s: rows not accounted for: %+v", s.Name, s)
			}
		}
	})
}

// With a ledger that accepts North Dakota's TOTAL row, the run has no
// error left; with the entry removed, the same findings are errors again.
func TestRealLedgerAcceptsKnownDiscrepancy(t *testing.T) {
	needReal(t)
	sum := runReal(t, "north-dakota-2016-ledger.yaml")
	accepted := withCode(findingsOf(sum), report.TotalMismatch)
	if len(accepted) != 8 || sum.Count(report.Warning) != 0 {
		t.Fatalf("%d total-mismatch findings; %d at warning or above:\n%s", len(accepted), sum.Count(report.Warning), findingList(findingsOf(sum)))
	}
	for _, f := range accepted {
		if f.Severity != report.Info || !strings.HasPrefix(f.Message, "accepted by north-dakota-2016.known.yaml:4 (the TOTAL row") {
			t.Errorf("not accepted: %s", f)
		}
	}
	dir := t.TempDir()
	spec, err := os.ReadFile("../testdata/real/north-dakota-2016-ledger.yaml")
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(realDir)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(spec), "../../../shared/data/real", abs, 1)
	for name, body := range map[string]string{"spec.yaml": text, "north-dakota-2016.known.yaml": "accepted: []\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum = runSpec(t, filepath.Join(dir, "spec.yaml"), false)
	if n := sum.Count(report.Error); n != 8 {
		t.Errorf("%d errors without the ledger entry, want the 8 total-mismatch findings", n)
	}
}
