package sources

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/transform"
)

// rowsOf turns lines of '|'-separated cells into rows numbered from 1.
func rowsOf(text string) []Row {
	var rows []Row
	for i, ln := range strings.Split(strings.TrimPrefix(text, "\n"), "\n") {
		var cells []string
		if ln != "" {
			cells = strings.Split(ln, "|")
		}
		rows = append(rows, Row{Num: i + 1, Cells: cells})
	}
	return rows
}

type gotTable struct {
	t    *Table
	rows []Row
}

func tablesOf(t *testing.T, text string) ([]gotTable, Stats) {
	t.Helper()
	tr := NewTableReader(&rowSource{rows: rowsOf(text)}, TableOptions{})
	var out []gotTable
	for {
		b, err := tr.Next(context.Background())
		if err != nil {
			break
		}
		if len(out) == 0 || out[len(out)-1].t != b.Table {
			out = append(out, gotTable{t: b.Table})
		}
		for _, r := range b.Rows {
			out[len(out)-1].rows = append(out[len(out)-1].rows, copyRow(r))
		}
	}
	st := tr.Stats()
	if st.Rows != st.DataRows+st.HeaderRows+st.Preamble+st.Blank {
		t.Errorf("stats do not add up: %+v", st)
	}
	return out, st
}

// Stacked contests: a title row, a header, data; a blank; the next block
// with other columns. Each is a table of its own, titled.
func TestStackedTables(t *testing.T) {
	got, st := tablesOf(t, `
State of X
Election results

President
|Cand A (DEM)|Cand B (REP)
Total Votes|30|70
North|10|20
South|20|50

Senator
|Cand C|Cand D|Cand E
Total Votes|1|2|3
North|1|1|1
CA NO. 1
|YES|NO
Total Votes|5|6
CA NO. 2
|YES|NO
Total Votes|7|8`)
	if len(got) != 4 {
		t.Fatalf("%d tables, want 4", len(got))
	}
	for i, want := range []struct {
		title  string
		header int
		cols   string
		rows   int
	}{{"President", 5, "|Cand A (DEM)|Cand B (REP)", 3}, {"Senator", 11, "|Cand C|Cand D|Cand E", 2},
		{"CA NO. 1", 15, "|YES|NO", 1}, {"CA NO. 2", 18, "|YES|NO", 1}} {
		tb := got[i].t
		if tb.Title != want.title || tb.HeaderRows[0] != want.header || strings.Join(tb.Columns, "|") != want.cols || len(got[i].rows) != want.rows || tb.Block != i+1 {
			t.Errorf("table %d: title %q header %v columns %q rows %d block %d; want %+v", i, tb.Title, tb.HeaderRows, tb.Columns, len(got[i].rows), tb.Block, want)
		}
	}
	if st.DataRows != 7 || st.HeaderRows != 4 || st.Blank != 2 {
		t.Errorf("stats %+v", st)
	}
}

// Section labels (a one-cell row over data) become each row's Group; a
// one-cell row with no data under it is a note; a row of column numbers
// with a slip ("16 18 18") is part of the header.
func TestSectionsNotesAndColumnNumbers(t *testing.T) {
	got, st := tablesOf(t, `
Annex 2
Nr|Seat|Valid|Cand A||Cand B|
|||votes|%|votes|%
1|2|3|4|5|5|7
NATIONAL TOTAL||100|60|60.0|40|40.0
REGION ONE
OKW 1|Town|50|30|60.0|20|40.0
Region total||50|30|60.0|20|40.0
REGION TWO
OKW 2|City|50|30|60.0|20|40.0
* provisional`)
	if len(got) != 1 {
		t.Fatalf("%d tables", len(got))
	}
	tb, rows := got[0].t, got[0].rows
	if fmtInts(tb.HeaderRows) != "2,3,4" {
		t.Errorf("header rows %v", tb.HeaderRows)
	}
	if tb.Columns[3] != "Cand A / votes" || tb.Columns[4] != "Cand A / %" {
		t.Errorf("columns %q", tb.Columns)
	}
	groups := []string{"", "REGION ONE", "REGION ONE", "REGION TWO"}
	if len(rows) != len(groups) {
		t.Fatalf("%d data rows, want %d", len(rows), len(groups))
	}
	for i, g := range groups {
		if rows[i].Group != g {
			t.Errorf("row %d group %q, want %q", rows[i].Num, rows[i].Group, g)
		}
	}
	if st.Preamble != 4 { // title, two section labels, the footnote
		t.Errorf("preamble %d, want 4 (%+v)", st.Preamble, st)
	}
	want := []ColumnKind{KindText, KindText, KindNumber, KindNumber, KindNumber, KindNumber, KindNumber}
	for i, k := range want {
		if tb.Kinds[i] != k {
			t.Errorf("kind of column %d = %v, want %v", i+1, tb.Kinds[i], k)
		}
	}
}

func TestCountPercentCells(t *testing.T) {
	for s, want := range map[string][2]string{
		"216 - 17.73%":  {"216", "17.73%"},
		"1 234 (5,6 %)": {"1 234", "5,6 %"},
		"216 – 17.73%":  {"216", "17.73%"},
		"17.73%":        {"", ""},
		"216 - abc%":    {"", ""},
		"Smith - 12%":   {"", ""},
		"12% - 13%":     {"", ""},
		"":              {"", ""},
	} {
		c, p, ok := SplitCountPercent(s)
		if c != want[0] || p != want[1] || ok != (want[0] != "") {
			t.Errorf("SplitCountPercent(%q) = %q, %q, %v; want %q", s, c, p, ok, want)
		}
	}
}

// KZ-1048 text decodes to Kazakh letters, not the Serbian and Ukrainian
// ones Windows-1251 puts there, and is guessed as KZ-1048.
func TestKZ1048(t *testing.T) {
	kazakh := "Қазақстан халық партиясы, Ақ жол, Ұлттық, Әділет, Өскемен, Ғылым, Үкімет, Һ, ң"
	enc, _, err := transform.Bytes(KZ1048.NewEncoder(), []byte(kazakh))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	if len(enc) != len([]rune(kazakh)) {
		t.Fatalf("%d bytes for %d letters", len(enc), len([]rune(kazakh)))
	}
	dec, _, err := transform.Bytes(KZ1048.NewDecoder(), enc)
	if err != nil || string(dec) != kazakh {
		t.Errorf("round trip = %q, %v", dec, err)
	}
	if g := DetectEncoding(enc); g.Name != "kz-1048" || g.Confidence < 0.6 {
		t.Errorf("DetectEncoding = %+v, want kz-1048", g)
	}
	ru, _, _ := transform.Bytes(KZ1048.NewEncoder(), []byte("Российская Федерация, избирательный участок"))
	if g := DetectEncoding(ru); g.Name != "windows-1251" {
		t.Errorf("Russian text guessed as %+v", g)
	}
}

func TestSniffInfo(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.csv")
	os.WriteFile(p, []byte("# source: x\n# date: y\nA;B\n1;2\n"), 0o644)
	info, err := Sniff(context.Background(), Input{Path: p})
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != "csv" || info.Delimiter != ";" || info.Comment != "#" || info.Encoding.Name != "utf-8" {
		t.Errorf("Sniff = %+v", info)
	}
}

func fmtInts(a []int) string {
	s := make([]string, len(a))
	for i, v := range a {
		s[i] = itoa(v)
	}
	return strings.Join(s, ",")
}

func itoa(i int) string { return strconv.Itoa(i) }

// A region name merged down over its districts reaches every district's
// row; a title merged across the sheet stays a one-cell row.
func TestXLSXMergedCellsFilledDown(t *testing.T) {
	f := excelize.NewFile()
	sh := "Sheet1"
	rows := [][]any{
		{"Results by district"},
		{"Region", "District", "Votes A", "Votes B"},
		{"North", "N1", 10, 20},
		{nil, "N2", 30, 40},
		{"South", "S1", 50, 60},
		{nil, "S2", 70, 80},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sh, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range [][2]string{{"A1", "D1"}, {"A3", "A4"}, {"A5", "A6"}} {
		if err := f.MergeCell(sh, m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(t.TempDir(), "m.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	tables, data, st := readAll(t, Input{Path: p}, TableOptions{})
	if len(tables) != 1 || tables[0].HeaderRows[0] != 2 || st.Preamble != 1 {
		t.Fatalf("tables %+v stats %+v", tables, st)
	}
	var regions []string
	for _, r := range data[0] {
		regions = append(regions, r.Cell(0))
	}
	if strings.Join(regions, ",") != "North,North,South,South" {
		t.Errorf("regions %q", regions)
	}
}

// repeatsHeaderPlain is repeatsHeader without its shortcut on the first
// byte of a cell: every cell's spaces collapsed, then compared.
func repeatsHeaderPlain(t *TableReader, r Row) bool {
	parts := t.table.Parts
	if len(parts) < 2 {
		return false
	}
	same := 0
	for i, c := range r.Cells {
		c = strings.Join(strings.Fields(c), " ")
		if c == "" {
			continue
		}
		if i >= len(parts) || len(parts[i]) == 0 || c != parts[i][len(parts[i])-1] && c != t.table.Columns[i] {
			return false
		}
		same++
	}
	return same >= 2
}

// FuzzRepeatsHeader holds repeatsHeader to the plain comparison, for
// headers of one and two rows (lines of cells split on '|').
func FuzzRepeatsHeader(f *testing.F) {
	for _, s := range []string{
		"Region|Votes\nRegion|Votes",
		"Region|Votes\n Region |Votes",
		"Region|Votes\n\u00a0Region|Votes",
		"A||B\nx|y|z\nA / x|y|B / z",
		"Ак жол|Б\n Ак  жол|Б",
		"a|b\n|b|",
		"a|b\n\xff|b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		lines := strings.Split(text, "\n")
		if len(lines) < 2 {
			return
		}
		var header []Row
		for i, ln := range lines[:len(lines)-1] {
			header = append(header, Row{Num: i + 1, Cells: strings.Split(ln, "|")})
		}
		tb := &Table{Parts: HeaderParts(header)}
		tb.Columns = joinParts(tb.Parts)
		tr := &TableReader{table: tb}
		r := Row{Cells: strings.Split(lines[len(lines)-1], "|")}
		if got, want := tr.repeatsHeader(r), repeatsHeaderPlain(tr, r); got != want {
			t.Fatalf("repeatsHeader(%q) = %v, want %v (parts %q)", r.Cells, got, want, tb.Parts)
		}
	})
}

// The byte classes of asciiSpace and spaceLead are those of their
// definitions, for every byte.
func TestSpaceBytes(t *testing.T) {
	for i := range 256 {
		c := byte(i)
		ascii := c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
		lead := ascii || c == 0xc2 || c == 0xe1 || c == 0xe2 || c == 0xe3
		if asciiSpace(c) != ascii || spaceLead(c) != lead {
			t.Errorf("byte %#x: asciiSpace %v spaceLead %v, want %v %v", c, asciiSpace(c), spaceLead(c), ascii, lead)
		}
	}
}
