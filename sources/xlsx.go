package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"tally/report"
)

// xlsxSource streams the rows of the selected worksheets of an .xlsx
// workbook, one sheet after another in workbook order. Cells carry their raw
// values (numbers unformatted, formulas as their cached results).
type xlsxSource struct {
	name   string
	blob   *blob
	f      *excelize.File
	sheets []string
	cur    int
	rows   *excelize.Rows
	rowNum int
	batch  Batch
	size   int
	merges map[string][]cellRange
	fill   *mergeFill
}

func openXLSX(_ context.Context, b *blob, in Input) (Source, error) {
	pos := report.Position{File: in.name()}
	if !excelizeRows {
		s, err := openFastXLSX(b, in)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errFastXLSX) {
			return nil, report.At(pos, report.InputError(err))
		}
	}
	return openExcelizeXLSX(b, in)
}

// excelizeRows reads every workbook with excelize's row iterator rather
// than the sheet reader of xlsxfast.go (the conformance tests compare
// the two).
var excelizeRows = false

func openExcelizeXLSX(b *blob, in Input) (Source, error) {
	pos := report.Position{File: in.name()}
	ra, size, err := b.readerAt()
	if err != nil {
		return nil, report.At(pos, report.InputError(err))
	}
	f, err := excelize.OpenReader(io.NewSectionReader(ra, 0, size))
	if err != nil {
		return nil, report.At(pos, report.InputError(fmt.Errorf("not a readable .xlsx workbook: %w", err)))
	}
	sheets, err := selectSheets(f.GetSheetList(), in.Sheets)
	if err != nil {
		f.Close()
		return nil, report.At(pos, report.InputError(err))
	}
	return &xlsxSource{name: in.name(), blob: b, f: f, sheets: sheets, size: in.batchRows(), merges: sheetMerges(ra, size)}, nil
}

// SelectSheets returns the sheets of all that match any of the patterns
// (exact names or path.Match patterns), in workbook order; every sheet when
// there are no patterns. A pattern that matches nothing is an error naming
// the sheets there are.
func selectSheets(all []string, patterns []string) ([]string, error) {
	if len(patterns) == 0 {
		return all, nil
	}
	var out []string
	used := make([]bool, len(patterns))
	for _, s := range all {
		for i, p := range patterns {
			if p == s || p == "*" || matchSheet(p, s) {
				used[i] = true
				out = append(out, s)
				break
			}
		}
	}
	for i, ok := range used {
		if !ok {
			return nil, fmt.Errorf("%w %q; the workbook has: %s", ErrNoSheet, patterns[i], strings.Join(quoteAll(all), ", "))
		}
	}
	return out, nil
}

func matchSheet(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

func (s *xlsxSource) Next(ctx context.Context) (*Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for {
		if s.rows == nil {
			if s.cur >= len(s.sheets) {
				return nil, io.EOF
			}
			rows, err := s.f.Rows(s.sheets[s.cur])
			if err != nil {
				return nil, report.At(report.Position{File: s.name, Sheet: s.sheets[s.cur]}, report.InputError(err))
			}
			s.rows, s.rowNum = rows, 0
			s.fill = newMergeFill(s.merges[s.sheets[s.cur]])
			s.batch = Batch{File: s.name, Sheet: s.sheets[s.cur]}
		}
		s.batch.Rows = s.batch.Rows[:0]
		for len(s.batch.Rows) < s.size && s.rows.Next() {
			s.rowNum++
			cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return nil, report.At(report.Position{File: s.name, Sheet: s.batch.Sheet, Row: s.rowNum}, report.InputError(err))
			}
			for i, c := range cells {
				cells[i] = shortestFloat(c)
			}
			cells = s.fill.apply(s.rowNum, cells)
			s.batch.Rows = append(s.batch.Rows, Row{Num: s.rowNum, Cells: cells})
		}
		if len(s.batch.Rows) > 0 {
			return &s.batch, nil
		}
		if err := s.rows.Error(); err != nil {
			return nil, report.At(report.Position{File: s.name, Sheet: s.batch.Sheet}, report.InputError(err))
		}
		s.rows.Close()
		s.rows = nil
		s.cur++
	}
}

func (s *xlsxSource) Close() error {
	if s.f == nil {
		return nil
	}
	if s.rows != nil {
		s.rows.Close()
	}
	err := s.f.Close()
	s.f = nil
	s.blob.Close()
	return err
}

// shortestFloat rewrites a number stored with binary noise
// ("0.07000000000000001", "1.2999999999999998") in the 15 significant
// digits a spreadsheet shows; every other cell is returned unchanged.
func shortestFloat(c string) string {
	if len(c) < 17 || !strings.ContainsAny(c, ".eE") {
		return c
	}
	for i := 0; i < len(c); i++ {
		switch b := c[i]; {
		case b >= '0' && b <= '9', b == '.', b == '-', b == 'e', b == 'E', b == '+':
		default:
			return c
		}
	}
	v, err := strconv.ParseFloat(c, 64)
	if err != nil {
		return c
	}
	return strconv.FormatFloat(v, 'g', 15, 64)
}
