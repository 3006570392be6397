package report

import "testing"

// A finding in a workbook names its cell as the spreadsheet does, after
// the file:sheet:row:column prefix every stderr line starts with.
func TestFindingNamesA1Cell(t *testing.T) {
	f := Finding{Severity: Error, Code: BadNumber, Message: "x", Pos: Position{File: "r.xlsx", Sheet: "Итоги", Row: 12, Column: 28}}
	if got, want := f.String(), "r.xlsx:Итоги:12:28: error bad-number: x [Итоги!AB12]"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	f.Pos = Position{File: "r.csv", Row: 12, Column: 3}
	if got, want := f.String(), "r.csv::12:3: error bad-number: x"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
