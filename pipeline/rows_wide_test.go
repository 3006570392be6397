package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"tally/report"
)

// An option column the spec does not list names the same option in every
// row of a wide table: one unknown-option finding, at its first cell, and
// every row's votes counted for it, in a second table as in the first.
func TestWideUnlistedOptionEveryRow(t *testing.T) {
	dir := t.TempDir()
	csv := "station,valid,Alpha,Zeta Union\n1,10,6,4\n2,20,5,15\n3,30,21,9\n"
	if err := os.WriteFile(filepath.Join(dir, "w.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "v.csv"), []byte("station,valid,Zeta Union,Alpha\n4,7,7,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := `election: {id: e}
contests: [{id: c, seats: 10, method: hare}]
parties: [{id: alpha, name: Alpha}]
sources:
  - {path: w.csv, layout: wide, columns: {unit_id: station, valid: valid}}
  - {path: v.csv, layout: wide, columns: {unit_id: station, valid: valid}}
`
	if err := os.WriteFile(filepath.Join(dir, "spec.yaml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := runSpec(t, filepath.Join(dir, "spec.yaml"), false)
	unknown := withCode(findingsOf(sum), report.UnknownOption)
	at := map[string]bool{}
	for _, f := range unknown {
		if f.OptionID != "zeta-union" {
			t.Errorf("unknown option %q, want zeta-union", f.OptionID)
		}
		at[fmt.Sprintf("%s:%d:%d", filepath.Base(f.Pos.File), f.Pos.Row, f.Pos.Column)] = true
	}
	if len(unknown) != 2 || !at["w.csv:2:4"] || !at["v.csv:2:3"] {
		t.Fatalf("unknown-option findings = %+v, want one per source, at the first cell of Zeta Union", unknown)
	}
	votes := map[string]int64{}
	for _, s := range sum.Seats {
		votes[s.PartyID] = s.Votes
	}
	if votes["alpha"] != 32 || votes["zeta-union"] != 35 || len(votes) != 2 {
		t.Errorf("votes = %v, want alpha 32 and zeta-union 35", votes)
	}
	if n := withCode(findingsOf(sum), report.DuplicateResult); len(n) != 0 {
		t.Errorf("duplicate options: %v", n)
	}
}

// row sets a reused unitBuf field by field: a field added to unitBuf must
// be set there too, and then counted here.
func TestUnitBufFieldsAllSetByRow(t *testing.T) {
	if n := reflect.TypeOf(unitBuf{}).NumField(); n != 12 {
		t.Errorf("unitBuf has %d fields; row's reuse of a flushed unit sets 12", n)
	}
}
