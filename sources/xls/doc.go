// Package xls reads legacy Excel workbooks: BIFF8 (Excel 97-2003) and BIFF5
// (Excel 5.0 and Excel 95), stored in a compound file (the usual .xls) or, for
// the odd export tool, as a bare BIFF stream.
//
// It knows spreadsheet formats, not elections: it turns records into cells
// with their text and leaves every interpretation of that text to its callers.
// It is the engine behind tally's xls source; the sources package adapts it to
// the Source interface.
//
// # What is read
//
// From the workbook globals: sheet names, kinds and visibility, the code page,
// the date system (1900 or 1904), number formats and the cell formats (XF)
// that point to them, and the shared string table (with its CONTINUE records,
// compressed and uncompressed UTF-16). From each worksheet: NUMBER, RK, MULRK,
// LABELSST, LABEL, RSTRING, BOOLERR and FORMULA cells (a formula's cached
// result: a number, a string from the STRING record after it, a boolean or an
// error) and MERGEDCELLS ranges. BLANK and MULBLANK cells carry formatting only
// and are not kept. Charts, VBA modules and drawings are skipped; charts
// embedded in a worksheet do not disturb it. Unknown records are ignored.
//
// BIFF5 text is 8-bit in the workbook's code page (cp1252, cp1251, cp866,
// Shift-JIS, ...); a code page tally does not know is read as cp1252.
//
// # Cell text
//
// A Cell's Text is what a spreadsheet shows for the value in raw form, with no
// thousands separators or fixed decimals:
//
//   - numbers as the shortest decimal of the value rounded to 15 significant
//     digits, as Excel shows them: 350000, 0.6512, 12.5, never 3.5e+05;
//   - numbers whose format is a percent format as the number times 100 with a
//     percent sign: 0.6512 shown as "65.12%" (the decimal point is moved in
//     the text, so no binary rounding noise appears);
//   - numbers whose format is a date format (built-in formats 14-22 and
//     45-47, or a code with d, m, y, h or s outside quotes, escapes and
//     brackets) as 2006-01-02, or 2006-01-02T15:04:05 when the time of day
//     is not midnight; under a time format (h:mm, mm:ss, [h]:mm: no d or y)
//     a value below 1 is a time with no date and reads as 15:04:05; a value
//     that is no day of years 1900-9999 (the 1900 system's day 0 included)
//     reads as the number. The 1900 system's 29 February 1900, which Excel
//     counts, reads as 1900-02-29;
//   - booleans as TRUE and FALSE; errors as #DIV/0!, #N/A, #NAME?, #NULL!,
//     #NUM!, #REF!, #VALUE! (and #NUM! for an infinite or NaN number);
//   - strings as they are.
//
// # Positions
//
// Rows and columns are 1-based as Excel shows them: Cell{Row: 7, Col: 2} is
// B7 (see Ref and ColumnName). A sheet has at most MaxRows rows and MaxCols
// columns (A-IV); a cell record past column IV is an error. Errors found while reading a sheet are *Error
// values naming the sheet, the cell where one is concerned, and the byte
// offset of the record in the workbook stream.
//
// # Laziness and memory
//
// Open reads the workbook stream into memory and decodes the globals; a
// sheet's cells are decoded on the first call of Rows or Merged and kept until
// Release. Rows are sparse (only cells with a value are kept), so memory
// follows the number of cells in the file, not the sheet's extent.
//
// # Errors
//
// A file that is not a workbook gives an error wrapping ErrNotXLS; BIFF2-4
// (Excel 2.x-4.0) streams give ErrUnsupported; a workbook protected with a
// password (a FILEPASS record, or an encrypted OOXML package in a compound
// file) gives ErrEncrypted. Damaged records give an *Error with the place.
// Nothing in this package panics on bad input.
package xls
