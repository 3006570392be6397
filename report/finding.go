package report

import (
	"fmt"
	"sort"
	"sync"
	"unicode/utf8"
)

// Severity orders findings: Info < Warning < Error.
type Severity int

const (
	Info Severity = iota
	Warning
	Error
)

// String returns "info", "warning" or "error", the words used in the
// findings table and on the command line.
func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads the words String writes. "never" is not a severity;
// callers that accept it (such as --fail-on) handle it themselves.
func ParseSeverity(s string) (Severity, error) {
	switch s {
	case "info":
		return Info, nil
	case "warning":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return 0, fmt.Errorf("unknown severity %q; known: error, warning, info", s)
}

// Finding is one problem the data shows. Its fields are the columns of the
// findings table.
type Finding struct {
	Severity Severity
	Code     Code
	Message  string
	UnitID   string
	OptionID string
	Pos      Position
	Expected string
	Actual   string
}

// String renders the finding as one stderr line:
// "file:sheet:row:column: severity code: message", followed in a workbook
// by the cell's A1 reference: "[Results!C12]".
func (f Finding) String() string {
	where := f.Pos.String()
	if where == "" {
		where = "-"
	}
	s := fmt.Sprintf("%s: %s %s: %s", where, f.Severity, f.Code, f.Message)
	if f.Pos.Sheet != "" {
		// In a workbook, also the cell as the spreadsheet names it.
		if a1 := f.Pos.A1(); a1 != "" {
			s += " [" + f.Pos.Sheet + "!" + a1 + "]"
		}
	}
	return s
}

// Reject is an input row that could not be used.
type Reject struct {
	Pos    Position // Column set when one cell is to blame
	Raw    []string // the row's cells as read
	Reason string
}

// Recorder collects findings and rejects. It is safe for concurrent use.
// The zero value is ready to use.
type Recorder struct {
	mu       sync.Mutex
	findings []Finding
	rejects  []Reject
}

// Add records a finding.
func (r *Recorder) Add(f Finding) {
	f.Message, f.Expected, f.Actual = clipText(f.Message), clipText(f.Expected), clipText(f.Actual)
	r.mu.Lock()
	r.findings = append(r.findings, f)
	r.mu.Unlock()
}

// MaxText is the longest message, expected or actual value a finding
// keeps, in bytes. A cell of a megabyte (text pasted into a count, a
// runaway cell) would otherwise be repeated whole on stderr and in the
// findings table; the rejects table keeps the row's raw cells.
const MaxText = 1000

// clipText cuts s to at most MaxText bytes on a character boundary and
// says how long it was.
func clipText(s string) string {
	if len(s) <= MaxText {
		return s
	}
	cut := MaxText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes in all)", s[:cut], len(s))
}

// Addf records a finding with a formatted message.
func (r *Recorder) Addf(sev Severity, code Code, pos Position, format string, args ...any) {
	r.Add(Finding{Severity: sev, Code: code, Pos: pos, Message: fmt.Sprintf(format, args...)})
}

// Reject records a rejected row. The raw cells are copied.
func (r *Recorder) Reject(pos Position, raw []string, reason string) {
	cp := append([]string(nil), raw...)
	r.mu.Lock()
	r.rejects = append(r.rejects, Reject{Pos: pos, Raw: cp, Reason: reason})
	r.mu.Unlock()
}

// Findings returns the findings in a deterministic order: by file, sheet,
// row, column, then code, unit and option, so outputs do not depend on the
// order in which concurrent stages reported them.
func (r *Recorder) Findings() []Finding {
	r.mu.Lock()
	out := append([]Finding(nil), r.findings...)
	r.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return lessFinding(out[i], out[j]) })
	return out
}

// Rejects returns the rejects ordered by file, sheet and row.
func (r *Recorder) Rejects() []Reject {
	r.mu.Lock()
	out := append([]Reject(nil), r.rejects...)
	r.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return lessPos(out[i].Pos, out[j].Pos) })
	return out
}

// Count returns how many findings have at least the given severity.
func (r *Recorder) Count(min Severity) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, f := range r.findings {
		if f.Severity >= min {
			n++
		}
	}
	return n
}

// RejectCount returns the number of rejected rows.
func (r *Recorder) RejectCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.rejects)
}

func lessPos(a, b Position) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Sheet != b.Sheet {
		return a.Sheet < b.Sheet
	}
	if a.Row != b.Row {
		return a.Row < b.Row
	}
	return a.Column < b.Column
}

func lessFinding(a, b Finding) bool {
	// Findings without a position (whole-contest checks such as seats) go
	// after positioned ones.
	ap, bp := a.Pos.File != "", b.Pos.File != ""
	if ap != bp {
		return ap
	}
	if a.Pos != b.Pos {
		return lessPos(a.Pos, b.Pos)
	}
	if a.Code != b.Code {
		return a.Code < b.Code
	}
	if a.UnitID != b.UnitID {
		return a.UnitID < b.UnitID
	}
	if a.OptionID != b.OptionID {
		return a.OptionID < b.OptionID
	}
	return a.Message < b.Message
}
