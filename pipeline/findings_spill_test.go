package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"tally/report"
)

// withFindingSpill runs fn with the findings and rejects of a run going
// to a temporary file past n bytes.
func withFindingSpill(n int, fn func()) {
	old := findingSpillBytes
	findingSpillBytes = n
	defer func() { findingSpillBytes = old }()
	fn()
}

// manyFindings is a table whose every unit fails a check, with rows
// rejected among them, and a ledger that accepts some findings.
func manyFindings(units int) map[string]string {
	var b strings.Builder
	b.WriteString("Unit;Valid;A;B\n")
	for i := range units {
		fmt.Fprintf(&b, "u%d;%d;%d;%d\n", i, 100+i%7, 60+i%5, 40)
		if i%10 == 3 {
			fmt.Fprintf(&b, "bad%d;x%d;1;2\n", i, i)
		}
	}
	return map[string]string{
		"spec.yaml": "election: {id: s}\nsources: [{path: d.csv, columns: {unit_id: Unit}}]\nchecks: {ledger: known.yaml}\noutputs: {formats: [csv, parquet, arrow]}\n",
		"d.csv":     b.String(),
		"known.yaml": `accepted:
  - code: votes-sum-mismatch
    unit: u7
    reason: a typo in the protocol
  - code: votes-sum-mismatch
    expected: 103
    reason: every unit with 103 valid ballots
  - code: votes-sum-mismatch
    unit: gone
    reason: no longer in the data
`,
	}
}

// The findings and rejects of a run that spills them to a temporary file
// are those of a run that keeps them in memory, in the same order, and
// the tables written are the same bytes.
func TestFindingsSpillSameOutputs(t *testing.T) {
	files := manyFindings(3000)
	batch := 256
	run := func() (*Summary, string) {
		out := t.TempDir()
		sum := runWith(t, files, Options{Write: true, OutDir: out, Version: "test", BatchRows: batch})
		return sum, out
	}
	mem, memOut := run()
	defer mem.Close()
	// One batch of findings and rejects, as they were once written.
	batch = 1 << 20
	whole, wholeOut := run()
	whole.Close()
	batch = 256
	before := report.SpilledRuns()
	var spill *Summary
	var spillOut string
	withFindingSpill(512, func() { spill, spillOut = run() })
	defer spill.Close()
	if report.SpilledRuns()-before < 10 {
		t.Fatalf("%d runs spilled; the test does not test the files", report.SpilledRuns()-before)
	}
	fm, fs := findingsOf(mem), findingsOf(spill)
	if len(fm) < 2500 || mem.Count(report.Info) != len(fm) {
		t.Fatalf("%d findings, counted %d; want every unit to fail", len(fm), mem.Count(report.Info))
	}
	if d := cmp.Diff(fm, fs); d != "" {
		t.Errorf("findings differ when spilled (-memory +file):\n%s", d)
	}
	rm, rs := rejectsOf(mem), rejectsOf(spill)
	if len(rm) != 300 {
		t.Errorf("%d rejects, want 300", len(rm))
	}
	if d := cmp.Diff(rm, rs); d != "" {
		t.Errorf("rejects differ when spilled (-memory +file):\n%s", d)
	}
	if d := cmp.Diff(mem.FindingsByCode(), spill.FindingsByCode()); d != "" {
		t.Errorf("counts by code differ:\n%s", d)
	}
	if mem.FindingsByCode()["ledger-unused"] != 1 || mem.FindingsBySeverity()["info"] == 0 {
		t.Errorf("the ledger was not applied: %v %v", mem.FindingsByCode(), mem.FindingsBySeverity())
	}
	sameFiles(t, memOut, spillOut, "when the findings spill")
	sameFiles(t, memOut, wholeOut, "when written in one batch")
	// The findings table has every finding, in order.
	csv, err := os.ReadFile(filepath.Join(memOut, "findings.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(csv), "\n") - 1; n != len(fm) {
		t.Errorf("findings.csv has %d rows, want %d", n, len(fm))
	}
}

// The temporary file of the findings is not left behind.
func TestFindingsSpillRemoved(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	before := report.SpilledRuns()
	withFindingSpill(256, func() {
		sum := runWith(t, manyFindings(500), Options{})
		if n := len(findingsOf(sum)); n < 400 || report.SpilledRuns() == before {
			t.Fatalf("%d findings, %d runs spilled", n, report.SpilledRuns()-before)
		}
		if err := sum.Close(); err != nil {
			t.Fatal(err)
		}
		if n := len(findingsOf(sum)); n != 0 {
			t.Errorf("%d findings read after Close", n)
		}
	})
	left, _ := os.ReadDir(tmp)
	for _, e := range left {
		if strings.HasPrefix(e.Name(), "tally-findings-") {
			t.Errorf("temporary file %s left", e.Name())
		}
	}
}
