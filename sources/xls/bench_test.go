package xls

import (
	"fmt"
	"testing"
)

// benchBook is a precinct table of n rows: a shared-string name, an RK
// count, four NUMBER votes, a percent and a formula per row. It is a bare
// BIFF stream, or a compound file when cfb is set (which the test builder
// can make up to about 7 MB).
func benchBook(n int, compound bool) []byte {
	// The SST goes on in CONTINUE records of at most 8224 bytes, split
	// between strings.
	var globals [][]byte
	seg := le(uint32(n), uint32(n))
	for i := range n {
		s := ustr(fmt.Sprintf("Precinct %05d", i))
		if len(seg)+len(s) > 8224 {
			globals = append(globals, seg)
			seg = nil
		}
		seg = append(seg, s...)
	}
	globals = append(globals, seg)
	for i, g := range globals {
		if i == 0 {
			globals[i] = rec(recSST, g)
		} else {
			globals[i] = continueRec(g)
		}
	}
	var cells [][]byte
	for i := range n {
		cells = append(cells, sstRec(i, 0, 0, uint32(i)), rkRec(i, 1, 0, uint32(1000+i)<<2|2))
		for c := 2; c < 6; c++ {
			cells = append(cells, numberRec(i, c, 0, float64(i*c%997)))
		}
		cells = append(cells, numberRec(i, 6, 1, 0.6512), formulaRec(i, 7, 0, resNum(float64(i))))
	}
	bk := book{biff: 8, codepage: 1200, xfs: []int{0, 10}, globals: globals, sheets: []sheetSpec{{name: "Precincts", records: cells}}}
	if compound {
		return bk.xlsFile()
	}
	return bk.stream()
}

func BenchmarkOpenAndRows(b *testing.B) {
	for _, tc := range []struct {
		n        int
		compound bool
	}{{1000, true}, {1000, false}, {60000, false}} {
		n, file := tc.n, benchBook(tc.n, tc.compound)
		name := fmt.Sprintf("rows=%d/stream", n)
		if tc.compound {
			name = fmt.Sprintf("rows=%d/cfb", n)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(file)))
			b.ReportAllocs()
			for b.Loop() {
				wb, err := OpenBytes(file)
				if err != nil {
					b.Fatal(err)
				}
				rows, err := wb.Sheets[0].Rows()
				if err != nil || len(rows) != n {
					b.Fatalf("%d rows, %v", len(rows), err)
				}
			}
		})
	}
}
