package report

import (
	"strconv"
	"strings"
)

// Position is a place in an input: a file, a sheet (empty for text files), a
// 1-based row and a 1-based column as a spreadsheet program shows them. Row
// or Column 0 means "the whole file" or "the whole row".
type Position struct {
	File   string
	Sheet  string
	Row    int
	Column int
	// Header is the header text of Column, when known; it is shown in
	// messages but not part of the position's identity.
	Header string
}

// String renders the position as file:sheet:row:column, the form used in
// every error message on stderr. Empty trailing parts are left out, so a
// whole-file problem reads "file", a CSV row "file::12" and an Excel cell
// "file:Sheet1:12:3".
func (p Position) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Sheet == "" && p.Row == 0 && p.Column == 0 {
		return b.String()
	}
	b.WriteByte(':')
	b.WriteString(p.Sheet)
	if p.Row == 0 && p.Column == 0 {
		return b.String()
	}
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(p.Row))
	if p.Column > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(p.Column))
	}
	return b.String()
}

// A1 returns the cell reference as a spreadsheet shows it ("C12"), or ""
// when the position has no row or column.
func (p Position) A1() string {
	if p.Row <= 0 || p.Column <= 0 {
		return ""
	}
	return ColumnName(p.Column) + strconv.Itoa(p.Row)
}

// ColumnName returns the spreadsheet letters of a 1-based column number:
// 1 -> A, 26 -> Z, 27 -> AA. It returns "" for col < 1.
func ColumnName(col int) string {
	if col < 1 {
		return ""
	}
	var buf [8]byte
	i := len(buf)
	for col > 0 {
		col--
		i--
		buf[i] = byte('A' + col%26)
		col /= 26
	}
	return string(buf[i:])
}

// PositionError is an error about one place in an input.
type PositionError struct {
	Pos Position
	Err error
}

// Error renders "file:sheet:row:column: message".
func (e *PositionError) Error() string {
	return e.Pos.String() + ": " + e.Err.Error()
}

// Unwrap returns the cause, so errors.Is sees the sentinel below.
func (e *PositionError) Unwrap() error { return e.Err }

// At wraps err with a position. A nil err gives nil.
func At(pos Position, err error) error {
	if err == nil {
		return nil
	}
	return &PositionError{Pos: pos, Err: err}
}
