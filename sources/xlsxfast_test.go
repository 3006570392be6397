package sources

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

type sheetRow struct {
	Sheet string
	Num   int
	Cells []string
}

// readBothWays reads every row of an .xlsx file through the sheet reader
// and through excelize's row iterator.
func readBothWays(t *testing.T, path string) (fast, slow []sheetRow) {
	t.Helper()
	read := func(useExcelize bool) []sheetRow {
		excelizeRows = useExcelize
		defer func() { excelizeRows = false }()
		src, err := Open(context.Background(), Input{Path: path, BatchRows: 7})
		if err != nil {
			t.Fatalf("%s (excelize=%v): %v", path, useExcelize, err)
		}
		defer src.Close()
		if _, isFast := src.(*fastXLSX); isFast == useExcelize {
			t.Fatalf("%s: excelize=%v opened %T", path, useExcelize, src)
		}
		var out []sheetRow
		for {
			b, err := src.Next(context.Background())
			if err == io.EOF {
				return out
			}
			if err != nil {
				t.Fatalf("%s (excelize=%v): %v", path, useExcelize, err)
			}
			for _, r := range b.Rows {
				out = append(out, sheetRow{Sheet: b.Sheet, Num: r.Num, Cells: append([]string(nil), r.Cells...)})
			}
		}
	}
	return read(false), read(true)
}

// normalize drops trailing empty cells, which the two readers may leave
// or not (a merged range filled down can end in one), and empty rows at
// the end of a sheet: excelize's iterator, asked again after the end of
// <sheetData>, takes the <xdr:row> of drawing anchors that follow for
// rows. TableReader reads rows the same either way.
func normalize(rows []sheetRow) []sheetRow {
	for i := range rows {
		c := rows[i].Cells
		for len(c) > 0 && c[len(c)-1] == "" {
			c = c[:len(c)-1]
		}
		if len(c) == 0 {
			c = nil
		}
		rows[i].Cells = c
	}
	var out []sheetRow
	for i, r := range rows {
		if len(r.Cells) == 0 && !hasCellsAfter(rows[i+1:], r.Sheet) {
			continue
		}
		out = append(out, r)
	}
	return out
}

func hasCellsAfter(rows []sheetRow, sheet string) bool {
	for _, r := range rows {
		if r.Sheet != sheet {
			return false
		}
		if len(r.Cells) > 0 {
			return true
		}
	}
	return false
}

func assertSameRows(t *testing.T, path string) {
	t.Helper()
	fast, slow := readBothWays(t, path)
	if len(slow) == 0 {
		t.Fatalf("%s: excelize read no rows", path)
	}
	if diff := cmp.Diff(normalize(slow), normalize(fast)); diff != "" {
		t.Errorf("%s: sheet reader differs from excelize (-excelize +sheet reader):\n%s", path, diff)
	}
}

// TestXLSXSheetReaderConformance holds the sheet reader to excelize's
// cell texts on the workbooks in the repository and, when present, the
// published workbooks in the shared data folder.
func TestXLSXSheetReaderConformance(t *testing.T) {
	var files []string
	for _, glob := range []string{"../testdata/*/*.xlsx", "xls/testdata/*.xlsx"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if len(files) < 3 {
		t.Fatalf("found only %d workbooks in the repository", len(files))
	}
	for _, f := range files {
		assertSameRows(t, f)
	}
	real, _ := filepath.Glob("../../shared/data/real/*/*.xlsx")
	if len(real) == 0 {
		t.Log("../../shared/data/real holds no workbooks (shared folder absent); only the repository's were compared")
	}
	for _, f := range real {
		assertSameRows(t, f)
	}
	// Again with every sheet's merged ranges read before its rows, as
	// for a sheet too large to keep back.
	defer func(h int) { holdBytes = h }(holdBytes)
	holdBytes = 0
	for _, f := range append(files, real...) {
		assertSameRows(t, f)
	}
}

// TestXLSXSheetReaderEdgeCases builds a workbook with what the sheet
// reader must get right: shared and inline strings, rich text, escapes,
// entities, formulas with cached values, gaps in rows and columns, merged
// ranges, several sheets.
func TestXLSXSheetReaderEdgeCases(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Итоги & <votes>"))
	s1 := "Итоги & <votes>"
	must(f.SetCellValue(s1, "A1", "Region"))
	must(f.SetCellValue(s1, "C1", "Votes \"A\""))
	must(f.SetCellValue(s1, "A2", "Line\r\nbreak"))
	must(f.SetCellValue(s1, "B2", 12))
	must(f.SetCellValue(s1, "C2", 0.1+0.2))
	must(f.SetCellValue(s1, "D2", true))
	must(f.SetCellFormula(s1, "E2", "B2*2"))
	must(f.SetCellValue(s1, "A5", "after a gap"))
	must(f.SetCellValue(s1, "F5", "  spaced  "))
	must(f.SetCellRichText(s1, "A6", []excelize.RichTextRun{{Text: "rich "}, {Text: "text", Font: &excelize.Font{Bold: true}}}))
	must(f.SetCellValue(s1, "A7", "under_x005F_score and tab_x0009_"))
	must(f.MergeCell(s1, "A8", "A10"))
	must(f.SetCellValue(s1, "A8", "merged"))
	must(f.SetCellValue(s1, "B9", 3))
	_, err := f.NewSheet("Empty")
	must(err)
	_, err = f.NewSheet("Stream")
	must(err)
	sw, err := f.NewStreamWriter("Stream")
	must(err)
	for r := 1; r <= 40; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		must(sw.SetRow(cell, []any{fmt.Sprintf("station %d", r), r * 3, "Ақ жол"}))
	}
	must(sw.Flush())
	path := filepath.Join(dir, "edge.xlsx")
	must(f.SaveAs(path))
	assertSameRows(t, path)

	fast, _ := readBothWays(t, path)
	want := map[int][]string{2: {"Line\r\nbreak", "12", "0.3", "1", ""}, 6: {"rich text"}, 7: {"under_score and tab\t"}, 9: {"merged", "3"}}
	for _, r := range fast {
		if w, ok := want[r.Num]; ok && r.Sheet == s1 && !cmp.Equal(w, r.Cells) {
			t.Errorf("row %d = %q, want %q", r.Num, r.Cells, w)
		}
	}
}

// TestXLSXSheetReaderBadReference reads a sheet with a cell reference
// that names no cell: an error naming the row, not a panic.
func TestXLSXSheetReaderBadReference(t *testing.T) {
	text := `<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="1A"><v>1</v></c></row></sheetData></worksheet>`
	rows := make(chan []Row, 10)
	err := newSheetDecoder(nil, 1, rows, make(chan struct{})).decode(strings.NewReader(text))
	re, ok := err.(*rowError)
	if !ok || re.row != 2 {
		t.Errorf("error %v, want one at row 2", err)
	}
	// The row before it is handed on first.
	close(rows)
	var got []Row
	for b := range rows {
		got = append(got, b...)
	}
	if want := []Row{{Num: 1, Cells: []string{"1"}}}; !cmp.Equal(got, want) {
		t.Errorf("rows before the error %v, want %v", got, want)
	}
}
