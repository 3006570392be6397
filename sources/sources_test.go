package sources

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"tally/report"
)

// readAll opens path and returns every data row of every table, with the
// reader's stats.
func readAll(t *testing.T, in Input, opt TableOptions) ([]*Table, [][]Row, Stats) {
	t.Helper()
	src, err := Open(context.Background(), in)
	if err != nil {
		t.Fatalf("Open(%s): %v", in.Path, err)
	}
	tr := NewTableReader(src, opt)
	defer func() {
		if err := tr.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := tr.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	}()
	var tables []*Table
	var rows [][]Row
	for {
		b, err := tr.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if len(tables) == 0 || tables[len(tables)-1] != b.Table {
			tables = append(tables, b.Table)
			rows = append(rows, nil)
		}
		for _, r := range b.Rows {
			rows[len(rows)-1] = append(rows[len(rows)-1], Row{Num: r.Num, Cells: append([]string(nil), r.Cells...)})
		}
	}
	st := tr.Stats()
	if st.Rows != st.DataRows+st.HeaderRows+st.Preamble+st.Blank {
		t.Errorf("stats do not add up: %+v", st)
	}
	return tables, rows, st
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const protocolCSV = "Итоги выборов\n\nОкруг;Число избирателей;Нур Отан;Ак жол\n" +
	"Алматы;1 000;600;300\n" +
	"\"Нур-Султан; столица\";2 000;1 200;700\n" +
	"Итого;3 000;1 800;1 000\n"

func TestCSVEncodingsAndHeader(t *testing.T) {
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(protocolCSV)
	cp1251, _ := charmap.Windows1251.NewEncoder().String(protocolCSV)
	koi8, _ := charmap.KOI8R.NewEncoder().String(protocolCSV)
	tests := []struct {
		name, data, enc string
	}{
		{"utf-8", protocolCSV, "utf-8"},
		{"utf-8 bom", "\ufeff" + protocolCSV, "utf-8-bom"},
		{"utf-16le bom", utf16, "utf-16le"},
		{"windows-1251", cp1251, "windows-1251"},
		{"koi8-r", koi8, "koi8-r"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if g := DetectEncoding([]byte(tc.data)); g.Name != tc.enc {
				t.Errorf("DetectEncoding = %+v, want %s", g, tc.enc)
			}
			p := writeFile(t, "p.csv", []byte(tc.data))
			tables, rows, st := readAll(t, Input{Path: p, Name: "p.csv"}, TableOptions{})
			if len(tables) != 1 {
				t.Fatalf("tables = %d, want 1", len(tables))
			}
			want := []string{"Округ", "Число избирателей", "Нур Отан", "Ак жол"}
			if strings.Join(tables[0].Columns, "|") != strings.Join(want, "|") || tables[0].HeaderRows[0] != 3 {
				t.Errorf("header = %q at rows %v, want %q at row 3", tables[0].Columns, tables[0].HeaderRows, want)
			}
			got := rows[0]
			if len(got) != 3 || got[1].Num != 5 || got[1].Cells[0] != "Нур-Султан; столица" || got[2].Cells[3] != "1 000" {
				t.Errorf("rows = %v", got)
			}
			// Empty lines of a text file are not records: the CSV reader
			// skips them, and the row numbers of what follows stay right.
			if st.Rows != 5 || st.Preamble != 1 || st.HeaderRows != 1 || st.DataRows != 3 {
				t.Errorf("stats = %+v, want 5 records: 1 title, 1 header, 3 data", st)
			}
		})
	}
}

func TestSniffDelimiter(t *testing.T) {
	for _, tc := range []struct {
		text string
		want rune
	}{
		{"a,b,c\n1,2,3\n", ','},
		{"a;b;c\n1;2,5;3\n4;5,1;6\n", ';'},
		{"a\tb\tc\n1\t2\t3\n", '\t'},
		{"a|b|c\n1|2|3\n", '|'},
		{"Title, with a comma\na;b;c\n1;2;3\n4;5;6\n", ';'},
		{"\"x,y\";b\n\"1,2\";3\n", ';'},
		{"single\n", ','},
	} {
		if got := SniffDelimiter([]byte(tc.text)); got != tc.want {
			t.Errorf("SniffDelimiter(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestContainers(t *testing.T) {
	body := []byte("party,votes\nA,1\nB,2\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(body)
	zw.Close()
	var zb bytes.Buffer
	z := zip.NewWriter(&zb)
	w, _ := z.Create("readme.md")
	w.Write([]byte("# not a table"))
	w, _ = z.Create("data/results.csv")
	w.Write(body)
	z.Close()
	var two bytes.Buffer
	z = zip.NewWriter(&two)
	for _, n := range []string{"a.csv", "b.csv"} {
		w, _ := z.Create(n)
		w.Write(body)
	}
	z.Close()

	for _, tc := range []struct {
		name, file string
		data       []byte
		member     string
	}{
		{"gzip", "r.csv.gz", gz.Bytes(), ""},
		{"zip, the only table", "r.zip", zb.Bytes(), ""},
		{"zip, named member", "r2.zip", two.Bytes(), "b.csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, tc.file, tc.data)
			_, rows, _ := readAll(t, Input{Path: p, Member: tc.member}, TableOptions{})
			if len(rows) != 1 || len(rows[0]) != 2 || rows[0][1].Cells[1] != "2" {
				t.Errorf("rows = %v", rows)
			}
		})
	}
	p := writeFile(t, "two.zip", two.Bytes())
	_, err := Open(context.Background(), Input{Path: p, Name: "two.zip"})
	if err == nil || !errors.Is(err, report.ErrInput) || !strings.Contains(err.Error(), "name one with member:") {
		t.Errorf("two tables in a zip: err = %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := Open(context.Background(), Input{Path: filepath.Join(t.TempDir(), "none.csv"), Name: "none.csv"})
	if !errors.Is(err, report.ErrInput) || !strings.HasPrefix(err.Error(), "none.csv: file not found") {
		t.Errorf("missing file: %v", err)
	}
	p := writeFile(t, "x.csv", []byte("a,b\n1,2\n"))
	_, err = Open(context.Background(), Input{Path: p, Name: "x.csv", Encoding: "ebcdic"})
	if !errors.Is(err, report.ErrUsage) || !strings.Contains(err.Error(), "unknown encoding \"ebcdic\"") {
		t.Errorf("bad encoding: %v", err)
	}
	_, err = Open(context.Background(), Input{Path: p, Name: "x.csv", Format: "ods"})
	if !errors.Is(err, report.ErrUsage) || !strings.Contains(err.Error(), "unknown format \"ods\"") {
		t.Errorf("bad format: %v", err)
	}
}

func TestXLSX(t *testing.T) {
	in := Input{Path: "../testdata/kz-2021/protocol-wide.xlsx", Name: "protocol-wide.xlsx"}
	tables, rows, st := readAll(t, in, TableOptions{})
	if len(tables) != 1 || tables[0].Sheet != "Итоги" || tables[0].HeaderRows[0] != 3 {
		t.Fatalf("tables = %+v", tables)
	}
	if tables[0].Columns[5] != "Партия «Nur Otan»" || len(rows[0]) != 1 || rows[0][0].Num != 4 || rows[0][0].Cells[5] != "5148074" {
		t.Errorf("columns %q rows %v", tables[0].Columns, rows)
	}
	if st.Preamble != 1 || st.Blank != 1 {
		t.Errorf("stats = %+v, want the title row and the blank row counted", st)
	}
	_, err := Open(context.Background(), Input{Path: in.Path, Name: in.Name, Sheets: []string{"Results"}})
	if !errors.Is(err, ErrNoSheet) || !strings.Contains(err.Error(), `"Итоги"`) {
		t.Errorf("missing sheet: %v", err)
	}
}

func TestDetectHeaderMultiRow(t *testing.T) {
	rows := []Row{
		{Num: 1, Cells: []string{"Protocol of the regional commission"}},
		{Num: 2, Cells: []string{"Region", "Voters", "Party A", "", "Party B", ""}},
		{Num: 3, Cells: []string{"", "", "votes", "%", "votes", "%"}},
		{Num: 4, Cells: []string{"North", "1000", "600", "60.0", "400", "40.0"}},
	}
	i, n := DetectHeader(rows, 0)
	if i != 1 || n != 2 {
		t.Fatalf("DetectHeader = %d, %d; want 1, 2", i, n)
	}
	got := JoinHeader(rows[i : i+n])
	want := []string{"Region", "Voters", "Party A / votes", "Party A / %", "Party B / votes", "Party B / %"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("JoinHeader = %q, want %q", got, want)
	}
}

func TestLooksNumeric(t *testing.T) {
	for s, want := range map[string]bool{"1 234": true, "71,09%": true, "-": true, "12a": false, "Итого": false, "": false} {
		if got := LooksNumeric(s); got != want {
			t.Errorf("LooksNumeric(%q) = %v", s, got)
		}
	}
}
