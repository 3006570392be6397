package sources

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// Sniff lists the sheets of every published legacy workbook, as tally
// inspect shows them: BIFF8 files and an Excel 95 file inside gzip.
func TestSniffXLSSheets(t *testing.T) {
	dir := "../../shared/data/real"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("published result files not found at %s (the shared data folder beside the project); skipping", dir)
	}
	for _, tc := range []struct {
		path   string
		sheets int
		first  string
	}{
		{"us-kansas/96PVPPCT.XLS.gz", 1, "US President  Vice President"},
		{"us-north-dakota/20161108__nd__general__president__precinct.xls", 101, "County Results"},
		{"us-north-dakota/2008wardnd03810101.xls", 1, "Tab 1"},
		{"us-massachusetts/fitchburg11022010StateElectionFinalResults.xls", 3, "Sheet1"},
		{"us-massachusetts/montague11-02-10 STATE ELECTION.xls", 6, "AMENDED ELECTION RESULTS"},
		{"us-massachusetts/revere_nov_2010.xls", 3, "Sheet1"},
	} {
		info, err := Sniff(context.Background(), Input{Path: filepath.Join(dir, tc.path), Sheets: []string{"*"}})
		if err != nil {
			t.Errorf("%s: %v", tc.path, err)
			continue
		}
		if info.Format != "xls" || len(info.Sheets) != tc.sheets || info.Sheets[0] != tc.first || len(info.Selected) != tc.sheets {
			t.Errorf("%s: format %q, sheets %q, selected %d", tc.path, info.Format, info.Sheets, len(info.Selected))
		}
	}
}
