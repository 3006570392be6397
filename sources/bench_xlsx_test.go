package sources

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"tally/internal/testkit"
)

// writeBenchWorkbook writes a workbook of stations rows spread over sheets
// sheets (a header row on each, then a row per station as the wide CSV
// has it), strings stored inline as excelize's stream writer stores them.
func writeBenchWorkbook(dir string, stations, sheets int) (string, int64, error) {
	f := excelize.NewFile()
	defer f.Close()
	per := (stations + sheets - 1) / sheets
	for s := range sheets {
		name := fmt.Sprintf("Область %d", s+1)
		if s == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return "", 0, err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return "", 0, err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return "", 0, err
		}
		head := []any{"district", "precinct_id", "registered", "ballots_cast", "invalid", "valid"}
		for _, p := range testkit.Parties {
			head = append(head, p)
		}
		if err := sw.SetRow("A1", head); err != nil {
			return "", 0, err
		}
		for i := range per {
			id := s*per + i + 1
			row := []any{fmt.Sprintf("Район %d", id%211), id, 1000 + id%977, 700, 7, 693}
			for p := range testkit.Parties {
				row = append(row, (id*(p+3))%97)
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, row); err != nil {
				return "", 0, err
			}
		}
		if err := sw.Flush(); err != nil {
			return "", 0, err
		}
	}
	path := filepath.Join(dir, fmt.Sprintf("wide-%d.xlsx", stations))
	if err := f.SaveAs(path); err != nil {
		return "", 0, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", 0, err
	}
	return path, st.Size(), nil
}

// BenchmarkXLSXSource reads every row of a 17-sheet workbook through the
// sheet reader and through excelize's row iterator. MB/s is workbook
// (compressed) bytes per second.
func BenchmarkXLSXSource(b *testing.B) {
	for _, stations := range []int{20_000, 100_000} {
		path, size, err := writeBenchWorkbook(b.TempDir(), stations, 17)
		if err != nil {
			b.Fatal(err)
		}
		for _, reader := range []string{"sheet", "excelize"} {
			b.Run(fmt.Sprintf("rows=%d/reader=%s", stations, reader), func(b *testing.B) {
				excelizeRows = reader == "excelize"
				defer func() { excelizeRows = false }()
				b.SetBytes(size)
				b.ReportAllocs()
				defer testkit.ReportCPU(b, testkit.CPUTime())
				for b.Loop() {
					n := sourceRows(b, Input{Path: path})
					if n < stations {
						b.Fatalf("read %d rows", n)
					}
				}
			})
		}
	}
}
