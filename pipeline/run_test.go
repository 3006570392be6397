package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"tally/report"
)

const kzDir = "../testdata/kz-2021"

func runSpec(t *testing.T, path string, write bool) *Summary {
	t.Helper()
	spec, err := LoadSpec(path)
	if err != nil {
		t.Fatalf("LoadSpec(%s): %v", path, err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opt := Options{Write: write, Mem: mem, Version: "test"}
	if write {
		opt.OutDir = t.TempDir()
	}
	sum, err := Run(context.Background(), spec, opt)
	if err != nil {
		t.Fatalf("Run(%s): %v", path, err)
	}
	return sum
}

// The Majilis 2021 protocol in both shapes gives the declared seats, with
// the thresholds applied, and no error.
func TestKazakhstan2021BothShapes(t *testing.T) {
	want := []struct {
		id       string
		votes    int64
		eligible bool
		seats    int
	}{
		{"nur-otan", 5148074, true, 76},
		{"ak-zhol", 792828, true, 12},
		{"peoples-party", 659019, true, 10},
		{"auyl", 383023, false, 0},
		{"adal", 258618, false, 0},
	}
	var shapes [][]SeatRow
	for _, spec := range []string{"pipeline.yaml", "pipeline-wide.yaml"} {
		t.Run(spec, func(t *testing.T) {
			sum := runSpec(t, filepath.Join(kzDir, spec), false)
			if n := sum.Count(report.Warning); n != 0 {
				t.Errorf("%d findings at warning or above: %v", n, findingsOf(sum))
			}
			if len(sum.Seats) != len(want) {
				t.Fatalf("seat rows = %d, want %d: %+v", len(sum.Seats), len(want), sum.Seats)
			}
			for i, w := range want {
				s := sum.Seats[i]
				if s.PartyID != w.id || s.Votes != w.votes || s.Eligible != w.eligible || s.Seats != w.seats {
					t.Errorf("seat row %d = %+v, want %+v", i, s, w)
				}
				if d, ok := s.DeclaredSeats(); !ok || d != int64(w.seats) {
					t.Errorf("%s declared seats = %d, %v; want %d", w.id, d, ok, w.seats)
				}
			}
			if sum.Tables["results"] != 5 || sum.Tables["units"] != 1 {
				t.Errorf("tables = %v, want 5 results and 1 unit", sum.Tables)
			}
			shapes = append(shapes, sum.Seats)
		})
	}
	if len(shapes) == 2 {
		if d := cmp.Diff(shapes[0], shapes[1], cmp.AllowUnexported(SeatRow{}, opt{})); d != "" {
			t.Errorf("long and wide shapes disagree (-long +wide):\n%s", d)
		}
	}
}

// copyKZ copies the demo into a temporary folder, changing the CSV.
func copyKZ(t *testing.T, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"pipeline.yaml", "protocol-long.csv"} {
		b, err := os.ReadFile(filepath.Join(kzDir, f))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if f == "protocol-long.csv" {
			s = edit(s)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "pipeline.yaml")
}

func TestVotesSumMismatchIsLocated(t *testing.T) {
	spec := copyKZ(t, func(s string) string { return strings.Replace(s, ",Ak Zhol,792828,", ",Ak Zhol,794828,", 1) })
	sum := runSpec(t, spec, true)
	var got *report.Finding
	for i, f := range findingsOf(sum) {
		if f.Code == report.VotesSumMismatch {
			got = &findingsOf(sum)[i]
		}
	}
	if got == nil {
		t.Fatalf("no %s finding in %v", report.VotesSumMismatch, findingsOf(sum))
	}
	// The valid figure of the unit's first row: row 2, column 6 (F).
	want := report.Position{File: "protocol-long.csv", Row: 2, Column: 6, Header: "valid"}
	if got.Pos != want || got.Severity != report.Error || got.Expected != "7241562" || got.Actual != "7243562" {
		t.Errorf("finding = %+v, want error at %v expected 7241562 actual 7243562", *got, want)
	}
	// The changed votes also no longer match the declared 10.95%.
	if !hasCode(findingsOf(sum), report.ShareMismatch) {
		t.Errorf("no share-mismatch finding for the changed votes: %v", findingsOf(sum))
	}
}

func hasCode(fs []report.Finding, c report.Code) bool {
	for _, f := range fs {
		if f.Code == c {
			return true
		}
	}
	return false
}

func TestBadNumberIsRejectedWithPosition(t *testing.T) {
	spec := copyKZ(t, func(s string) string { return strings.Replace(s, ",Auyl,383023,", ",Auyl,38x023,", 1) })
	sum := runSpec(t, spec, false)
	if len(rejectsOf(sum)) != 1 {
		t.Fatalf("rejects = %v, want 1", rejectsOf(sum))
	}
	rj := rejectsOf(sum)[0]
	if rj.Pos.Row != 5 || rj.Pos.Column != 8 || !strings.Contains(rj.Reason, "38x023") || rj.Raw[6] != "Auyl" {
		t.Errorf("reject = %+v, want row 5 column 8 naming 38x023 with raw cells", rj)
	}
	st := sum.Sources[0]
	if st.Data != 5 || st.Used != 4 || st.Rejected != 1 || st.Rows != st.Data+st.Header+st.Preamble+st.Blank {
		t.Errorf("accounting = %+v, want 5 data rows = 4 used + 1 rejected", st)
	}
}

func TestShareMatches(t *testing.T) {
	tests := []struct {
		declared string
		votes    int64
		base     int64
		want     bool
	}{
		{"71.09", 5148074, 7241562, true},
		{"71.2", 5148074, 7241562, false},
		{"71.1", 5148074, 7241562, true},
		{"71", 5148074, 7241562, true},
		{"71.0907", 5148074, 7241562, true},
		{"71.0906", 5148074, 7241562, false},
		{"50", 1, 2, true},
		{"50.0", 1, 2, true},
		{"49.95", 999, 2000, true}, // 49.95 exactly
		{"49.9", 999, 2000, false}, // 49.95 is outside [49.85, 49.95)
		{"50.0", 999, 2000, true},  // 49.95 rounds half up into [49.95, 50.05)
		{"33.33", 1, 3, true},      // 33.333...
		{"33.34", 1, 3, false},
	}
	for _, tc := range tests {
		d, err := ParseNumber(tc.declared, HintShare)
		if err != nil {
			t.Fatal(err)
		}
		if got, lo, hi := shareMatches(d, tc.votes, tc.base, 0); got != tc.want {
			t.Errorf("shareMatches(%s, %d/%d) = %v [%s, %s), want %v", tc.declared, tc.votes, tc.base, got, lo, hi, tc.want)
		}
	}
}

func TestSpecErrors(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(kzDir, "pipeline.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		edit  func(string) string
		class error
		want  []string // substrings of the message
	}{
		{"typo in a key", func(s string) string { return strings.Replace(s, "min_qualified:", "min_qualifed:", 1) },
			report.ErrUsage, []string{"pipeline.yaml::", "unknown field \"min_qualifed\""}},
		{"unknown method", func(s string) string { return strings.Replace(s, "method: hare", "method: hair", 1) },
			report.ErrUsage, []string{"unknown method \"hair\"", "dhondt"}},
		{"bad threshold", func(s string) string { return strings.Replace(s, "percent: 7,", "percent: seven,", 1) },
			report.ErrUsage, []string{"threshold"}},
		{"bad layout", func(s string) string { return strings.Replace(s, "layout: long", "layout: tall", 1) },
			report.ErrUsage, []string{"layout \"tall\"", "wide"}},
		{"no election id", func(s string) string { return strings.Replace(s, "id: kz-majilis-2021", "date0: x", 1) },
			report.ErrUsage, []string{"unknown field"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSpec("pipeline.yaml", []byte(tc.edit(string(good))))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tc.class) {
				t.Errorf("error class wrong: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// An unknown key names its line and column.
func TestSpecUnknownKeyLine(t *testing.T) {
	_, err := ParseSpec("s.yaml", []byte("election: {id: x}\nsources:\n  - path: a.csv\n    delimeter: \";\"\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "s.yaml::4:5: unknown field \"delimeter\"") {
		t.Errorf("err = %v, want it at s.yaml::4:5", err)
	}
}

func TestSourceErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name  string
		spec  string
		class error
		want  string
	}{
		{"missing file", "election: {id: x}\nsources: [{path: nowhere.csv}]\n", report.ErrInput, "nowhere.csv: file not found"},
		{"missing sheet", "election: {id: x}\nsources: [{path: " + filepath.Join(mustAbs(t, kzDir), "protocol-wide.xlsx") + ", sheet: Results}]\n", report.ErrInput, "no such sheet \"Results\"; the workbook has: \"Итоги\""},
		{"column hint not in header", "election: {id: x}\nsources: [{path: " + filepath.Join(mustAbs(t, kzDir), "protocol-long.csv") + ", columns: {votes: Stimmen}}]\n", report.ErrUsage, "columns.votes names \"Stimmen\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := ParseSpec(write("s.yaml", tc.spec), []byte(tc.spec))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Run(context.Background(), spec, Options{})
			if err == nil || !errors.Is(err, tc.class) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want class %v containing %q", err, tc.class, tc.want)
			}
		})
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
