package xls

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var writeSeeds = flag.Bool("write-seeds", false, "rewrite testdata/fuzz/FuzzOpen from the test builders")

// FuzzOpen feeds arbitrary bytes to Open and decodes every sheet.
// Invariants: no panic and no hang; either an error, or a workbook whose
// sheets give rows that keep Rows' promises, or a positioned *Error.
// Seeds: hand-made workbooks in testdata/fuzz/FuzzOpen (bare BIFF streams,
// which reach the record parser directly, and compound files) and the
// LibreOffice-made fixtures in testdata.
func FuzzOpen(f *testing.F) {
	fixtures, _ := filepath.Glob("testdata/*.xls")
	for _, name := range fixtures {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		wb, err := OpenBytes(b)
		if err != nil {
			if wb != nil {
				t.Fatal("a workbook and an error")
			}
			return
		}
		if wb.BIFF != 5 && wb.BIFF != 8 {
			t.Errorf("BIFF %d", wb.BIFF)
		}
		for _, s := range wb.Sheets {
			rows, err := s.Rows()
			if err != nil {
				var xe *Error
				if !errors.As(err, &xe) || xe.Sheet != s.Name {
					t.Errorf("sheet %q: error %v is not an *Error naming the sheet", s.Name, err)
				}
				continue
			}
			if len(rows) > MaxRows {
				t.Errorf("%d rows", len(rows))
			}
			for i, r := range rows {
				for j, c := range r {
					if c.Row != i+1 || c.Col < 1 || c.Col > MaxCols || (j > 0 && r[j-1].Col >= c.Col) {
						t.Fatalf("cell %s (row %d, col %d) in Rows()[%d][%d]", c.Ref(), c.Row, c.Col, i, j)
					}
					if c.Kind == KindBlank || (c.Text == "" && c.Kind != KindText) {
						t.Fatalf("cell %s: kind %v, text %q", c.Ref(), c.Kind, c.Text)
					}
				}
			}
			merged, _ := s.Merged()
			for _, m := range merged {
				if m.FirstRow < 1 || m.FirstCol < 1 || m.FirstRow > m.LastRow || m.FirstCol > m.LastCol {
					t.Fatalf("merged range %+v", m)
				}
			}
			s.Release()
		}
	})
}

// seedWorkbooks are the hand-made seeds for FuzzOpen.
func seedWorkbooks() map[string][]byte {
	biff5 := book{biff: 5, codepage: 1251, xfs: []int{0, 14}, sheets: []sheetSpec{{name: "S", records: [][]byte{
		labelRec(0, 0, bstr([]byte("\xc8\xf2\xee\xe3\xee"))), numberRec(0, 1, 1, 44206),
		formulaRec(1, 0, 0, resString()), stringRec(bstr([]byte("total"))),
		rec(recMulRK, 2, 0, 0, uint32(4<<2|2), 0, uint32(5<<2|3), 1),
	}}}}
	sst := book{biff: 8, codepage: 1200, xfs: []int{0}}
	sst.globals = [][]byte{
		rec(recSST, uint32(2), uint32(2), 10, uint8(0), "abcd"),
		continueRec(le(uint8(1), u16le("ж", 6), ustr("z"))),
	}
	sst.sheets = []sheetSpec{{name: "S", records: [][]byte{
		sstRec(0, 0, 0, 0), sstRec(0, 1, 0, 1), boolErrRec(1, 0, 1, 0), boolErrRec(1, 1, 0x2A, 1),
		rec(recMerged, 1, 0, 1, 0, 1),
	}}}
	return map[string][]byte{
		"biff8-stream":    biff8Book().stream(),
		"biff8-cfb":       biff8Book().xlsFile(),
		"biff5-stream":    biff5.stream(),
		"biff5-cfb":       biff5.xlsFile(),
		"sst-continue":    sst.stream(),
		"bad-offsets":     book{biff: 8, badOffsets: true, sheets: []sheetSpec{{name: "A", records: [][]byte{numberRec(0, 0, 0, 1)}}, {name: "B"}}}.stream(),
		"chart-and-empty": book{biff: 8, sheets: []sheetSpec{{name: "C", kind: 2, bofType: bofChart}, {name: "E"}}}.stream(),
	}
}

// TestWriteSeeds rewrites the committed fuzz seeds when run with
// -write-seeds; otherwise it checks that each seed is there.
func TestWriteSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzOpen")
	for name, b := range seedWorkbooks() {
		path := filepath.Join(dir, name)
		content := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(b)))
		if *writeSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Errorf("seed %s is missing or stale; run go test -run TestWriteSeeds -write-seeds", path)
		}
	}
}
