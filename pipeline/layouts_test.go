package pipeline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

func runText(t *testing.T, spec string, files map[string]string) *Summary {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(p, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return runSpec(t, p, false)
}

// A long table of candidate contests (county, precinct, office, district,
// party, candidate, votes): each office and district is a contest, each
// candidate an option of kind candidate with the party its row names.
func TestCandidateContestsLong(t *testing.T) {
	sum := runText(t, `
election: {id: us-x-2024}
sources:
  - path: oe.csv
`, map[string]string{"oe.csv": `county,precinct,office,district,party,candidate,votes
Adams,P1,President,,DEM,Ann Lee,100
Adams,P1,President,,REP,Bo Park,80
Adams,P1,State House,12,DEM,Cy Dunn,50
Adams,P1,State House,12,REP,Di Ray,60
Adams,P2,President,,DEM,Ann Lee,70
Adams,P2,President,,REP,Bo Park,90
Adams,P2,State House,12,DEM,Cy Dunn,40
Adams,P2,State House,12,REP,Di Ray,30
`})
	if n := sum.Count(1); n != 0 {
		t.Errorf("findings: %v", findingsOf(sum))
	}
	want := map[string]map[string]int64{
		"president":      {"ann-lee": 170, "bo-park": 170},
		"state-house-12": {"cy-dunn": 90, "di-ray": 90},
	}
	if len(sum.Totals) != len(want) {
		t.Fatalf("contests %+v", sum.Totals)
	}
	for _, ct := range sum.Totals {
		w, ok := want[ct.Contest]
		if !ok || ct.Units != 2 {
			t.Errorf("contest %s: %d units", ct.Contest, ct.Units)
			continue
		}
		got := votesOf(ct)
		for id, v := range w {
			if got[id] != v {
				t.Errorf("%s: %s = %d, want %d", ct.Contest, id, got[id], v)
			}
		}
	}
}

// A sheet whose rows are grouped under one-cell section labels, closed by
// subtotal rows, under a national row: units take the section as parent,
// subtotals and the national row are kept apart from the sum.
func TestSectionsAndSubtotals(t *testing.T) {
	sum := runText(t, `
election: {id: pl-x}
sources:
  - path: annex.csv
    unit_level: district
`, map[string]string{"annex.csv": `Annex 2
Nr;Seat;Valid;Cand A;;Cand B;
;;;liczba;%;liczba;%
1;2;3;4;5;6;7
POLSKA OGÓŁEM;;300;180;60;120;40
WOJEWÓDZTWO PIERWSZE
OKW nr 1;Town;100;60;60;40;40
Województwo razem;;100;60;60;40;40
WOJEWÓDZTWO DRUGIE
OKW nr 2;City;120;72;60;48;40
OKW nr 3;Village;80;48;60;32;40
Województwo razem;;200;120;60;80;40
`})
	if n := sum.Count(1); n != 0 {
		t.Errorf("findings: %v", findingsOf(sum))
	}
	ct := sum.Totals[0]
	if ct.Level != "district" || ct.Units != 3 || ct.Levels[LevelSubtotal] != 2 || ct.Levels[LevelTotal] != 1 {
		t.Errorf("level %q units %d levels %v", ct.Level, ct.Units, ct.Levels)
	}
	if v := votesOf(ct); v["cand-a"] != 180 || v["cand-b"] != 120 || ct.Figures["valid"] != 300 {
		t.Errorf("votes %v figures %v", v, ct.Figures)
	}
}

// contest_from: sheet makes each sheet of a workbook its own contest.
func TestContestPerSheet(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	for i, sh := range []string{"Mayor", "Council"} {
		if i == 0 {
			f.SetSheetName("Sheet1", sh)
		} else if _, err := f.NewSheet(sh); err != nil {
			t.Fatal(err)
		}
		rows := [][]any{{"Precinct", "Cand " + sh + " A", "Cand " + sh + " B"}, {"P1", 10 * (i + 1), 5}, {"P2", 20, 7 * (i + 1)}}
		for r, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(sh, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SaveAs(filepath.Join(dir, "city.xlsx")); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(dir, "spec.yaml")
	os.WriteFile(spec, []byte("election: {id: city}\nsources:\n  - {path: city.xlsx, sheet: \"*\", contest_from: sheet}\n"), 0o644)
	sum := runSpec(t, spec, false)
	want := map[string]map[string]int64{"mayor": {"cand-mayor-a": 30, "cand-mayor-b": 12}, "council": {"cand-council-a": 40, "cand-council-b": 19}}
	if len(sum.Totals) != 2 {
		t.Fatalf("contests %+v", sum.Totals)
	}
	for _, ct := range sum.Totals {
		got := votesOf(ct)
		for id, v := range want[ct.Contest] {
			if got[id] != v {
				t.Errorf("%s: %s = %d, want %d (%v)", ct.Contest, id, got[id], v, got)
			}
		}
	}
}
