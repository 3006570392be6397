// Package sources reads result files and hands their rows on in batches,
// each cell as text with its position. Sources know formats, not elections:
// they sniff containers (.zip, .gz), formats (CSV/TSV, XLSX, XLS), text
// encodings and delimiters, find where each table's header is, and stream
// rows. They do not know what a vote, a party or a total is. Mapping columns to election roles is the pipeline's job.
//
// # Rows and columns
//
// Row numbers are 1-based and count every line of a text file (a quoted
// field spanning lines counts from its first line) or every row of a sheet,
// header and blank rows included, so a position can be found in the file
// with any viewer. Empty lines of a text file are not records: they are
// skipped, and counted nowhere, but the numbers of the rows after them
// stay those of the file. Column numbers are 1-based; in spreadsheets they are also
// shown as letters (report.ColumnName).
//
// # Cells
//
// Every cell is text. Spreadsheet numbers are given in their raw value as
// the shortest decimal ("350000", "0.6512"), never as the display format,
// so no precision is lost and the pipeline's number parser sees one form;
// binary noise ("0.07000000000000001") is cut to the 15 digits a
// spreadsheet shows, and formulas give their cached results. A range merged
// down one column fills every row it covers (merged ranges are found by
// scanning the sheet's XML, not by loading the sheet).
//
// # Encodings
//
// DetectEncoding reads a byte order mark, then UTF-16 without one by its
// zero bytes, then UTF-8 validity, and tells the Cyrillic code pages apart
// by where lower-case letters fall: Windows-1251, KOI8-R, and KZ-1048 (the
// Kazakh code page, not in golang.org/x/text, recognised by its Kazakh
// letters inside words). Each guess carries a confidence; Input.Encoding
// overrides it.
//
// # Delimited text
//
// CSV text is read as encoding/csv reads it with LazyQuotes. With a
// one-byte delimiter it is cut into blocks at line ends that an even
// number of quotes precede, and the blocks are parsed on as many workers
// as there are cores; rows come out in the file's order, in batches of the
// same size. A block whose quotes are not all regular (one inside an
// unquoted field, text after a closing quote) may have been cut inside a
// field, so from that block on the text is read one record after another.
//
// # Tables
//
// A TableReader finds the tables of each sheet: the header (one to several
// rows, a row of column numbers under it included, merged header cells
// filled across; Table.Parts keeps each column's parts), titles and notes
// above it, and below it data rows, blank rows, repeated headers, section
// labels (a one-cell row over data, handed on as Row.Group), notes and
// footnotes (one-cell rows with no data under them), and the header of a
// further table stacked in the same sheet. Table.Kinds says what each
// column holds (numbers, percents, "216 - 17.73%" count-percent cells,
// text), judged from the first data rows. Stats accounts for every row.
// Sniff says what Open would decide (containers, format, encoding with its
// confidence, delimiter, quote, comment lines, sheets) without reading rows.
//
// # Adding a format
//
//  1. Write <format>.go with an Opener and add one line to registry.go.
//  2. Teach Sniff the format's magic bytes if it has any.
//  3. Cover it in the package tests: empty input, header only, non-ASCII
//     text, positions of cells, Close twice.
//
// # Errors
//
// Errors that make an input unreadable are marked report.InputError and
// carry the file (and sheet) in a *report.PositionError.
package sources
