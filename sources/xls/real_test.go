package xls

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Tests on real published workbooks in ../shared/data/real (never copied
// into the repository). Expected cell values were read from the same files
// converted to CSV by LibreOffice 7.4 (soffice --convert-to csv, every
// sheet, values not as shown); dates and percents are compared in this
// package's forms (2010-10-13 for LibreOffice's 10/13/2010).

const realDir = "../../../shared/data/real"

// realFile returns the bytes of a shared real file, gunzipped when its name
// ends in .gz, or skips the test when the shared data is absent.
func realFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(realDir, rel))
	if os.IsNotExist(err) {
		t.Skipf("shared real data not present (%s): run from the tally checkout beside ../shared", rel)
	}
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(rel, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// grid indexes a sheet's cells by A1 reference.
func grid(t *testing.T, s *Sheet) map[string]Cell {
	t.Helper()
	rows, err := s.Rows()
	if err != nil {
		t.Fatalf("sheet %q: %v", s.Name, err)
	}
	m := map[string]Cell{}
	for _, r := range rows {
		for _, c := range r {
			m[c.Ref()] = c
		}
	}
	return m
}

// column returns the 1-based column whose cell in row holds header.
func column(t *testing.T, rows [][]Cell, row int, header string) int {
	t.Helper()
	for _, c := range rows[row-1] {
		if strings.TrimSpace(c.Text) == header {
			return c.Col
		}
	}
	t.Fatalf("no %q in row %d", header, row)
	return 0
}

func at(r []Cell, col int) Cell {
	for _, c := range r {
		if c.Col == col {
			return c
		}
	}
	return Cell{}
}

func TestKansas1996(t *testing.T) {
	wb := mustOpen(t, realFile(t, "us-kansas/96PVPPCT.XLS.gz"))
	if wb.BIFF != 5 || wb.Codepage != 1252 || len(wb.Sheets) != 1 {
		t.Fatalf("BIFF%d, code page %d, %d sheets; want BIFF5, 1252, 1", wb.BIFF, wb.Codepage, len(wb.Sheets))
	}
	s := wb.Sheets[0]
	if s.Name != "US President  Vice President" {
		t.Errorf("sheet %q", s.Name)
	}
	rows, err := s.Rows()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3915 {
		t.Errorf("%d rows, want 3915", len(rows))
	}
	grand := rows[3915-1]
	if at(grand, 2).Text != "Grand Total" {
		t.Fatalf("B3915 = %q, want Grand Total", at(grand, 2).Text)
	}
	// Sum of the county total rows, per candidate, must give the grand total.
	for _, tc := range []struct{ header, want string }{
		{"Dole / Kemp", "583245"}, {"Clinton / Gore", "387659"}, {"Perot / Campbell", "92639"},
	} {
		col := column(t, rows, 1, tc.header)
		c := at(grand, col)
		if c.Kind != KindNumber || c.Text != tc.want {
			t.Errorf("Grand Total %s (%s) = %v %q, want number %s", tc.header, c.Ref(), c.Kind, c.Text, tc.want)
		}
		sum, counties := 0.0, 0
		for _, r := range rows {
			if name := at(r, 2).Text; strings.HasSuffix(name, " County Total") {
				sum += at(r, col).Num
				counties++
			}
		}
		if counties != 105 || strconv.FormatFloat(sum, 'f', -1, 64) != tc.want {
			t.Errorf("%s: %d county totals sum to %v, want 105 counties and %s", tc.header, counties, sum, tc.want)
		}
	}
	g := grid(t, s)
	for ref, want := range map[string]string{"C5": "20", "C10": "015A", "D10": "HUMBOLDT", "E1": "Clinton / Gore", "E3": "Democrat"} {
		if g[ref].Text != want {
			t.Errorf("%s = %q, want %q", ref, g[ref].Text, want)
		}
	}
}

func TestNorthDakota2016(t *testing.T) {
	wb := mustOpen(t, realFile(t, "us-north-dakota/20161108__nd__general__president__precinct.xls"))
	if len(wb.Sheets) != 101 {
		t.Fatalf("%d sheets, want 101", len(wb.Sheets))
	}
	s := wb.Sheet("County Results")
	rows, err := s.Rows()
	if err != nil {
		t.Fatal(err)
	}
	trump, clinton := column(t, rows, 6, "TRUMP"), column(t, rows, 6, "CLINTON")
	var sumT, sumC float64
	counties := 0
	for _, r := range rows[6:] {
		name := at(r, 1).Text
		if name == "TOTAL" {
			break
		}
		if strings.HasPrefix(name, "District ") {
			continue // legislative districts, interleaved with the counties
		}
		counties++
		sumT += at(r, trump).Num
		sumC += at(r, clinton).Num
	}
	if counties != 53 || sumT != 216794 || sumC != 93758 {
		t.Errorf("%d counties, Trump %v, Clinton %v; want 53, 216794, 93758", counties, sumT, sumC)
	}
	// Every sheet decodes; each is released after use.
	for _, s := range wb.Sheets {
		if _, err := s.Rows(); err != nil {
			t.Errorf("sheet %q: %v", s.Name, err)
		}
		s.Release()
	}
	g := grid(t, wb.Sheet("Cass"))
	for ref, want := range map[string]string{"A7": "1101 Olivet Lutheran Church", "C7": "1642 - 47.10%", "I7": "3486"} {
		if g[ref].Text != want {
			t.Errorf("Cass!%s = %q, want %q", ref, g[ref].Text, want)
		}
	}
}

func TestFitchburg2010(t *testing.T) {
	wb := mustOpen(t, realFile(t, "us-massachusetts/fitchburg11022010StateElectionFinalResults.xls"))
	s := wb.Sheet("Sheet1")
	rows, err := s.Rows()
	if err != nil {
		t.Fatal(err)
	}
	totals := column(t, rows, 3, "TOTALS")
	found := map[string]Cell{}
	for _, r := range rows {
		switch name := at(r, 1).Text; name {
		case "Patrick & Murray", "Baker & Tisei":
			if _, dup := found[name]; !dup {
				found[name] = at(r, totals)
			}
		}
	}
	for name, want := range map[string]string{"Patrick & Murray": "4378", "Baker & Tisei": "4532"} {
		c := found[name]
		if c.Text != want || !c.Formula {
			t.Errorf("%s TOTALS (%s) = %q formula=%v, want %s from a formula", name, c.Ref(), c.Text, c.Formula, want)
		}
	}
}

// TestLibreOfficeValues checks cells of every shared .xls against the values
// LibreOffice shows for them.
func TestLibreOfficeValues(t *testing.T) {
	for _, tc := range []struct {
		file  string
		sheet string
		cells map[string]string
	}{
		{"us-north-dakota/2008wardnd03810101.xls", "Tab 1", map[string]string{
			"A1": "2008 General Election", "B5": "MCCAIN", "C5": "27665",
			"A8": "President & Vice-President of the United WARD COUNTY", "B8": "BALDWIN", "C8": "126", "L8": "18",
		}},
		{"us-massachusetts/revere_nov_2010.xls", "Sheet1", map[string]string{
			"A1": "Race", "B1": "Prec", "F1": "Patrick D", "A2": "Revere", "D2": "1489", "F2": "367", "F22": "390", "K22": "26",
		}},
		{"us-massachusetts/montague11-02-10 STATE ELECTION.xls", "AMENDED ELECTION RESULTS", map[string]string{
			"A1": "AMENDED", "C11": "Precinct No. 1", "F11": "723", "N11": "61.0641891891892%",
			"A290": "Weather:  Temperature mid 40s,  partly cloudy ", "B290": "3034", "E290": "51.6689373297003%",
			"D287": "2010-10-13",
		}},
		{"us-massachusetts/montague11-02-10 STATE ELECTION.xls", "Sheet3", map[string]string{
			"D7": "15.727002967359%", "H6": "0%",
		}},
		{"us-massachusetts/fitchburg11022010StateElectionFinalResults.xls", "Sheet1", map[string]string{
			"A1": "November 2, 2010  State Election", "B3": "1A", "N4": "10107", "A7": "Patrick & Murray", "N7": "4378", "N8": "4532",
		}},
	} {
		t.Run(tc.file+"!"+tc.sheet, func(t *testing.T) {
			wb := mustOpen(t, realFile(t, tc.file))
			s := wb.Sheet(tc.sheet)
			if s == nil {
				t.Fatalf("no sheet %q", tc.sheet)
			}
			g := grid(t, s)
			for ref, want := range tc.cells {
				if g[ref].Text != want {
					t.Errorf("%s = %q, want %q", ref, g[ref].Text, want)
				}
			}
		})
	}
}

// TestRealSheetsOpen opens every .xls in the shared data and decodes each
// sheet, checking the structure Rows promises.
func TestRealSheetsOpen(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(realDir, "*", "*.xls"))
	gz, _ := filepath.Glob(filepath.Join(realDir, "*", "*.XLS.gz"))
	files = append(files, gz...)
	if len(files) == 0 {
		t.Skip("shared real data not present")
	}
	for _, f := range files {
		rel, _ := filepath.Rel(realDir, f)
		t.Run(rel, func(t *testing.T) {
			wb := mustOpen(t, realFile(t, rel))
			cells := 0
			for _, s := range wb.Sheets {
				m := cellMap(t, s)
				cells += len(m)
				ranges, err := s.Merged()
				if err != nil {
					t.Error(err)
				}
				for _, r := range ranges {
					if r.FirstRow < 1 || r.FirstCol < 1 || r.FirstRow > r.LastRow || r.FirstCol > r.LastCol {
						t.Errorf("sheet %q: bad merged range %+v", s.Name, r)
					}
				}
				s.Release()
			}
			if cells == 0 {
				t.Error("no cells in any sheet")
			}
		})
	}
}
