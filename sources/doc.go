// Package sources reads result files and hands their rows on in batches,
// each cell as text with its position. Sources know formats, not elections:
// they sniff containers (.zip, .gz), formats (CSV/TSV, XLSX), text
// encodings and delimiters, find where each table's header is, and stream
// rows. Mapping columns to election roles is the pipeline's job.
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
// so no precision is lost and the pipeline's number parser sees one form.
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
