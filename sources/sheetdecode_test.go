package sources

import (
	"archive/zip"
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"tally/internal/testkit"
)

// sheetXML returns the XML of the first worksheet of a benchmark
// workbook of stations rows.
func sheetXML(tb testing.TB, stations int) []byte {
	tb.Helper()
	path, _, err := writeBenchWorkbook(tb.TempDir(), stations, 1)
	if err != nil {
		tb.Fatal(err)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			rc, err := f.Open()
			if err != nil {
				tb.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				tb.Fatal(err)
			}
			return b
		}
	}
	tb.Fatal("no sheet1.xml")
	return nil
}

// BenchmarkXMLScan tokenizes a worksheet's XML; BenchmarkSheetDecode
// decodes its rows. MB/s is XML bytes per second.
func BenchmarkXMLScan(b *testing.B) {
	text := sheetXML(b, 20_000)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	defer testkit.ReportCPU(b, testkit.CPUTime())
	for b.Loop() {
		sc := newXMLScanner(bytes.NewReader(text))
		for {
			if _, err := sc.next(); err != nil {
				break
			}
		}
	}
}

func BenchmarkSheetDecode(b *testing.B) {
	text := sheetXML(b, 20_000)
	// The same sheet as some writers write it, every element prefixed.
	prefixed := text
	for _, tag := range []string{"sheetData", "row", "c", "v", "is", "t"} {
		for _, end := range []string{" ", ">"} {
			prefixed = bytes.ReplaceAll(prefixed, []byte("<"+tag+end), []byte("<x:"+tag+end))
		}
		prefixed = bytes.ReplaceAll(prefixed, []byte("</"+tag+">"), []byte("</x:"+tag+">"))
	}
	for _, c := range []struct {
		name string
		text []byte
	}{{"prefix=none", text}, {"prefix=x", prefixed}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			b.ReportAllocs()
			defer testkit.ReportCPU(b, testkit.CPUTime())
			n := 0
			for b.Loop() {
				out := make(chan []Row, 1<<12)
				d := newSheetDecoder(nil, DefaultBatchRows, out, make(chan struct{}))
				if err := d.decode(bytes.NewReader(c.text)); err != nil {
					b.Fatal(err)
				}
				close(out)
				n = 0
				for rows := range out {
					n += len(rows)
				}
			}
			if n != 20_001 {
				b.Fatalf("%d rows", n)
			}
		})
	}
}

// decodeRows decodes a worksheet's XML in batches of two rows.
func decodeRows(t *testing.T, text string, prescan func() []cellRange) [][]string {
	t.Helper()
	out := make(chan []Row, 100)
	d := newSheetDecoder(nil, 2, out, make(chan struct{}))
	d.prescan = prescan
	if err := d.decode(strings.NewReader(text)); err != nil {
		t.Fatal(err)
	}
	close(out)
	var rows [][]string
	for b := range out {
		for _, r := range b {
			if r.Num != len(rows)+1 {
				t.Fatalf("row %d after %d rows", r.Num, len(rows))
			}
			rows = append(rows, r.Cells)
		}
	}
	return rows
}

// TestSheetDecoderMerges: the merged ranges listed after the cell data
// fill their rows in the same pass when the sheet's rows fit in
// holdBytes; past that, the ranges are read first (prescan) and fill the
// rows kept back and those after them.
func TestSheetDecoderMerges(t *testing.T) {
	const text = `<worksheet><sheetData>` +
		`<row r="1"><c r="A1" t="inlineStr"><is><t>North</t></is></c><c r="B1"><v>1</v></c></row>` +
		`<row r="2"><c r="B2"><v>2</v></c></row>` +
		`<row r="3"><c r="B3"><v>3</v></c></row>` +
		`<row r="4"><c r="B4"><v>4</v></c></row>` +
		`<row r="5"><c r="B5"><v>5</v></c></row>` +
		`</sheetData><mergeCells count="1"><mergeCell ref="A1:A4"/></mergeCells></worksheet>`
	filled := [][]string{{"North", "1"}, {"North", "2"}, {"North", "3"}, {"North", "4"}, {"", "5"}}
	rows := decodeRows(t, text, func() []cellRange {
		t.Error("a sheet that fits in holdBytes was scanned twice")
		return nil
	})
	if !cmp.Equal(rows, filled) {
		t.Errorf("one pass: %q, want %q", rows, filled)
	}

	defer func(h int) { holdBytes = h }(holdBytes)
	holdBytes = 1
	scans := 0
	rows = decodeRows(t, text, func() []cellRange {
		scans++
		r, _ := parseRange("A1:A4")
		return []cellRange{r}
	})
	if scans != 1 || !cmp.Equal(rows, filled) {
		t.Errorf("ranges read first (%d scans): %q, want %q", scans, rows, filled)
	}
	// The ranges come from the first scan, not from the pass itself.
	rows = decodeRows(t, text, func() []cellRange { return nil })
	if want := [][]string{{"North", "1"}, {"", "2"}, {"", "3"}, {"", "4"}, {"", "5"}}; !cmp.Equal(rows, want) {
		t.Errorf("no ranges read first: %q, want %q", rows, want)
	}
}

// decodeAll decodes a worksheet's XML, with or without the one-go cell
// reader, and returns its rows and error text.
func decodeAll(text []byte, plain bool, size int) ([]Row, string) {
	defer func(p bool) { plainCells = p }(plainCells)
	plainCells = plain
	out := make(chan []Row, 1<<16)
	d := newSheetDecoder([]string{"s0", "s1"}, size, out, make(chan struct{}))
	err := d.decode(bytes.NewReader(text))
	close(out)
	var rows []Row
	for b := range out {
		rows = append(rows, b...)
	}
	if err != nil {
		return rows, err.Error()
	}
	return rows, ""
}

// FuzzSheetDecode feeds worksheet XML, well formed or not, to the sheet
// decoder. Invariants: nothing panics; rows are numbered 1, 2, 3 ...;
// reading the common cell shapes in one go gives the same rows and error
// as the general reader.
func FuzzSheetDecode(f *testing.F) {
	for _, s := range []string{
		`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>North &amp; South</t></is></c><c r="C1"><v>12</v></c></row>` +
			`<row r="3"><c r="B3" t="s"><v>1</v></c><c t="s"><v> 0 </v></c><c r="E3"><f>A1</f><v></v></c><c r="F3"/></row></sheetData>` +
			`<mergeCells><mergeCell ref="A1:A3"/></mergeCells></worksheet>`,
		`<x:worksheet><x:sheetData><x:row><x:c r='A1' t='inlineStr'><x:is><x:r><x:t>a</x:t></x:r><x:t>b</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>`,
		`<sheetData><row r="2"><c r = "A2"><v>1.2999999999999998</v></c><c r="1A"><v>1</v></c></row></sheetData>`,
		`<sheetData><row r="1"><c r="A1"><v><![CDATA[x<y]]></v></c><c r="B1"><!-- c --><v>2</v></c><c r="C1" t="inlineStr"><is><t>_x0009_\r\n</t></is></c></row></sheetData>`,
		`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>cut`,
		`<x:sheetData><x:row><x:c /><x:c t="n"><x:v>5</x:v></x:c><x:c s="1" t="inlineStr"><x:is><x:t>a &lt; b</x:t></x:is></x:c></x:row>` +
			`<x:row><x:c><y:v>1</y:v></x:c><x:c><x:v>2</x:v></y:c><c><x:v>3</x:v></c><x:c r="C2"><x:v>4</x:v></x:c></x:row></x:sheetData>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		for _, size := range []int{1, 3} {
			fast, ferr := decodeAll(text, true, size)
			slow, serr := decodeAll(text, false, size)
			for i, r := range fast {
				if r.Num != i+1 {
					t.Fatalf("row %d numbered %d", i+1, r.Num)
				}
			}
			if ferr != serr {
				t.Fatalf("error %q, general reader %q", ferr, serr)
			}
			if !cmp.Equal(fast, slow) {
				t.Fatalf("one-go reader differs from the general reader:\n%s", cmp.Diff(slow, fast))
			}
		}
	})
}

// BenchmarkSharedStrings reads a shared strings table of 100,000 texts,
// some with runs. MB/s is XML bytes per second.
func BenchmarkSharedStrings(b *testing.B) {
	var x bytes.Buffer
	x.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="100000" uniqueCount="100000">`)
	for i := range 100_000 {
		if i%10 == 0 {
			x.WriteString(`<si><r><t xml:space="preserve">Участок </t></r><r><rPr><b/></rPr><t>` + strconv.Itoa(i) + `</t></r></si>`)
		} else {
			x.WriteString(`<si><t>Избирательный участок № ` + strconv.Itoa(i) + `</t></si>`)
		}
	}
	x.WriteString(`</sst>`)
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	w, _ := zw.Create("xl/sharedStrings.xml")
	w.Write(x.Bytes())
	zw.Close()
	zr, err := zip.NewReader(bytes.NewReader(z.Bytes()), int64(z.Len()))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(x.Len()))
	b.ReportAllocs()
	defer testkit.ReportCPU(b, testkit.CPUTime())
	for b.Loop() {
		sst, err := readSharedStrings(zr.File[0])
		if err != nil || len(sst) != 100_000 || sst[10] != "Участок 10" {
			b.Fatalf("%d strings, %v", len(sst), err)
		}
	}
}

// TestSharedStrings reads a shared strings table with the items the
// one-go reader takes (<si><t>..</t></si>) between those it leaves to
// the general reader.
func TestSharedStrings(t *testing.T) {
	items := []struct{ xml, want string }{
		{`<si><t>plain</t></si>`, "plain"},
		{`<si><t xml:space="preserve"> spaced </t></si>`, " spaced "},
		{`<si><t>a &amp; b_x000D_</t></si>`, "a & b\r"},
		{`<si><t/></si>`, ""},
		{`<si/>`, ""},
		{`<si><t>x</t><r><t>y</t></r></si>`, "xy"},
		{`<si><r><t>a</t></r><rPh><t>ignored</t></rPh></si>`, "a"},
		{`<x:si><x:t>prefixed</x:t></x:si>`, "prefixed"},
		{`<si><t>line&#13;&#10;end</t></si>`, "line\r\nend"},
		{`<si><t>after</t></si>`, "after"},
	}
	var x strings.Builder
	x.WriteString(`<sst uniqueCount="10">`)
	for _, it := range items {
		x.WriteString(it.xml)
	}
	x.WriteString(`</sst>`)
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	w, _ := zw.Create("xl/sharedStrings.xml")
	w.Write([]byte(x.String()))
	zw.Close()
	zr, err := zip.NewReader(bytes.NewReader(z.Bytes()), int64(z.Len()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := readSharedStrings(zr.File[0])
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, it := range items {
		want = append(want, it.want)
	}
	if !cmp.Equal(got, want) {
		t.Errorf("shared strings %q, want %q", got, want)
	}
}
