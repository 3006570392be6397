package xls

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/charmap"
)

// got is a cell as the tests compare it.
type got struct {
	Kind    CellKind
	Text    string
	Formula bool
}

// cellMap returns the cells of a sheet by A1 reference, failing the test if
// the rows are not what Rows promises (row i holds row i+1, columns rising).
func cellMap(t *testing.T, s *Sheet) map[string]got {
	t.Helper()
	rows, err := s.Rows()
	if err != nil {
		t.Fatalf("Rows(%q): %v", s.Name, err)
	}
	m := map[string]got{}
	for i, r := range rows {
		for j, c := range r {
			if c.Row != i+1 {
				t.Errorf("cell %s is in Rows()[%d]", c.Ref(), i)
			}
			if j > 0 && r[j-1].Col >= c.Col {
				t.Errorf("row %d: column %d after column %d", i+1, c.Col, r[j-1].Col)
			}
			m[c.Ref()] = got{c.Kind, c.Text, c.Formula}
		}
	}
	return m
}

func mustOpen(t *testing.T, b []byte) *Workbook {
	t.Helper()
	wb, err := OpenBytes(b)
	if err != nil {
		t.Fatalf("OpenBytes: %v", err)
	}
	return wb
}

// biff8Book is a BIFF8 workbook with a cell of every kind the reader knows,
// in formats of every class.
func biff8Book() book {
	bk := book{biff: 8, codepage: 1200}
	bk.formats = []format{
		{164, `0.0%`},
		{165, `dd\.mm\.yyyy`},
		{166, `#,##0" votes"`},
		{167, `[Red]0.00`},
		{168, `h:mm`},
		{169, `[$-409]d-mmm-yy;@`},
	}
	// XF i uses format xfs[i].
	bk.xfs = []int{0, 10, 14, 164, 165, 166, 167, 168, 3, 169, 9}
	sst := le(uint32(3), uint32(3), ustr("Party"), ustr("Нур Отан"), ustr("Ak Zhol"))
	bk.globals = [][]byte{rec(recSST, sst)}
	bk.sheets = []sheetSpec{{name: "Results", records: [][]byte{
		rec(0x0200, uint32(0), uint32(20), 0, 8, 0), // DIMENSIONS, ignored
		sstRec(0, 0, 0, 0),
		sstRec(0, 1, 0, 1),
		sstRec(0, 2, 0, 2),
		numberRec(1, 0, 8, 350000),   // A2: #,##0, once read as a date by another library
		rkRec(1, 1, 5, 101<<2|0x02),  // B2: integer RK in a format with quoted letters
		rkRec(1, 2, 0, 1250<<2|0x03), // C2: integer RK divided by 100
		rkRec(1, 3, 0, 0x3FF80000),   // D2: float RK, 1.5
		numberRec(1, 4, 1, 0.6512),   // E2: 0.00%
		numberRec(1, 5, 3, 0.071),    // F2: 0.0%
		numberRec(1, 6, 6, 3.25),     // G2: [Red]0.00
		numberRec(1, 7, 0, 0.1+0.2),  // H2: 15 significant digits
		numberRec(2, 0, 2, 44206),    // A3: built-in date
		numberRec(2, 1, 4, 44206),    // B3: dd\.mm\.yyyy
		numberRec(2, 2, 2, 44206.5),  // C3: date and time
		numberRec(2, 3, 7, 0.75),     // D3: h:mm, no date part
		numberRec(2, 4, 9, 44206),    // E3: locale-tagged date
		numberRec(2, 5, 10, -0.5),    // F3: 0%, negative
		rec(recMulRK, 3, 1, 0, uint32(1<<2|2), 0, uint32(2<<2|2), 0, uint32(3<<2|2), 3), // B4:D4
		rec(recMulBlank, 4, 0, 0, 0, 0, 2),                                              // A5:C5 blank: not kept
		rec(recBlank, 4, 5, 0),                                                          // F5 blank: not kept
		boolErrRec(5, 0, 1, 0),                                                          // A6 TRUE
		boolErrRec(5, 1, 0, 0),                                                          // B6 FALSE
		boolErrRec(5, 2, 0x07, 1),                                                       // C6 #DIV/0!
		formulaRec(6, 0, 8, resNum(1250000)),                                            // A7
		formulaRec(6, 1, 0, resString()),                                                // B7, then STRING
		rec(0x04BC, make([]byte, 10)),                                                   // SHRFMLA between FORMULA and STRING
		stringRec(ustr("Итого")),                                                        //
		formulaRec(6, 2, 0, resBool(1)),                                                 // C7
		formulaRec(6, 3, 0, resErr(0x2A)),                                               // D7
		formulaRec(6, 4, 0, resEmpty()),                                                 // E7
		labelRec(7, 0, ustr("label text")),                                              // A8
		rec(recRString, 7, 1, 0, ustr("rich"), 1, 0, 0),                                 // B8, with one formatting run
		rec(recMerged, 2, 9, 9, 0, 2, 10, 11, 1, 1),                                     // A10:C10, B11:B12
	}}}
	return bk
}

func TestBIFF8Cells(t *testing.T) {
	wb := mustOpen(t, biff8Book().xlsFile())
	if wb.BIFF != 8 || wb.Codepage != 1200 || wb.Date1904 {
		t.Errorf("BIFF %d, code page %d, 1904 %v; want 8, 1200, false", wb.BIFF, wb.Codepage, wb.Date1904)
	}
	if len(wb.Sheets) != 1 || wb.Sheets[0].Name != "Results" || wb.Sheets[0].Kind != Worksheet {
		t.Fatalf("sheets %+v", wb.Sheets)
	}
	want := map[string]got{
		"A1": {KindText, "Party", false},
		"B1": {KindText, "Нур Отан", false},
		"C1": {KindText, "Ak Zhol", false},
		"A2": {KindNumber, "350000", false},
		"B2": {KindNumber, "101", false},
		"C2": {KindNumber, "12.5", false},
		"D2": {KindNumber, "1.5", false},
		"E2": {KindNumber, "65.12%", false},
		"F2": {KindNumber, "7.1%", false},
		"G2": {KindNumber, "3.25", false},
		"H2": {KindNumber, "0.3", false},
		"A3": {KindDate, "2021-01-10", false},
		"B3": {KindDate, "2021-01-10", false},
		"C3": {KindDate, "2021-01-10T12:00:00", false},
		"D3": {KindDate, "18:00:00", false},
		"E3": {KindDate, "2021-01-10", false},
		"F3": {KindNumber, "-50%", false},
		"B4": {KindNumber, "1", false},
		"C4": {KindNumber, "2", false},
		"D4": {KindNumber, "3", false},
		"A6": {KindBool, "TRUE", false},
		"B6": {KindBool, "FALSE", false},
		"C6": {KindError, "#DIV/0!", false},
		"A7": {KindNumber, "1250000", true},
		"B7": {KindText, "Итого", true},
		"C7": {KindBool, "TRUE", true},
		"D7": {KindError, "#N/A", true},
		"E7": {KindText, "", true},
		"A8": {KindText, "label text", false},
		"B8": {KindText, "rich", false},
	}
	s := wb.Sheet("results") // names match without regard to case
	if s == nil {
		t.Fatal(`Sheet("results") = nil`)
	}
	if diff := cmp.Diff(want, cellMap(t, s)); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}
	merged, err := s.Merged()
	if err != nil {
		t.Fatal(err)
	}
	var ms []string
	for _, m := range merged {
		ms = append(ms, m.String())
	}
	if got := strings.Join(ms, " "); got != "A10:C10 B11:B12" {
		t.Errorf("merged = %s, want A10:C10 B11:B12", got)
	}
}

func TestNumberValues(t *testing.T) {
	wb := mustOpen(t, biff8Book().stream())
	rows, err := wb.Sheets[0].Rows()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		row, col int
		num      float64
	}{
		{2, 1, 350000}, {2, 3, 12.5}, {2, 5, 0.6512}, {3, 1, 44206}, {7, 1, 1250000}, {6, 1, 1},
	} {
		var c Cell
		for _, x := range rows[tc.row-1] {
			if x.Col == tc.col {
				c = x
			}
		}
		if c.Num != tc.num {
			t.Errorf("%s: Num = %v, want %v", ColumnName(tc.col)+fmt.Sprint(tc.row), c.Num, tc.num)
		}
	}
}

func TestBIFF5(t *testing.T) {
	cp := charmap.Windows1251
	enc := func(s string) []byte {
		b, err := cp.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	bk := book{biff: 5, codepage: 1251, date1904: true}
	bk.formats = []format{{164, `d/m/yyyy`}}
	bk.xfs = []int{0, 164}
	bk.sheets = []sheetSpec{
		{name: string(enc("Итоги")), records: [][]byte{
			labelRec(0, 0, bstr(enc("Нур Отан"))),
			numberRec(0, 1, 0, 12345),
			numberRec(0, 2, 1, 0), // 1904-01-01
			formulaRec(1, 0, 0, resString()),
			stringRec(bstr(enc("Всего"))),
			rec(recRString, 1, 1, 0, bstr(enc("Ак Жол")), uint8(0)),
		}},
		{name: "Chart1", kind: 0x02, bofType: bofChart, records: [][]byte{numberRec(0, 0, 0, 1)}},
		{name: "Module1", kind: 0x06, bofType: bofVBModule, hidden: 1},
	}
	wb := mustOpen(t, bk.xlsFile())
	if wb.BIFF != 5 || wb.Codepage != 1251 || !wb.Date1904 {
		t.Errorf("BIFF %d, code page %d, 1904 %v; want 5, 1251, true", wb.BIFF, wb.Codepage, wb.Date1904)
	}
	var names []string
	for _, s := range wb.Sheets {
		names = append(names, fmt.Sprintf("%s/%v/%v", s.Name, s.Kind, s.Hidden))
	}
	if got := strings.Join(names, " "); got != "Итоги/worksheet/false Chart1/chart/false Module1/module/true" {
		t.Errorf("sheets = %s", got)
	}
	want := map[string]got{
		"A1": {KindText, "Нур Отан", false},
		"B1": {KindNumber, "12345", false},
		"C1": {KindDate, "1904-01-01", false},
		"A2": {KindText, "Всего", true},
		"B2": {KindText, "Ак Жол", false},
	}
	if diff := cmp.Diff(want, cellMap(t, wb.Sheets[0])); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}
	for _, s := range wb.Sheets[1:] {
		if rows, err := s.Rows(); len(rows) != 0 || err != nil {
			t.Errorf("%s sheet: %d rows, %v; want none", s.Kind, len(rows), err)
		}
	}
}

func TestSharedStrings(t *testing.T) {
	u16 := func(s string) []byte { return chars(s)[1:] } // characters without the option byte
	for _, tc := range []struct {
		name  string
		segs  [][]byte
		want  []string
		error string
	}{{
		name: "compressed split, goes on compressed",
		segs: [][]byte{le(uint32(2), uint32(2), 11, uint8(0), "Hello"), le(uint8(0), " world", ustr("x"))},
		want: []string{"Hello world", "x"},
	}, {
		name: "compressed split, goes on in UTF-16",
		segs: [][]byte{le(uint32(1), uint32(1), 7, uint8(0), "Nur "), le(uint8(1), u16("Отн"))},
		want: []string{"Nur Отн"},
	}, {
		name: "UTF-16 split, goes on compressed",
		segs: [][]byte{le(uint32(1), uint32(1), 4, uint8(1), u16("Ақ")), le(uint8(0), "ol")},
		want: []string{"Ақol"},
	}, {
		name: "header ends a record, characters start the next with an option byte",
		segs: [][]byte{le(uint32(1), uint32(1), 3, uint8(0)), le(uint8(1), u16("Жол"))},
		want: []string{"Жол"},
	}, {
		name: "next string starts a record, no option byte",
		segs: [][]byte{le(uint32(2), uint32(2), ustr("ab")), le(ustr("cd"))},
		want: []string{"ab", "cd"},
	}, {
		name: "rich-text runs and phonetic block run into the next record",
		segs: [][]byte{
			le(uint32(3), uint32(3), 2, uint8(0x0C), 2, uint32(3), "ab", uint32(0), 0),
			le(0, "PHO", ustr("next"), 1, uint8(0x08), 1, "z", uint32(7)),
		},
		want: []string{"ab", "next", "z"},
	}, {
		name:  "fewer strings than announced",
		segs:  [][]byte{le(uint32(3), uint32(3), ustr("a"), ustr("b"))},
		want:  []string{"a", "b"},
		error: "holds 2 strings, not 3",
	}, {
		name:  "string cut short",
		segs:  [][]byte{le(uint32(2), uint32(2), ustr("a"), 10, uint8(0), "abc")},
		want:  []string{"a"},
		error: "shared string 1: string runs past the end",
	}, {
		name:  "UTF-16 character split between records",
		segs:  [][]byte{le(uint32(1), uint32(1), 2, uint8(1), "\x41"), le(uint8(1), "\x00\x42\x00")},
		want:  []string{},
		error: "split between records",
	}, {
		name:  "header cut short",
		segs:  [][]byte{le(uint32(1), 0)},
		error: "header is cut short",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			strs, err := parseSST(tc.segs)
			if tc.error == "" && err != nil || tc.error != "" && (err == nil || !strings.Contains(err.Error(), tc.error)) {
				t.Errorf("error = %v, want %q", err, tc.error)
			}
			if diff := cmp.Diff(tc.want, strs); diff != "" && !(len(tc.want) == 0 && len(strs) == 0) {
				t.Errorf("strings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSSTAcrossRecords(t *testing.T) {
	// A long Cyrillic string, split by CONTINUE records the way Excel splits
	// an SST: the first part compressed-looking ASCII, the rest UTF-16.
	long := strings.Repeat("x", 30) + strings.Repeat("Ж", 30)
	sst := rec(recSST, uint32(2), uint32(2), 60, uint8(0), strings.Repeat("x", 20))
	cont1 := continueRec(le(uint8(0), strings.Repeat("x", 10)))
	cont2 := continueRec(le(uint8(1), u16le("Ж", 30), ustr("after")))
	bk := book{biff: 8, codepage: 1200, xfs: []int{0}}
	bk.globals = [][]byte{sst, cont1, cont2}
	bk.sheets = []sheetSpec{{name: "S", records: [][]byte{sstRec(0, 0, 0, 0), sstRec(0, 1, 0, 1), sstRec(0, 2, 0, 2)}}}
	// Index 2 does not exist: the error names the sheet and the cell.
	wb := mustOpen(t, bk.xlsFile())
	_, err := wb.Sheets[0].Rows()
	var xe *Error
	if !errors.As(err, &xe) || xe.Sheet != "S" || xe.Row != 1 || xe.Col != 3 {
		t.Fatalf("Rows error = %v, want an *Error at S!C1", err)
	}
	if !strings.Contains(err.Error(), `sheet "S" cell C1`) || !strings.Contains(err.Error(), "shared string 2 does not exist") {
		t.Errorf("error text %q", err)
	}
	bk.sheets[0].records = bk.sheets[0].records[:2]
	wb = mustOpen(t, bk.xlsFile())
	want := map[string]got{"A1": {KindText, long, false}, "B1": {KindText, "after", false}}
	if diff := cmp.Diff(want, cellMap(t, wb.Sheets[0])); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}
}

func u16le(s string, n int) []byte { return chars(strings.Repeat(s, n))[1:] }

func TestLongFormulaString(t *testing.T) {
	// A formula's string result longer than one record goes on in CONTINUE.
	bk := book{biff: 8, codepage: 1200, xfs: []int{0}}
	bk.sheets = []sheetSpec{{name: "S", records: [][]byte{
		formulaRec(0, 0, 0, resString()),
		rec(recString, 8, uint8(0), "abcd"),
		continueRec(le(uint8(1), u16le("й", 4))),
		numberRec(0, 1, 0, 2),
	}}}
	wb := mustOpen(t, bk.stream())
	want := map[string]got{"A1": {KindText, "abcdйййй", true}, "B1": {KindNumber, "2", false}}
	if diff := cmp.Diff(want, cellMap(t, wb.Sheets[0])); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}
}

func TestContainers(t *testing.T) {
	stream := biff8Book().stream()
	other := []byte("not a workbook")
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"Workbook stream", cfb([]string{"Workbook"}, [][]byte{stream})},
		{"upper-case name", cfb([]string{"WORKBOOK"}, [][]byte{stream})},
		{"beside other streams", cfb([]string{"\x05SummaryInformation", "Workbook", "\x05DocumentSummaryInformation"}, [][]byte{other, stream, other})},
		{"Workbook preferred to Book", cfb([]string{"Book", "Workbook"}, [][]byte{other, stream})},
		{"bare BIFF stream", stream},
		{"last sector not padded", unpadded(cfb([]string{"Workbook"}, [][]byte{stream}))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wb, err := OpenBytes(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if got := cellMap(t, wb.Sheets[0])["B7"].Text; got != "Итого" {
				t.Errorf("B7 = %q, want Итого", got)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	encrypted := biff8Book()
	encrypted.globals = append([][]byte{rec(recFilepass, 1, 1, 1, make([]byte, 48))}, encrypted.globals...)
	biff4 := rec(recBOF4, 0, 0x0100, 0)
	worksheetFirst := rec(recBOF, 0x0600, bofWorksheet, 0, 0, uint32(0), uint32(0))
	for _, tc := range []struct {
		name     string
		file     []byte
		sentinel error
		text     string
	}{
		{"empty", nil, ErrNotXLS, "too short"},
		{"zip", []byte("PK\x03\x04\x14\x00\x06\x00rest"), ErrNotXLS, "zip archive"},
		{"html", []byte("<html><table><tr><td>1</td></tr></table></html>"), ErrNotXLS, "HTML"},
		{"gzip", []byte{0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0}, ErrNotXLS, "gzip"},
		{"no workbook stream", cfb([]string{"WordDocument"}, [][]byte{[]byte("x")}), ErrNotXLS, "no Workbook or Book stream (streams: WordDocument)"},
		{"encrypted OOXML", cfb([]string{"EncryptionInfo", "EncryptedPackage"}, [][]byte{[]byte("x"), []byte("y")}), ErrEncrypted, "xlsx"},
		{"FILEPASS", encrypted.xlsFile(), ErrEncrypted, "encrypted"},
		{"BIFF4", append(biff4, rec(recEOF)...), ErrUnsupported, "BIFF4"},
		{"worksheet without globals", append(worksheetFirst, rec(recEOF)...), ErrNotXLS, "not the workbook globals"},
		{"damaged container", append(append([]byte{}, cfbMagic...), make([]byte, 600)...), ErrNotXLS, "damaged compound file"},
		{"truncated globals", biff8Book().stream()[:55], nil, "workbook globals (record at byte"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := OpenBytes(tc.file)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("error %q is not %v", err, tc.sentinel)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %q does not say %q", err, tc.text)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is more than one line", err)
			}
		})
	}
}

func TestSheetErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		records [][]byte
		text    string
		row     int
		col     int
	}{
		{"short NUMBER", [][]byte{rec(recNumber, 4, 2, 0, uint32(0))}, "record 0x0203 of 10 bytes is too short (at least 14)", 5, 3},
		{"short LABEL", [][]byte{labelRec(1, 1, le(5, uint8(0), "ab"))}, "string runs past the end", 2, 2},
		{"SST index without an SST", [][]byte{sstRec(0, 0, 0, 0)}, "shared string 0 does not exist: the table has 0", 1, 1},
		{"cell past column IV", [][]byte{numberRec(3, 256, 0, 1)}, "column IW is past IV", 4, 257},
		{"MULRK reaching past column IV", [][]byte{rec(recMulRK, 0, 254, 0, uint32(6), 0, uint32(6), 0, uint32(6), 256)}, "column IW is past IV", 1, 257},
		{"record past the end of the stream", [][]byte{le(recNumber, 14, 0, 0)}, "record runs past the end", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bk := book{biff: 8, codepage: 1200, sheets: []sheetSpec{{name: "Votes", records: tc.records}}}
			stream := bk.stream()
			if tc.row == 0 { // drop the sheet's EOF so the bad record reaches past the end
				stream = stream[:len(stream)-4]
			}
			wb := mustOpen(t, stream)
			_, err := wb.Sheets[0].Rows()
			var xe *Error
			if !errors.As(err, &xe) {
				t.Fatalf("Rows error = %v, want an *Error", err)
			}
			if xe.Sheet != "Votes" || xe.Row != tc.row || xe.Col != tc.col || xe.Offset <= 0 {
				t.Errorf("error at %q row %d col %d offset %d, want Votes row %d col %d", xe.Sheet, xe.Row, xe.Col, xe.Offset, tc.row, tc.col)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %q does not say %q", err, tc.text)
			}
			// The error stays until Release, and comes back after it.
			if _, again := wb.Sheets[0].Merged(); again == nil {
				t.Error("Merged after a failed decode gave no error")
			}
		})
	}
}

func TestSheetLayoutQuirks(t *testing.T) {
	t.Run("BOUNDSHEET offsets wrong", func(t *testing.T) {
		bk := book{biff: 8, codepage: 1200, badOffsets: true, sheets: []sheetSpec{
			{name: "One", records: [][]byte{numberRec(0, 0, 0, 1)}},
			{name: "Two", records: [][]byte{numberRec(0, 0, 0, 2)}},
		}}
		wb := mustOpen(t, bk.stream())
		for i, want := range []string{"1", "2"} {
			if got := cellMap(t, wb.Sheets[i])["A1"].Text; got != want {
				t.Errorf("sheet %d A1 = %q, want %q", i+1, got, want)
			}
		}
	})
	t.Run("chart embedded in a worksheet", func(t *testing.T) {
		chart := le(rec(recBOF, 0x0600, bofChart, 0, 0, uint32(0), uint32(0)), numberRec(0, 0, 0, 99), rec(recEOF))
		bk := book{biff: 8, codepage: 1200, sheets: []sheetSpec{{name: "S", records: [][]byte{
			numberRec(0, 0, 0, 1), chart, numberRec(1, 0, 0, 2),
		}}}}
		want := map[string]got{"A1": {KindNumber, "1", false}, "A2": {KindNumber, "2", false}}
		if diff := cmp.Diff(want, cellMap(t, mustOpen(t, bk.stream()).Sheets[0])); diff != "" {
			t.Errorf("cells (-want +got):\n%s", diff)
		}
	})
	t.Run("cells out of order and written twice", func(t *testing.T) {
		bk := book{biff: 8, codepage: 1200, sheets: []sheetSpec{{name: "S", records: [][]byte{
			numberRec(2, 3, 0, 1), numberRec(2, 1, 0, 2), numberRec(2, 3, 0, 3), numberRec(0, 0, 0, 4),
		}}}}
		wb := mustOpen(t, bk.stream())
		want := map[string]got{"D3": {KindNumber, "3", false}, "B3": {KindNumber, "2", false}, "A1": {KindNumber, "4", false}}
		if diff := cmp.Diff(want, cellMap(t, wb.Sheets[0])); diff != "" {
			t.Errorf("cells (-want +got):\n%s", diff)
		}
		rows, _ := wb.Sheets[0].Rows()
		if len(rows) != 3 || len(rows[1]) != 0 {
			t.Errorf("rows = %v, want 3 rows, the second empty", rows)
		}
	})
	t.Run("sheet cut off before its EOF", func(t *testing.T) {
		bk := book{biff: 8, codepage: 1200, sheets: []sheetSpec{{name: "S", records: [][]byte{numberRec(0, 0, 0, 7)}}}}
		stream := bk.stream()
		wb := mustOpen(t, stream[:len(stream)-4])
		if got := cellMap(t, wb.Sheets[0])["A1"].Text; got != "7" {
			t.Errorf("A1 = %q, want 7", got)
		}
	})
	t.Run("BOUNDSHEET says worksheet, BOF says chart", func(t *testing.T) {
		bk := book{biff: 8, codepage: 1200, sheets: []sheetSpec{{name: "S", bofType: bofChart, records: [][]byte{numberRec(0, 0, 0, 1)}}}}
		if rows, err := mustOpen(t, bk.stream()).Sheets[0].Rows(); len(rows) != 0 || err != nil {
			t.Errorf("%d rows, %v; want none", len(rows), err)
		}
	})
	t.Run("unknown records and stray CONTINUE", func(t *testing.T) {
		bk := book{biff: 8, codepage: 1200, sheets: []sheetSpec{{name: "S", records: [][]byte{
			rec(0x7777, "junk"), continueRec([]byte("more")), stringRec(ustr("orphan")), numberRec(0, 0, 0, 5),
		}}}}
		want := map[string]got{"A1": {KindNumber, "5", false}}
		if diff := cmp.Diff(want, cellMap(t, mustOpen(t, bk.stream()).Sheets[0])); diff != "" {
			t.Errorf("cells (-want +got):\n%s", diff)
		}
	})
}

func TestLazyDecoding(t *testing.T) {
	bk := book{biff: 8, codepage: 1200}
	for i := range 150 {
		bk.sheets = append(bk.sheets, sheetSpec{name: fmt.Sprintf("S%03d", i), records: [][]byte{numberRec(0, 0, 0, float64(i))}})
	}
	wb := mustOpen(t, bk.xlsFile())
	if len(wb.Sheets) != 150 {
		t.Fatalf("%d sheets, want 150", len(wb.Sheets))
	}
	for _, s := range wb.Sheets {
		if s.data != nil {
			t.Fatalf("sheet %s decoded by Open", s.Name)
		}
	}
	s := wb.Sheet("S149")
	a, _ := s.Rows()
	b, _ := s.Rows()
	if &a[0][0] != &b[0][0] {
		t.Error("second Rows decoded again")
	}
	if a[0][0].Text != "149" {
		t.Errorf("S149!A1 = %q", a[0][0].Text)
	}
	s.Release()
	if s.data != nil {
		t.Error("Release kept the cells")
	}
	c, _ := s.Rows()
	if c[0][0].Text != "149" {
		t.Errorf("after Release, S149!A1 = %q", c[0][0].Text)
	}
	if wb.Sheets[0].data != nil || wb.Sheets[148].data != nil {
		t.Error("reading one sheet decoded others")
	}
}

func TestErrorFormat(t *testing.T) {
	err := error(&Error{Sheet: "County Results", Row: 7, Col: 28, Offset: 1234, Err: errShortString})
	want := `xls: sheet "County Results" cell AB7 (record at byte 1234): string runs past the end of its record`
	if err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
	if !errors.Is(err, errShortString) {
		t.Error("Unwrap lost the cause")
	}
	if g := (&Error{Offset: 8, Err: errTruncatedRecord}).Error(); g != "xls: workbook globals (record at byte 8): record runs past the end of the workbook stream" {
		t.Errorf("globals error = %s", g)
	}
}

func TestOpenReaderAt(t *testing.T) {
	file := biff8Book().xlsFile()
	wb, err := Open(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	if got := cellMap(t, wb.Sheets[0])["A2"].Text; got != "350000" {
		t.Errorf("A2 = %q", got)
	}
}

// unpadded cuts the last 400 bytes of a compound file, as some writers leave
// the last sector short.
func unpadded(f []byte) []byte { return f[:len(f)-400] }
