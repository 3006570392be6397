package pipeline

import (
	"strings"
	"testing"

	"tally/report"
)

func withCode(fs []report.Finding, c report.Code) []report.Finding {
	var out []report.Finding
	for _, f := range fs {
		if f.Code == c {
			out = append(out, f)
		}
	}
	return out
}

// want is one finding a test expects: its code, unit, option, figures and
// row, and words its message must contain.
type want struct {
	code             report.Code
	unit, option     string
	expected, actual string
	row, col         int
	says             []string
}

// expectFindings checks that every wanted finding is there and that no
// other finding at warning or above is.
func expectFindings(t *testing.T, fs []report.Finding, wants []want) {
	t.Helper()
	used := make([]bool, len(fs))
	for _, w := range wants {
		found := false
		for i, f := range fs {
			if used[i] || f.Code != w.code || f.UnitID != w.unit || f.OptionID != w.option ||
				w.expected != "" && f.Expected != w.expected || w.actual != "" && f.Actual != w.actual ||
				w.row != 0 && f.Pos.Row != w.row || w.col != 0 && f.Pos.Column != w.col {
				continue
			}
			ok := true
			for _, s := range w.says {
				if !strings.Contains(f.Message, s) {
					ok = false
				}
			}
			if ok {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("no finding %+v among:\n%s", w, findingList(fs))
		}
	}
	for i, f := range fs {
		if !used[i] && f.Severity >= report.Warning {
			t.Errorf("unexpected finding: %s", f)
		}
	}
}

func findingList(fs []report.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + " [unit " + f.UnitID + ", option " + f.OptionID + ", expected " + f.Expected + ", actual " + f.Actual + "]\n")
	}
	return b.String()
}

const hierSpec = `
election: {id: h}
sources:
  - path: h.csv
    unit_level: district
`

// A region row totals the districts under it (they name it in their key):
// a mistyped cell shows in the region's sum and is traced to the district
// whose own options no longer reach its valid ballots.
func TestHierarchyMistypedCell(t *testing.T) {
	sum := runText(t, hierSpec, map[string]string{"h.csv": `Region;District;Valid;A;B
North;;300;180;120
North;D1;100;60;40
North;D2;200;112;80
`})
	expectFindings(t, findingsOf(sum), []want{
		{code: report.VotesSumMismatch, unit: "north/d2", expected: "200", actual: "192", row: 4, col: 3},
		{code: report.HierarchyMismatch, unit: "north", option: "a", expected: "180", actual: "172", row: 2, col: 4,
			says: []string{"difference -8", `unit "north/d2"'s options also miss its valid ballots by -8`, "h.csv::4:4"}},
	})
}

// A subtotal row typed as a unit, and a unit typed twice, both count
// twice in their region; each is named as the unit holding the excess.
func TestHierarchyExcessIsLocated(t *testing.T) {
	sum := runText(t, hierSpec, map[string]string{"h.csv": `Region;District;Valid;A;B
North;;300;180;120
North;D1;100;60;40
North;D2;200;120;80
North;D1+D2;300;180;120
South;;150;90;60
South;S1;100;60;40
South;S2;50;30;20
South;S2;50;30;20
`})
	var ws []want
	for _, c := range []struct{ opt, exp, act string }{{"", "300", "600"}, {"a", "180", "360"}, {"b", "120", "240"}} {
		ws = append(ws, want{code: report.HierarchyMismatch, unit: "north", option: c.opt, expected: c.exp, actual: c.act,
			says: []string{`unit "north/d1-d2" (h.csv::5) holds exactly the difference`}})
	}
	for _, c := range []struct{ opt, exp, act string }{{"", "150", "200"}, {"a", "90", "120"}, {"b", "60", "80"}} {
		ws = append(ws, want{code: report.HierarchyMismatch, unit: "south", option: c.opt, expected: c.exp, actual: c.act,
			says: []string{`unit "south/s2" is counted twice (h.csv::8 and h.csv::9)`}})
	}
	ws = append(ws, want{code: report.DuplicateUnit, unit: "south/s2", row: 9, says: []string{"same figures", "h.csv::8"}})
	expectFindings(t, findingsOf(sum), ws)
}

// A total row that also counts another level of units (North Dakota's
// county sheet adds the legislative districts to the counties) is
// reported, and the other level named.
func TestTotalCountsAnotherLevel(t *testing.T) {
	sum := runText(t, `
election: {id: nd}
sources:
  - path: c.csv
    levels:
      - {level: district, column: County, match: "District *"}
      - {level: county}
`, map[string]string{"c.csv": `County,CLINTON,TRUMP
Adams,216,909
Barnes,1597,3160
District 01,216,909
District 02,1597,3160
Cass,300,400
TOTAL,3926,8538
`})
	ct := totalsOf(t, sum, "national")
	if ct.Level != "county" || ct.Units != 3 || ct.Levels["district"] != 2 {
		t.Fatalf("levels %v, summed %s with %d units", ct.Levels, ct.Level, ct.Units)
	}
	expectFindings(t, findingsOf(sum), []want{
		{code: report.TotalMismatch, unit: "total", option: "clinton", expected: "3926", actual: "2113", row: 7, col: 2,
			says: []string{"difference -1813", "the 3 county units of its table", "the sum of the 2 district units: the total counts them too"}},
		{code: report.TotalMismatch, unit: "total", option: "trump", expected: "8538", actual: "4469", row: 7, col: 3},
	})
}

// A county total row that names its county ("Allen County Total") totals
// the rows the county column, filled down, gives that county; the grand
// total totals every precinct. Units with no figure at all are reported,
// and may hold a shortfall.
func TestNamedTotalsAndFillDown(t *testing.T) {
	sum := runText(t, `
election: {id: ks}
sources:
  - path: k.csv
    columns: {ignore: [Dist]}
    fill_down: [$B]
`, map[string]string{"k.csv": `Dist,,,Dole,Clinton
2,Allen County,CARLYLE,65,49
2,Allen County,GENEVA,38,23
2,Allen County,ENCLAVE,,
2,,Advance,10,5
2,Allen County Total,,113,80
1,Barber County,ALPHA,20,10
1,,Advance,4,2
1,Barber County Total,,24,12
,Grand Total,,137,92
`})
	ct := totalsOf(t, sum, "national")
	if v := votesOf(ct); v["dole"] != 137 || v["clinton"] != 89 || ct.Units != 6 {
		t.Fatalf("units %d votes %v levels %v", ct.Units, v, ct.Levels)
	}
	expectFindings(t, findingsOf(sum), []want{
		{code: report.UnitNoFigures, unit: "allen-county/enclave", row: 4},
		{code: report.TotalMismatch, unit: "allen-county-total", option: "clinton", expected: "80", actual: "77",
			says: []string{"difference -3", `may hold the missing 3: "allen-county/enclave" (k.csv::4)`}},
		{code: report.TotalMismatch, unit: "grand-total", option: "clinton", expected: "92", actual: "89", row: 10, col: 5,
			says: []string{"the 6 precinct units of its table"}},
	})
}

// Units that appear twice: with other figures, under another parent, and
// a long table whose unit comes back with other options (a split, not a
// copy).
func TestDuplicateKinds(t *testing.T) {
	sum := runText(t, hierSpec, map[string]string{"h.csv": `Region;District;Valid;A;B
North;D1;100;60;40
North;D1;100;61;39
`})
	expectFindings(t, findingsOf(sum), []want{
		{code: report.ConflictingUnit, unit: "north/d1", option: "a", expected: "60", actual: "61", row: 3, col: 4},
	})
	sum = runText(t, `
election: {id: p}
sources:
  - path: p.csv
    columns: {unit_id: Unit, parent: Parent unit id}
`, map[string]string{"p.csv": `Unit;Parent unit id;A;B
u1;North;1;2
u1;South;1;2
`})
	expectFindings(t, findingsOf(sum), []want{
		{code: report.UnitTwoParents, unit: "u1", expected: "north", actual: "south", row: 3},
		{code: report.DuplicateUnit, unit: "u1", row: 3},
	})
	sum = runText(t, `
election: {id: l}
sources:
  - path: l.csv
    layout: long
    columns: {unit_id: Unit, option: Party, votes: Votes}
`, map[string]string{"l.csv": `Unit,Party,Votes
u1,A,10
u2,A,20
u1,B,5
u1,B,6
`})
	expectFindings(t, findingsOf(sum), []want{
		{code: report.DuplicateUnit, unit: "u1", row: 4, says: []string{"two runs"}},
		{code: report.ConflictingResult, unit: "u1", option: "b", expected: "5", actual: "6", row: 5},
	})
}

// The spec's own protocol lines and identities are checked like the
// built-in ones, each failure at the cell of its first figure.
func TestDeclaredIdentities(t *testing.T) {
	sum := runText(t, `
election: {id: ru}
sources:
  - path: p.csv
    columns: {unit_id: UIK}
checks:
  figures:
    received: Бюллетеней получено
    unused: Погашено
  identities:
    - received = ballots_issued + unused
    - unused <= received
`, map[string]string{"p.csv": `UIK,Число избирателей,Бюллетеней получено,Выдано бюллетеней,Погашено,Число действительных бюллетеней,Партия А,Партия Б
1,1000,900,600,300,600,400,200
2,1000,900,600,290,600,400,200
`})
	expectFindings(t, findingsOf(sum), []want{
		{code: report.IdentityMismatch, unit: "2", expected: "890", actual: "900", row: 3, col: 3,
			says: []string{`"received = ballots_issued + unused"`, "received is 900, ballots_issued + unused is 890 (difference +10)"}},
	})
	units := 0
	for _, s := range sum.Sources {
		units += s.Used
	}
	if units != 2 {
		t.Errorf("%d rows used, want 2", units)
	}
	for _, ct := range sum.Totals {
		for _, o := range ct.Options {
			if strings.Contains(o.Name, "Погашено") || strings.Contains(o.Name, "получено") {
				t.Errorf("a declared protocol line was read as an option: %v", ct.Options)
			}
		}
	}
}

func TestIdentitySpecErrors(t *testing.T) {
	for _, tc := range []struct{ ids, want string }{
		{"received = issued", `unknown figure "received"`},
		{"valid + = cast", "ends with a sign"},
		{"valid cast", "has no relation"},
		{"valid = cast = invalid", "more than one relation"},
		{"valid invalid = cast", "must be joined"},
	} {
		_, err := ParseSpec("s.yaml", []byte("election: {id: x}\nsources: [{path: a.csv}]\nchecks:\n  identities: [\""+tc.ids+"\"]\n"))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "s.yaml::4:") {
			t.Errorf("identity %q: error %v, want one saying %q at line 4", tc.ids, err, tc.want)
		}
	}
	_, err := ParseSpec("s.yaml", []byte("election: {id: x}\nsources: [{path: a.csv}]\nchecks:\n  figures: {valid: Valid, 'Bad Name': X}\n"))
	if err == nil || !strings.Contains(err.Error(), "standard figure") || !strings.Contains(err.Error(), "lower case") {
		t.Errorf("figures: error %v", err)
	}
}

func TestParseIdentity(t *testing.T) {
	id, err := parseIdentity("a - b + -c >= valid", []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	if id.rel != relGE || len(id.left) != 3 || !id.left[1].neg || !id.left[2].neg || id.left[0].neg || id.right[0].fig != int(FigValid) {
		t.Errorf("parsed %+v", id)
	}
	if got := sideText(id.left); got != "a - b - c" {
		t.Errorf("sideText = %q", got)
	}
	if id.at != int(numFigures) {
		t.Errorf("at = %d, want the first extra figure", id.at)
	}
}

func TestColumnLetter(t *testing.T) {
	for in, want := range map[string]int{"$A": 0, "$c": 2, "$Z": 25, "$AA": 26, "$AB": 27} {
		if got, ok := columnLetter(in); !ok || got != want {
			t.Errorf("columnLetter(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"A", "$", "$1", "$A1", "Total"} {
		if _, ok := columnLetter(in); ok {
			t.Errorf("columnLetter(%q) accepted", in)
		}
	}
}

func TestWithoutTotalWords(t *testing.T) {
	for in, want := range map[string]string{"Allen County Total": "allen county", "Grand Total": "", "TOTAL": "", "Итого по области": "по области", "Totalville": "totalville"} {
		if got := withoutTotalWords(in); got != want {
			t.Errorf("withoutTotalWords(%q) = %q, want %q", in, got, want)
		}
	}
}

// A parent column of names (a county) groups units whose codes repeat from
// one county to the next: ids are made unique within the county, and a
// row labelled only in that column ("Allen County Total") totals it.
func TestParentNamesGroupUnits(t *testing.T) {
	sum := runText(t, `
election: {id: ks}
sources:
  - path: k.csv
    columns: {parent: $A, unit_id: $B, unit_name: $C}
    fill_down: [$A]
`, map[string]string{"k.csv": `,,,Dole,Clinton
Allen County,10,CARLYLE,65,49
,,Advance,10,5
Allen County Total,,,75,54
Barber County,10,ALPHA,20,10
,,Advance,4,2
Barber County Total,,,24,13
`})
	expectFindings(t, findingsOf(sum), []want{
		{code: report.TotalMismatch, unit: "barber-county-total", option: "clinton", expected: "13", actual: "12", row: 7, col: 5,
			says: []string{"the 2 units under it"}},
	})
	ct := totalsOf(t, sum, "national")
	if ct.Units != 4 || ct.Levels[LevelTotal] != 2 {
		t.Errorf("units %d, levels %v", ct.Units, ct.Levels)
	}
}
