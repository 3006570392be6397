package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"

	"tally/report"
	"tally/sources/xls"
)

// Info is what the sniffer decided about an input before reading its
// rows: what `tally inspect` reports and `tally init` pins in a spec.
type Info struct {
	Containers []string // containers opened, outermost first ("zip member 2021.csv", "gzip")
	Format     string   // csv, xlsx, xls
	FormatBy   string   // "given", or "content" when sniffed from the bytes
	Encoding   Guess    // text formats: the encoding and how sure the guess is
	Delimiter  string   // text formats: "," ";" "tab" "|"
	Quote      string   // text formats: the quote character seen, or "" for none
	Comment    string   // text formats: the prefix of comment lines at the top ("#"), if any
	Sheets     []string // workbooks: every sheet, in workbook order
	Selected   []string // workbooks: the sheets Input.Sheets selects
}

// Sniff opens an input just far enough to say what it is.
func Sniff(ctx context.Context, in Input) (Info, error) {
	var info Info
	pos := report.Position{File: in.name()}
	f, err := os.Open(in.Path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return info, report.At(pos, report.InputError(errors.New("file not found")))
		}
		return info, report.At(pos, report.InputError(err))
	}
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		f.Close()
		if err == nil {
			err = errors.New("is a folder, not a file")
		}
		return info, report.At(pos, report.InputError(err))
	}
	b, err := openContainer(f, st.Size(), in)
	if err != nil {
		f.Close()
		return info, report.At(pos, report.InputError(err))
	}
	defer b.Close()
	info.Containers = b.via
	info.Format, info.FormatBy = in.Format, "given"
	if info.Format == "" {
		info.Format, info.FormatBy = sniffFormat(b.head, b.name), "content"
	}
	switch info.Format {
	case "csv", "tsv", "txt":
		d, err := sniffDialect(b.head, in)
		if err != nil {
			return info, report.At(pos, err)
		}
		info.Encoding, info.Delimiter = d.Encoding, DelimiterName(d.Delimiter)
		text := decodeHead(b.head, d.Encoding.Name)
		if strings.ContainsRune(text, '"') {
			info.Quote = `"`
		}
		info.Comment = commentPrefix(text)
	case "xlsx":
		ra, size, err := b.readerAt()
		if err != nil {
			return info, report.At(pos, report.InputError(err))
		}
		wb, err := excelize.OpenReader(io.NewSectionReader(ra, 0, size))
		if err != nil {
			return info, report.At(pos, report.InputError(fmt.Errorf("not a readable .xlsx workbook: %w", err)))
		}
		defer wb.Close()
		info.Sheets = wb.GetSheetList()
		if info.Selected, err = selectSheets(info.Sheets, in.Sheets); err != nil {
			return info, report.At(pos, report.InputError(err))
		}
	case "xls":
		ra, size, err := b.readerAt()
		if err != nil {
			return info, report.At(pos, report.InputError(err))
		}
		wb, err := xls.Open(ra, size)
		if err != nil {
			return info, report.At(pos, report.InputError(xlsCause(err)))
		}
		for _, s := range wb.Sheets {
			info.Sheets = append(info.Sheets, s.Name)
		}
		if info.Selected, err = selectSheets(info.Sheets, in.Sheets); err != nil {
			return info, report.At(pos, report.InputError(err))
		}
	}
	_ = ctx
	return info, nil
}

// commentPrefix returns the character that starts the first lines of text
// when it marks them as comments ("#"), or "".
func commentPrefix(text string) string {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 2 {
		return ""
	}
	for _, p := range []string{"#", "//", ";"} {
		if strings.HasPrefix(strings.TrimPrefix(lines[0], "\ufeff"), p) && strings.HasPrefix(lines[1], p) {
			return p
		}
	}
	return ""
}
