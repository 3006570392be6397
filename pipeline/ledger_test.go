package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tally/report"
)

// runWith writes files into a folder and runs its spec.yaml with opt.
func runWith(t *testing.T, files map[string]string, opt Options) *Summary {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	spec, err := LoadSpec(filepath.Join(dir, "spec.yaml"))
	if err != nil {
		t.Fatalf("LoadSpec: %v", err)
	}
	sum, err := Run(context.Background(), spec, opt)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return sum
}

const ledgerData = `Unit;Valid;A;B
u1;100;60;40
u2;100;61;40
u3;50;20;20
`

// A ledger entry accepts the one finding it describes: it stays in the
// findings, as info, saying why; the others stay errors. An entry that
// matches nothing, and one past its date, are reported.
func TestLedger(t *testing.T) {
	files := map[string]string{
		"spec.yaml": "election: {id: l}\nsources: [{path: d.csv, columns: {unit_id: Unit}}]\nchecks: {ledger: known.yaml}\n",
		"d.csv":     ledgerData,
		"known.yaml": `accepted:
  - code: votes-sum-mismatch
    unit: u2
    expected: 100
    actual: 101
    reason: the commission's protocol has this typo
    source: protocol scan, page 3
  - code: votes-sum-mismatch
    unit: u9
    reason: a unit no longer in the data
  - code: votes-sum-mismatch
    unit: u3
    reason: accepted until the recount
    expires: 2024-06-30
`,
	}
	sum := runWith(t, files, Options{Today: "2025-01-15"})
	expectFindings(t, findingsOf(sum), []want{
		{code: report.VotesSumMismatch, unit: "u3", expected: "50", actual: "40", row: 4},
		{code: report.LedgerUnused, unit: "u9", row: 8, says: []string{"matches no finding"}},
		{code: report.LedgerExpired, unit: "u3", expected: "2024-06-30", actual: "2025-01-15", row: 11},
	})
	accepted := withCode(findingsOf(sum), report.VotesSumMismatch)
	var u2 *report.Finding
	for i := range accepted {
		if accepted[i].UnitID == "u2" {
			u2 = &accepted[i]
		}
	}
	if u2 == nil || u2.Severity != report.Info || !strings.Contains(u2.Message, "known.yaml:2 (the commission's protocol has this typo)") {
		t.Errorf("u2's finding is not accepted: %+v", u2)
	}
	if n := sum.Count(report.Error); n != 1 {
		t.Errorf("%d errors, want 1 (u3 only)", n)
	}
	// Before the expiry date the u3 entry accepts too: no error is left.
	sum = runWith(t, files, Options{Today: "2024-06-30"})
	if n := sum.Count(report.Error); n != 0 {
		t.Errorf("%d errors before the expiry, want 0:\n%s", n, findingList(findingsOf(sum)))
	}
	// An entry whose figures no longer match accepts nothing.
	files["d.csv"] = strings.Replace(ledgerData, "u2;100;61;40", "u2;100;62;40", 1)
	sum = runWith(t, files, Options{Today: "2024-01-01"})
	if !hasCode(findingsOf(sum), report.LedgerUnused) || sum.Count(report.Error) != 1 {
		t.Errorf("a changed discrepancy must fail again and leave its entry unused:\n%s", findingList(findingsOf(sum)))
	}
}

// The ledger accepts the findings of the data, not those it makes
// itself: an entry for ledger-unused does not hide another unused entry.
func TestLedgerAcceptsNotItsOwn(t *testing.T) {
	files := map[string]string{
		"spec.yaml": "election: {id: l}\nsources: [{path: d.csv, columns: {unit_id: Unit}}]\nchecks: {ledger: known.yaml}\n",
		"d.csv":     ledgerData,
		"known.yaml": `accepted:
  - code: ledger-unused
    reason: hide the unused entries
  - code: votes-sum-mismatch
    unit: u9
    reason: a unit no longer in the data
`,
	}
	sum := runWith(t, files, Options{})
	unused := withCode(findingsOf(sum), report.LedgerUnused)
	if len(unused) != 2 || unused[0].Severity != report.Warning || unused[1].Severity != report.Warning {
		t.Errorf("want both entries reported unused, as warnings:\n%s", findingList(findingsOf(sum)))
	}
}

func TestLedgerErrors(t *testing.T) {
	dir := t.TempDir()
	spec := []byte("election: {id: l}\nsources: [{path: d.csv}]\nchecks: {ledger: known.yaml}\n")
	for _, tc := range []struct{ ledger, want string }{
		{"accepted:\n  - unit: u1\n    reason: r\n", "known.yaml::2: accepted[0] needs the code"},
		{"accepted:\n  - code: no-such-code\n    reason: r\n", `unknown finding code "no-such-code"`},
		{"accepted:\n  - code: votes-sum-mismatch\n", "needs a reason"},
		{"accepted:\n  - code: votes-sum-mismatch\n    reason: r\n    expires: soon\n", `expires "soon" must be a date`},
		{"accepted:\n  - code: votes-sum-mismatch\n    reason: r\n    colour: red\n", "unknown field"},
	} {
		if err := os.WriteFile(filepath.Join(dir, "known.yaml"), []byte(tc.ledger), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ParseSpec(filepath.Join(dir, "spec.yaml"), spec)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "spec.yaml::3:") {
			t.Errorf("ledger %q: error %v, want %q at the spec's line 3", tc.ledger, err, tc.want)
		}
	}
	if _, err := ParseSpec(filepath.Join(t.TempDir(), "spec.yaml"), spec); err == nil || !strings.Contains(err.Error(), "ledger file not found") {
		t.Errorf("missing ledger: %v", err)
	}
}

// A reference that lists the same units is compared unit by unit; units
// on one side only are named.
func TestReferenceUnits(t *testing.T) {
	sum := runText(t, `
election: {id: r}
sources:
  - path: amended.csv
    columns: {unit_id: Precinct}
  - path: original.csv
    columns: {unit_id: Precinct}
    reference: true
`, map[string]string{
		"amended.csv":  "Precinct,Ballots cast,Patrick,Baker\n4,545,329,116\n5,295,198,41\n6,444,256,103\n",
		"original.csv": "Precinct,Ballots cast,Patrick,Baker\n4,545,329,116\n5,294,197,41\n7,10,5,5\n",
	})
	expectFindings(t, findingsOf(sum), []want{
		{code: report.ReferenceMismatch, unit: "5", expected: "294", actual: "295", row: 3, col: 2, says: []string{"original.csv::3:2"}},
		{code: report.ReferenceMismatch, unit: "5", option: "patrick", expected: "197", actual: "198", row: 3, col: 3},
		{code: report.ReferenceUnitMissing, unit: "7", row: 4},
		{code: report.ReferenceUnitExtra, unit: "6", row: 4},
	})
	if sum.Tables["units"] != 3 || sum.Sources[1].Used != 3 || sum.Sources[1].Rejected != 0 {
		t.Errorf("units written %d; reference rows %+v", sum.Tables["units"], sum.Sources[1])
	}
}

// A reference that gives only national totals is compared with the sum of
// the stations; the shortfall is traced to the stations whose cells are
// all dashes.
func TestReferenceTotals(t *testing.T) {
	sum := runText(t, `
election: {id: pl}
sources:
  - path: stations.csv
    columns: {unit_id: Nr}
  - path: national.csv
    reference: true
`, map[string]string{
		"stations.csv": "Nr;Valid;Duda;Trzaskowski\n1;100;60;40\n2;50;20;30\n3;-;-;-\n",
		"national.csv": "Name;Valid;Duda;Trzaskowski\nPOLSKA OGÓŁEM;160;85;75\n",
	})
	expectFindings(t, findingsOf(sum), []want{
		{code: report.UnitNoFigures, unit: "3", row: 4},
		{code: report.ReferenceMismatch, unit: "polska-ogolem", expected: "160", actual: "150", row: 2, col: 2,
			says: []string{"the reference's total row \"POLSKA OGÓŁEM\"", "difference -10", `may hold the missing 10: "3" (stations.csv::4)`}},
		{code: report.ReferenceMismatch, unit: "polska-ogolem", option: "duda", expected: "85", actual: "80"},
		{code: report.ReferenceMismatch, unit: "polska-ogolem", option: "trzaskowski", expected: "75", actual: "70"},
	})
}
