package sources

import (
	"context"
	"errors"
	"fmt"
	"io"

	"tally/report"
	"tally/sources/xls"
)

// xlsSource streams the rows of the selected sheets of a legacy .xls
// workbook (Excel 5.0/95 or 97-2003, read by package sources/xls), one sheet
// after another in workbook order, as the .xlsx source does.
//
// Rows are numbered as in the sheet, from 1, rows without values included
// (as blank rows) up to the sheet's last row with a value. A row's cells run
// from column A to its last cell with a value, empty where the sheet has
// none. Cell texts are xls.Cell.Text: numbers as the shortest decimal,
// percent-formatted numbers with a percent sign ("65.12%"), date-formatted
// ones as 2006-01-02, booleans TRUE/FALSE, errors as #DIV/0!, formulas as
// their cached results. A merged range's text stays in its top-left cell,
// as in the .xlsx source; header rows are joined across it by HeaderParts.
//
// A sheet is decoded when the source reaches it and released when it moves
// on, so one sheet's cells are in memory at a time (besides the workbook
// stream itself).
type xlsSource struct {
	name   string
	blob   *blob
	wb     *xls.Workbook
	sheets []*xls.Sheet
	cur    int
	rows   [][]xls.Cell // of sheets[cur]; nil until it is decoded
	next   int          // index in rows of the next row to hand on
	batch  Batch
	size   int
}

func openXLS(_ context.Context, b *blob, in Input) (Source, error) {
	pos := report.Position{File: in.name()}
	ra, size, err := b.readerAt()
	if err != nil {
		return nil, report.At(pos, report.InputError(err))
	}
	wb, err := xls.Open(ra, size)
	if err != nil {
		return nil, report.At(pos, report.InputError(xlsCause(err)))
	}
	names := make([]string, len(wb.Sheets))
	for i, s := range wb.Sheets {
		names[i] = s.Name
	}
	selected, err := selectSheets(names, in.Sheets)
	if err != nil {
		return nil, report.At(pos, report.InputError(err))
	}
	// selectSheets keeps workbook order and takes a sheet at most once, so
	// one walk pairs names with sheets even where two share a name.
	var sheets []*xls.Sheet
	for _, s := range wb.Sheets {
		if len(sheets) < len(selected) && s.Name == selected[len(sheets)] {
			sheets = append(sheets, s)
		}
	}
	return &xlsSource{name: in.name(), blob: b, wb: wb, sheets: sheets, size: in.batchRows()}, nil
}

// xlsCause rewords the reader's errors for a position that already names
// the file, sheet and cell: the record's byte offset stays, the reader's own
// prefix goes.
func xlsCause(err error) error {
	var xe *xls.Error
	switch {
	case errors.As(err, &xe):
		return fmt.Errorf("damaged .xls record at byte %d: %w", xe.Offset, xe.Err)
	case errors.Is(err, xls.ErrEncrypted):
		return fmt.Errorf("%w; save it without a password to read it", err)
	}
	return err
}

func (s *xlsSource) Next(ctx context.Context) (*Batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.wb == nil {
		return nil, errors.New("xls source is closed")
	}
	for {
		if s.cur >= len(s.sheets) {
			return nil, io.EOF
		}
		sh := s.sheets[s.cur]
		if s.rows == nil {
			rows, err := sh.Rows()
			if err != nil {
				pos := report.Position{File: s.name, Sheet: sh.Name}
				var xe *xls.Error
				if errors.As(err, &xe) {
					pos.Row, pos.Column = xe.Row, xe.Col
				}
				return nil, report.At(pos, report.InputError(xlsCause(err)))
			}
			if rows == nil {
				rows = [][]xls.Cell{}
			}
			s.rows, s.next = rows, 0
			s.batch = Batch{File: s.name, Sheet: sh.Name}
		}
		s.batch.Rows = s.batch.Rows[:0]
		for len(s.batch.Rows) < s.size && s.next < len(s.rows) {
			r := s.rows[s.next]
			s.next++
			var cells []string
			if n := len(r); n > 0 {
				cells = make([]string, r[n-1].Col)
				for _, c := range r {
					cells[c.Col-1] = c.Text
				}
			}
			s.batch.Rows = append(s.batch.Rows, Row{Num: s.next, Cells: cells})
		}
		if len(s.batch.Rows) > 0 {
			return &s.batch, nil
		}
		sh.Release()
		s.rows = nil
		s.cur++
	}
}

func (s *xlsSource) Close() error {
	if s.wb == nil {
		return nil
	}
	for _, sh := range s.sheets {
		sh.Release()
	}
	s.wb, s.rows = nil, nil
	return s.blob.Close()
}
