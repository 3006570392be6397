package sources

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"tally/report"
	"tally/sources/xls"
)

// sheetRows reads a Source to the end and returns copies of its rows by
// sheet, in the order they came.
func sheetRows(t *testing.T, in Input) (sheets []string, rows map[string][]Row) {
	t.Helper()
	src, err := Open(context.Background(), in)
	if err != nil {
		t.Fatalf("Open(%s): %v", in.Path, err)
	}
	defer src.Close()
	rows = map[string][]Row{}
	for {
		b, err := src.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if len(sheets) == 0 || sheets[len(sheets)-1] != b.Sheet {
			sheets = append(sheets, b.Sheet)
		}
		for _, r := range b.Rows {
			rows[b.Sheet] = append(rows[b.Sheet], Row{Num: r.Num, Cells: append([]string(nil), r.Cells...)})
		}
	}
	return sheets, rows
}

// sameValue reports whether an .xls cell text and the raw .xlsx value of
// the same cell say the same thing, allowing for the forms the .xls source
// documents: percent with a sign, dates and times as ISO text, TRUE/FALSE.
func sameValue(xlsText, xlsxRaw string) bool {
	if xlsText == xlsxRaw {
		return true
	}
	v, err := strconv.ParseFloat(xlsxRaw, 64)
	if err != nil {
		return false
	}
	switch {
	case xlsText == "TRUE" || xlsText == "FALSE":
		return (v == 1) == (xlsText == "TRUE")
	case strings.HasSuffix(xlsText, "%"):
		p, err := strconv.ParseFloat(strings.TrimSuffix(xlsText, "%"), 64)
		return err == nil && math.Abs(p-v*100) < 1e-9
	case strings.Count(xlsText, ":") == 2 && len(xlsText) == 8:
		secs := int(math.Round(v * 86400))
		return xlsText == time2(secs)
	case strings.Count(xlsText, "-") == 2:
		tm, err := excelize.ExcelDateToTime(v, false)
		if err != nil {
			return false
		}
		tm = tm.Round(1e9)
		if tm.Hour() == 0 && tm.Minute() == 0 && tm.Second() == 0 {
			return xlsText == tm.Format("2006-01-02")
		}
		return xlsText == tm.Format("2006-01-02T15:04:05")
	}
	w, err := strconv.ParseFloat(xlsText, 64)
	return err == nil && w == v
}

func time2(secs int) string {
	p := func(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }
	return p(secs/3600) + ":" + p(secs/60%60) + ":" + p(secs%60)
}

// TestXLSMatchesXLSX reads one workbook saved as .xls and as .xlsx through
// both sources: the same sheets, the same rows under the same numbers, the
// same cells (up to the documented forms of percents, dates and booleans).
func TestXLSMatchesXLSX(t *testing.T) {
	xsheets, xrows := sheetRows(t, Input{Path: "xls/testdata/conformance.xls"})
	wsheets, wrows := sheetRows(t, Input{Path: "xls/testdata/conformance.xlsx"})
	if strings.Join(xsheets, "|") != strings.Join(wsheets, "|") {
		t.Fatalf("sheets with rows: .xls %q, .xlsx %q", xsheets, wsheets)
	}
	cells := 0
	for _, sheet := range wsheets {
		nonBlank := func(rows []Row) map[int]Row {
			m := map[int]Row{}
			for i, r := range rows {
				if i > 0 && rows[i-1].Num >= r.Num {
					t.Errorf("%s: row %d after row %d", sheet, r.Num, rows[i-1].Num)
				}
				if !r.Blank() {
					m[r.Num] = r
				}
			}
			return m
		}
		xm, wm := nonBlank(xrows[sheet]), nonBlank(wrows[sheet])
		if len(xm) != len(wm) {
			t.Errorf("%s: %d rows with values in .xls, %d in .xlsx", sheet, len(xm), len(wm))
		}
		for num, w := range wm {
			x, ok := xm[num]
			if !ok {
				t.Errorf("%s: row %d missing from .xls", sheet, num)
				continue
			}
			for c := 0; c < max(len(x.Cells), len(w.Cells)); c++ {
				cells++
				if !sameValue(x.Cell(c), w.Cell(c)) {
					t.Errorf("%s!%s%d: .xls %q, .xlsx %q", sheet, report.ColumnName(c+1), num, x.Cell(c), w.Cell(c))
				}
			}
		}
	}
	if cells < 100 {
		t.Errorf("only %d cells compared", cells)
	}
	// Spot checks of the documented forms.
	res := xrows["Results"]
	for _, tc := range []struct {
		row, col int
		want     string
	}{{1, 1, "Выборы в Мажилис 2021 — итоги"}, {3, 5, "28.5714285714286%"}, {3, 6, "2021-01-10"}, {3, 7, "18:00:00"}, {5, 8, "TRUE"}, {6, 8, "#DIV/0!"}, {7, 2, "1474070"}} {
		if got := res[tc.row-1].Cell(tc.col - 1); got != tc.want || res[tc.row-1].Num != tc.row {
			t.Errorf("Results row %d col %d = %q (row %d), want %q", tc.row, tc.col, got, res[tc.row-1].Num, tc.want)
		}
	}
	if len(res[0].Cells) != 1 {
		t.Errorf("merged title row has %d cells, want its text in A1 only, as the .xlsx source gives it", len(res[0].Cells))
	}
}

func TestXLSTables(t *testing.T) {
	xt, xr, xs := readAll(t, Input{Path: "xls/testdata/conformance.xls"}, TableOptions{})
	wt, wr, ws := readAll(t, Input{Path: "xls/testdata/conformance.xlsx"}, TableOptions{})
	if len(xt) != len(wt) || len(xt) == 0 {
		t.Fatalf("%d tables from .xls, %d from .xlsx", len(xt), len(wt))
	}
	for i := range xt {
		x, w := xt[i], wt[i]
		if x.Sheet != w.Sheet || x.Title != w.Title || strings.Join(x.Columns, "|") != strings.Join(w.Columns, "|") ||
			len(x.HeaderRows) != len(w.HeaderRows) || x.HeaderRows[0] != w.HeaderRows[0] {
			t.Errorf("table %d: .xls %s %q %v %q, .xlsx %s %q %v %q", i+1, x.Sheet, x.Title, x.HeaderRows, x.Columns, w.Sheet, w.Title, w.HeaderRows, w.Columns)
		}
		if len(xr[i]) != len(wr[i]) {
			t.Errorf("table %d: %d data rows from .xls, %d from .xlsx", i+1, len(xr[i]), len(wr[i]))
		}
	}
	if xs.DataRows != ws.DataRows || xs.HeaderRows != ws.HeaderRows || xs.Preamble != ws.Preamble {
		t.Errorf("stats .xls %+v, .xlsx %+v", xs, ws)
	}
}

func TestXLSRealFiles(t *testing.T) {
	const dir = "../../shared/data/real"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("shared real data not present: run from the tally checkout beside ../shared")
	}
	t.Run("Kansas 1996, Excel 95 in gzip", func(t *testing.T) {
		tables, rows, _ := readAll(t, Input{Path: filepath.Join(dir, "us-kansas/96PVPPCT.XLS.gz")}, TableOptions{})
		if len(tables) != 1 || len(tables[0].HeaderRows) != 3 || tables[0].HeaderRows[0] != 1 {
			t.Fatalf("tables = %+v", tables)
		}
		last := rows[0][len(rows[0])-1]
		if last.Num != 3915 || last.Cell(1) != "Grand Total" || last.Cell(9) != "583245" || last.Cell(4) != "387659" || last.Cell(8) != "92639" {
			t.Errorf("last row %d: %q", last.Num, last.Cells)
		}
	})
	t.Run("North Dakota 2016, sheet selection", func(t *testing.T) {
		path := filepath.Join(dir, "us-north-dakota/20161108__nd__general__president__precinct.xls")
		sheets, rows := sheetRows(t, Input{Path: path, Sheets: []string{"County Results"}})
		if len(sheets) != 1 || len(rows["County Results"]) != 113 {
			t.Errorf("sheets %q, %d rows; want County Results, 113", sheets, len(rows["County Results"]))
		}
		sheets, _ = sheetRows(t, Input{Path: path, Sheets: []string{"B*"}})
		if got := strings.Join(sheets, ","); got != "Barnes,Benson,Billings,Bottineau,Bowman,Burke,Burleigh" {
			t.Errorf("B* selects %s", got)
		}
		_, err := Open(context.Background(), Input{Path: path, Name: "nd.xls", Sheets: []string{"Results"}})
		if !errors.Is(err, ErrNoSheet) || !errors.Is(err, report.ErrInput) || !strings.Contains(err.Error(), `"County Results", "Adams"`) {
			t.Errorf("missing sheet: %v", err)
		}
	})
}

// biff is a bare BIFF8 stream made of records, with sheets whose offsets
// the globals' BOUNDSHEET records point at.
func biff(globals [][]byte, sheets map[string][][]byte, order []string) []byte {
	rec := func(id uint16, data []byte) []byte {
		b := binary.LittleEndian.AppendUint16(nil, id)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(data)))
		return append(b, data...)
	}
	bof := func(dt uint16) []byte {
		d := make([]byte, 16)
		binary.LittleEndian.PutUint16(d, 0x0600)
		binary.LittleEndian.PutUint16(d[2:], dt)
		return rec(0x0809, d)
	}
	g := bof(0x0005)
	for _, r := range globals {
		g = append(g, r...)
	}
	var offs []int
	for _, name := range order {
		offs = append(offs, len(g)+4)
		g = append(g, rec(0x0085, append([]byte{0, 0, 0, 0, 0, 0, byte(len(name)), 0}, name...))...)
	}
	g = append(g, rec(0x000A, nil)...)
	for i, name := range order {
		binary.LittleEndian.PutUint32(g[offs[i]:], uint32(len(g)))
		g = append(g, bof(0x0010)...)
		for _, r := range sheets[name] {
			g = append(g, rec(binary.LittleEndian.Uint16(r), r[2:])...)
		}
		g = append(g, rec(0x000A, nil)...)
	}
	return g
}

func TestXLSErrors(t *testing.T) {
	encrypted := biff([][]byte{{0x2F, 0x00, 0x06, 0x00, 1, 0, 1, 0, 1, 0}}, nil, nil)
	// A NUMBER record (0x0203) of 10 bytes instead of 14, at D5 of "Votes".
	short := biff(nil, map[string][][]byte{"Votes": {{0x03, 0x02, 4, 0, 3, 0, 0, 0, 0, 0, 0, 0}}}, []string{"Votes"})
	for _, tc := range []struct {
		name     string
		file     string
		data     []byte
		format   string
		sentinel error
		text     string
	}{
		{"not a compound file inside", "bad.xls", append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 600)...), "", xls.ErrNotXLS, "bad.xls: not an .xls workbook: damaged compound file"},
		{"a CSV read as xls", "votes.csv", []byte("party,votes\nA,1\n"), "xls", xls.ErrNotXLS, "votes.csv: not an .xls workbook"},
		{"encrypted", "secret.xls", encrypted, "", xls.ErrEncrypted, "secret.xls: workbook is encrypted; save it without a password"},
		{"damaged cell record", "short.xls", short, "", nil, "short.xls:Votes:5:4: damaged .xls record at byte"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, tc.file, tc.data)
			src, err := Open(context.Background(), Input{Path: p, Name: tc.file, Format: tc.format})
			if err == nil {
				_, err = src.Next(context.Background())
				src.Close()
			}
			if err == nil || !errors.Is(err, report.ErrInput) {
				t.Fatalf("error %v is not an input error", err)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("error %v is not %v", err, tc.sentinel)
			}
			if !strings.HasPrefix(err.Error(), tc.text) {
				t.Errorf("error %q does not start %q", err, tc.text)
			}
		})
	}
}

func TestXLSSniffAndClose(t *testing.T) {
	b, err := os.ReadFile("xls/testdata/conformance.xls")
	if err != nil {
		t.Fatal(err)
	}
	// No extension to go by: the compound-file magic says xls.
	p := writeFile(t, "download.bin", b)
	src, err := Open(context.Background(), Input{Path: p})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := src.Next(context.Background())
	if err != nil || batch.Sheet != "Results" || batch.Rows[0].Num != 1 {
		t.Fatalf("first batch %+v, %v", batch, err)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if err := src.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := src.Next(context.Background()); err == nil || err == io.EOF {
		t.Errorf("Next after Close = %v, want an error", err)
	}
	// A bare BIFF stream is sniffed too.
	raw := biff(nil, map[string][][]byte{"S": {{0x03, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F}}}, []string{"S"})
	sheets, rows := sheetRows(t, Input{Path: writeFile(t, "raw.dat", raw)})
	if len(sheets) != 1 || rows["S"][0].Cell(0) != "1" {
		t.Errorf("bare BIFF stream: %q %v", sheets, rows)
	}
}

func TestXLSBatches(t *testing.T) {
	// Small batches: rows keep their numbers across batch boundaries, and
	// each batch holds rows of one sheet.
	src, err := Open(context.Background(), Input{Path: "xls/testdata/conformance.xls", BatchRows: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	next := map[string]int{}
	batches := 0
	for {
		b, err := src.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		batches++
		if len(b.Rows) == 0 || len(b.Rows) > 5 {
			t.Errorf("batch of %d rows", len(b.Rows))
		}
		for _, r := range b.Rows {
			if r.Num != next[b.Sheet]+1 {
				t.Errorf("%s: row %d after %d", b.Sheet, r.Num, next[b.Sheet])
			}
			next[b.Sheet] = r.Num
		}
	}
	if next["Results"] != 12 || next["Second"] != 31 || batches != 3+7 {
		t.Errorf("last rows %v in %d batches; want Results to 12, Second to 31, in 10 batches", next, batches)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := src.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Next with a cancelled context = %v", err)
	}
}
