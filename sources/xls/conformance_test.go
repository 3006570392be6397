package xls

import (
	"flag"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The conformance fixtures are workbooks saved as .xlsx by LibreOffice 7.4
// and as .xls, so the .xls reader can be checked against excelize reading the
// .xlsx twin. conformance.xls (BIFF8) was saved by LibreOffice; latin95.xls
// (BIFF5) by Gnumeric 1.12, since LibreOffice no longer writes Excel 95. To
// make them again:
//
//	go test ./sources/xls -run TestConformanceSource -gen-conformance
//	cd sources/xls/testdata
//	soffice --headless --convert-to xlsx --outdir lo conformance-src.xlsx latin-src.xlsx  # formulas get cached values
//	soffice --headless --convert-to xls conformance-src.xlsx
//	mv lo/conformance-src.xlsx conformance.xlsx; mv conformance-src.xls conformance.xls; mv lo/latin-src.xlsx latin.xlsx
//	ssconvert -T Gnumeric_Excel:excel_biff7 latin.xlsx latin95.xls
//	rm -r lo *-src.xlsx
//
// latin is a second workbook with Latin-1 text only, since an Excel 95 file
// holds 8-bit text in one code page.
var genConformance = flag.Bool("gen-conformance", false, "write testdata/conformance-src.xlsx and testdata/latin-src.xlsx")

func TestConformanceSource(t *testing.T) {
	if !*genConformance {
		t.Skip("writes the fixture sources only with -gen-conformance")
	}
	for name, latin := range map[string]bool{"testdata/conformance-src.xlsx": false, "testdata/latin-src.xlsx": true} {
		f := excelize.NewFile()
		res := "Results"
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(f.SetSheetName("Sheet1", res))
		style := func(code string) int {
			id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
			must(err)
			return id
		}
		builtin := func(n int) int {
			id, err := f.NewStyle(&excelize.Style{NumFmt: n})
			must(err)
			return id
		}
		title, names := "Выборы в Мажилис 2021 — итоги", []string{"Нур Отан", "Ақ жол", "Халық партиясы", "Ауыл"}
		regions := []string{"Алматы", "Nur-Sultan", "Шымкент", "Қарағанды"}
		if latin {
			title, names = "Élection — résultats 2021", []string{"Parti Vert", "Union Démocratique", "Zürich Liste", "Señores"}
			regions = []string{"Genève", "Köln", "Reykjavík", "Ærø"}
		}
		must(f.SetCellValue(res, "A1", title))
		must(f.MergeCell(res, "A1", "H1"))
		for i, h := range []string{"Region", "Registered", names[0], names[1], "Share", "Date", "Time", "Note"} {
			cell, _ := excelize.CoordinatesToCellName(i+1, 2)
			must(f.SetCellValue(res, cell, h))
		}
		thousands, pct, date, clock, stamp := builtin(3), builtin(10), style(`dd\.mm\.yyyy`), style("h:mm"), style("yyyy-mm-dd hh:mm")
		for i, r := range regions {
			row := strconv.Itoa(i + 3)
			must(f.SetCellValue(res, "A"+row, r))
			must(f.SetCellValue(res, "B"+row, 350000+i*12345))
			must(f.SetCellStyle(res, "B"+row, "B"+row, thousands))
			must(f.SetCellValue(res, "C"+row, 100000+i*777))
			must(f.SetCellValue(res, "D"+row, 12.5*float64(i+1)))
			must(f.SetCellFormula(res, "E"+row, "C"+row+"/B"+row))
			must(f.SetCellStyle(res, "E"+row, "E"+row, pct))
			must(f.SetCellValue(res, "F"+row, 44206+i))
			must(f.SetCellStyle(res, "F"+row, "F"+row, date))
			must(f.SetCellValue(res, "G"+row, 0.75-float64(i)/8))
			must(f.SetCellStyle(res, "G"+row, "G"+row, clock))
		}
		must(f.SetCellValue(res, "H3", names[2]))
		must(f.SetCellValue(res, "H4", names[3]))
		must(f.SetCellValue(res, "H5", true))
		must(f.SetCellFormula(res, "H6", "1/0"))
		must(f.SetCellValue(res, "A7", "Total"))
		for _, c := range []string{"B", "C", "D"} {
			must(f.SetCellFormula(res, c+"7", "SUM("+c+"3:"+c+"6)"))
		}
		must(f.SetCellStyle(res, "B7", "B7", thousands))
		must(f.SetCellFormula(res, "E7", "C7/B7"))
		must(f.SetCellStyle(res, "E7", "E7", pct))
		must(f.SetCellFormula(res, "F7", `A3&" / "&A4`))
		must(f.SetCellFormula(res, "G7", `IF(1>2,"x","")`))
		must(f.SetCellFormula(res, "H7", "B7>C7"))
		must(f.SetCellValue(res, "A9", 0.001))
		must(f.SetCellValue(res, "B9", -42))
		must(f.SetCellValue(res, "C9", 1234567890))
		must(f.SetCellValue(res, "D9", 1.0/3))
		must(f.SetCellValue(res, "E9", 44206.5))
		must(f.SetCellStyle(res, "E9", "E9", stamp))
		must(f.SetCellValue(res, "F9", 0.071))
		must(f.SetCellStyle(res, "F9", "F9", builtin(9)))
		must(f.SetCellValue(res, "A10", "a long cell text that LibreOffice keeps in the shared string table, "+title))
		must(f.MergeCell(res, "A10", "C11"))
		must(f.SetCellValue(res, "IV12", "last column"))
		_, err := f.NewSheet("Empty")
		must(err)
		_, err = f.NewSheet("Second")
		must(err)
		for i := range 30 {
			must(f.SetCellValue("Second", "B"+strconv.Itoa(i+2), regions[i%len(regions)]+" "+strconv.Itoa(i)))
			must(f.SetCellValue("Second", "C"+strconv.Itoa(i+2), i*i))
		}
		must(f.SaveAs(name))
	}
}

// xlsxText is what the xls reader must give for a cell excelize reads from
// the .xlsx twin: the raw value, shown by the rules of the package doc.
// Dates come from excelize's own serial-date conversion.
func xlsxText(t *testing.T, f *excelize.File, sheet, ref string) (string, bool) {
	t.Helper()
	raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	switch typ {
	case excelize.CellTypeBool:
		if raw == "1" || raw == "TRUE" {
			return "TRUE", true
		}
		return "FALSE", true
	case excelize.CellTypeSharedString, excelize.CellTypeInlineString, excelize.CellTypeFormula, excelize.CellTypeError:
		return raw, raw != "" || typ == excelize.CellTypeFormula
	}
	if raw == "" {
		return "", false
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return raw, true
	}
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	class := builtinClass(st.NumFmt)
	if st.CustomNumFmt != nil {
		class = classifyFormat(*st.CustomNumFmt)
	}
	switch class {
	case classPercent:
		return percentText(v), true
	case classTime, classDate:
		if class == classTime && v < 1 {
			secs := int(math.Round(v * 86400))
			return twoDigits(secs/3600) + ":" + twoDigits(secs/60%60) + ":" + twoDigits(secs%60), true
		}
		tm, err := excelize.ExcelDateToTime(v, false)
		if err != nil {
			t.Fatalf("%s!%s: %v", sheet, ref, err)
		}
		tm = tm.Round(1e9)
		if tm.Hour() == 0 && tm.Minute() == 0 && tm.Second() == 0 {
			return tm.Format("2006-01-02"), true
		}
		return tm.Format("2006-01-02T15:04:05"), true
	}
	return numberText(v), true
}

// TestConformance reads each .xls fixture and its .xlsx twin and compares
// every cell's text, the sheets, the merged ranges and which cells hold
// formulas.
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		xls, xlsx string
		biff      int
	}{
		{"testdata/conformance.xls", "testdata/conformance.xlsx", 8},
		{"testdata/latin95.xls", "testdata/latin.xlsx", 5},
	} {
		t.Run(tc.xls, func(t *testing.T) {
			f, err := excelize.OpenFile(tc.xlsx)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			wb := mustOpen(t, readFile(t, tc.xls))
			if wb.BIFF != tc.biff {
				t.Errorf("BIFF%d, want BIFF%d", wb.BIFF, tc.biff)
			}
			sheets := f.GetSheetList()
			if len(wb.Sheets) != len(sheets) {
				t.Fatalf("%d sheets, the .xlsx has %d", len(wb.Sheets), len(sheets))
			}
			compared := 0
			for i, name := range sheets {
				s := wb.Sheets[i]
				if s.Name != name {
					t.Errorf("sheet %d is %q, want %q", i+1, s.Name, name)
					continue
				}
				got := grid(t, s)
				rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]bool{}
				for r, row := range rows {
					for c := range row {
						ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
						text, ok := xlsxText(t, f, name, ref)
						if !ok {
							continue
						}
						want[ref] = true
						compared++
						if got[ref].Text != text {
							t.Errorf("%s!%s = %q, the .xlsx has %q", name, ref, got[ref].Text, text)
						}
						formula, _ := f.GetCellFormula(name, ref)
						if got[ref].Formula != (formula != "") {
							t.Errorf("%s!%s: formula %v, the .xlsx has formula %q", name, ref, got[ref].Formula, formula)
						}
					}
				}
				for ref, c := range got {
					if !want[ref] {
						t.Errorf("%s!%s = %q, empty in the .xlsx", name, ref, c.Text)
					}
				}
				mc, err := f.GetMergeCells(name, true)
				if err != nil {
					t.Fatal(err)
				}
				merged, _ := s.Merged()
				wantM, gotM := map[string]bool{}, map[string]bool{}
				for _, m := range mc {
					wantM[m.GetStartAxis()+":"+m.GetEndAxis()] = true
				}
				for _, m := range merged {
					gotM[m.String()] = true
				}
				if len(wantM) != len(gotM) {
					t.Errorf("%s: merged %v, the .xlsx has %v", name, gotM, wantM)
				}
				for m := range wantM {
					if !gotM[m] {
						t.Errorf("%s: merged range %s missing", name, m)
					}
				}
			}
			if compared < 60 {
				t.Errorf("only %d cells compared", compared)
			}
		})
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
