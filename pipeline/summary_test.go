package pipeline

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"tally/report"
)

// findingsOf returns every finding of a run, in order, all in memory.
func findingsOf(s *Summary) []report.Finding {
	var out []report.Finding
	if err := s.EachFinding(func(f *report.Finding) error {
		out = append(out, *f)
		return nil
	}); err != nil {
		panic(err)
	}
	return out
}

// rejectsOf returns every reject of a run, in order, all in memory.
func rejectsOf(s *Summary) []report.Reject {
	var out []report.Reject
	if err := s.EachReject(func(rj *report.Reject) error {
		out = append(out, *rj)
		return nil
	}); err != nil {
		panic(err)
	}
	return out
}

// sameFiles fails t unless got holds every file of want (at least ten:
// a run's tables in some formats and its manifest) with the same bytes;
// why says what differed between the two runs.
func sameFiles(t *testing.T, want, got, why string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(want, "*"))
	if err != nil || len(files) < 10 {
		t.Fatalf("%d output files in %s (%v)", len(files), want, err)
	}
	for _, f := range files {
		a, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(got, filepath.Base(f)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs %s", filepath.Base(f), why)
		}
	}
}
