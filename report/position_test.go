package report

import (
	"errors"
	"testing"
)

func TestPositionString(t *testing.T) {
	tests := []struct {
		name string
		pos  Position
		want string
	}{
		{"file only", Position{File: "a.csv"}, "a.csv"},
		{"csv row", Position{File: "a.csv", Row: 12}, "a.csv::12"},
		{"csv cell", Position{File: "a.csv", Row: 12, Column: 3}, "a.csv::12:3"},
		{"sheet only", Position{File: "b.xlsx", Sheet: "Итоги"}, "b.xlsx:Итоги"},
		{"excel cell", Position{File: "b.xlsx", Sheet: "S", Row: 4, Column: 28}, "b.xlsx:S:4:28"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.pos.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestColumnName(t *testing.T) {
	for col, want := range map[int]string{0: "", 1: "A", 26: "Z", 27: "AA", 52: "AZ", 53: "BA", 702: "ZZ", 703: "AAA", 16384: "XFD"} {
		if got := ColumnName(col); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", col, got, want)
		}
	}
	if got := (Position{Row: 7, Column: 3}).A1(); got != "C7" {
		t.Errorf("A1() = %q, want C7", got)
	}
}

func TestPositionErrorUnwrap(t *testing.T) {
	sentinel := errors.New("not a number")
	err := At(Position{File: "f.csv", Row: 2, Column: 5}, sentinel)
	if !errors.Is(err, sentinel) {
		t.Fatalf("errors.Is lost the cause")
	}
	if got, want := err.Error(), "f.csv::2:5: not a number"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	pe, ok := errors.AsType[*PositionError](err)
	if !ok || pe.Pos.Column != 5 {
		t.Errorf("AsType did not find the position: %v", pe)
	}
	if At(Position{}, nil) != nil {
		t.Errorf("At(nil) must be nil")
	}
}

func TestRecorderOrderAndCounts(t *testing.T) {
	var r Recorder
	r.Add(Finding{Severity: Warning, Code: ShareMismatch, Pos: Position{File: "b", Row: 1}})
	r.Add(Finding{Severity: Error, Code: SeatsMismatch})
	r.Add(Finding{Severity: Error, Code: VotesSumMismatch, Pos: Position{File: "a", Row: 9}})
	r.Add(Finding{Severity: Info, Code: SeatsTie, Pos: Position{File: "a", Row: 2}})
	got := r.Findings()
	order := []Code{SeatsTie, VotesSumMismatch, ShareMismatch, SeatsMismatch}
	for i, c := range order {
		if got[i].Code != c {
			t.Fatalf("finding %d = %s, want %s (all: %v)", i, got[i].Code, c, got)
		}
	}
	if n := r.Count(Warning); n != 3 {
		t.Errorf("Count(Warning) = %d, want 3", n)
	}
	if n := r.Count(Error); n != 2 {
		t.Errorf("Count(Error) = %d, want 2", n)
	}
	raw := []string{"x", "y"}
	r.Reject(Position{File: "a", Row: 3}, raw, "bad")
	raw[0] = "changed"
	if rj := r.Rejects(); len(rj) != 1 || rj[0].Raw[0] != "x" {
		t.Errorf("Reject must copy the raw cells: %v", rj)
	}
}

func TestErrorClasses(t *testing.T) {
	base := errors.New("no such sheet")
	err := At(Position{File: "x.xlsx", Sheet: "S"}, InputError(base))
	if !errors.Is(err, ErrInput) || errors.Is(err, ErrUsage) {
		t.Fatalf("class lost: Is(ErrInput)=%v Is(ErrUsage)=%v", errors.Is(err, ErrInput), errors.Is(err, ErrUsage))
	}
	if !errors.Is(err, base) {
		t.Fatalf("cause lost")
	}
	if got, want := err.Error(), "x.xlsx:S: no such sheet"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if UsageError(nil) != nil || InputError(nil) != nil {
		t.Errorf("nil must stay nil")
	}
}
