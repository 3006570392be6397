package report

import (
	"fmt"
	"sync"
	"unicode/utf8"
	"unsafe"
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
//
// Findings and rejects are kept compactly encoded; past SpillBytes each
// kind is sorted and written as a run to a temporary file, and reading
// merges the runs back, so a run with millions of findings holds a few
// megabytes of them. Close removes the file.
type Recorder struct {
	// SpillBytes is the memory the findings, and apart the rejects, may
	// take before they go to a temporary file; 0 means
	// DefaultSpillBytes. Set it before the first Add.
	SpillBytes int

	mu       sync.Mutex
	findings spool
	rejects  spool
	accept   func(*Finding)
	names    names // the files, sheets, codes and headers, numbered
	codes    []int // findings by the number of their code in names
	sevs     map[Severity]int
	enc      []byte
	err      error // the first error reading the temporary file back
}

// SetAccept makes fn see every finding as it is added, after its texts
// are clipped, and change it in place (the ledger of known
// discrepancies lowers the findings it accepts). fn is called with the
// recorder locked.
func (r *Recorder) SetAccept(fn func(*Finding)) {
	r.mu.Lock()
	r.accept = fn
	r.mu.Unlock()
}

func (r *Recorder) init() {
	if r.sevs == nil {
		r.sevs = map[Severity]int{}
		r.findings.cmp, r.rejects.cmp = r.names.cmpFinding, r.names.cmpReject
		r.findings.limit, r.rejects.limit = r.SpillBytes, r.SpillBytes
	}
}

// Add records a finding. It keeps the finding's file, sheet, code and
// header, names a run has few of; its unit, option, message, expected
// and actual value it copies before it returns, so a caller may write
// those in a buffer it reuses (see Text).
func (r *Recorder) Add(f Finding) {
	f.Message, f.Expected, f.Actual = clipText(f.Message), clipText(f.Expected), clipText(f.Actual)
	r.mu.Lock()
	r.init()
	if r.accept != nil {
		// Through a copy: f itself stays on the stack.
		g := f
		r.accept(&g)
		f = g
		f.Message, f.Expected, f.Actual = clipText(f.Message), clipText(f.Expected), clipText(f.Actual)
	}
	code := r.names.number(nameCode, string(f.Code))
	if code >= uint64(len(r.codes)) {
		r.codes = append(r.codes, make([]int, code+1-uint64(len(r.codes)))...)
	}
	r.codes[code]++
	r.sevs[f.Severity]++
	r.enc = r.names.encodeFinding(r.enc[:0], &f)
	r.findings.add(r.enc)
	r.mu.Unlock()
}

// Text returns the bytes of b as a string without copying them: for
// the texts of a finding written in a buffer and given to Add, which
// copies them. b must not change while the string is in use.
func Text(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
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
	r.mu.Lock()
	r.init()
	r.enc = r.names.encodeReject(r.enc[:0], pos, raw, reason)
	r.rejects.add(r.enc)
	r.mu.Unlock()
}

// EachFinding calls fn with every finding in a deterministic order: by
// file, sheet, row, column, then code, unit, option and message, equal
// ones in the order added; so outputs do not depend on the order in
// which concurrent stages reported them. The finding is fn's to keep.
// It stops at the first error fn returns, or one reading the findings
// back. It may be called again; fn must not add to the recorder.
func (r *Recorder) EachFinding(fn func(*Finding) error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.init()
	d := decoder{t: &r.names}
	var f Finding
	return r.note(r.findings.each(func(rec []byte) error {
		d.finding(rec, &f)
		if err := fn(&f); err != nil {
			return &fnError{err}
		}
		return nil
	}))
}

// EachReject calls fn with every reject ordered by file, sheet, row and
// column, equal ones in the order added; as EachFinding.
func (r *Recorder) EachReject(fn func(*Reject) error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.init()
	d := decoder{t: &r.names}
	var rj Reject
	return r.note(r.rejects.each(func(rec []byte) error {
		d.reject(rec, &rj)
		if err := fn(&rj); err != nil {
			return &fnError{err}
		}
		return nil
	}))
}

// note keeps the first error reading the spool back and returns err,
// or the error of the caller's fn it carries.
func (r *Recorder) note(err error) error {
	if fe, ok := err.(*fnError); ok {
		return fe.err
	}
	if err != nil && r.err == nil {
		r.err = err
	}
	return err
}

// fnError carries an error of the caller's fn through the merge.
type fnError struct{ err error }

func (e *fnError) Error() string { return e.err.Error() }

// Findings returns every finding in EachFinding's order, all in memory:
// for tests and small recorders. An error reading them back ends the
// list; Err and Close report it.
func (r *Recorder) Findings() []Finding {
	var out []Finding
	r.EachFinding(func(f *Finding) error {
		out = append(out, *f)
		return nil
	})
	return out
}

// Rejects returns every reject in EachReject's order, all in memory, as
// Findings does.
func (r *Recorder) Rejects() []Reject {
	var out []Reject
	r.EachReject(func(rj *Reject) error {
		c := *rj
		c.Raw = append([]string(nil), rj.Raw...)
		out = append(out, c)
		return nil
	})
	return out
}

// Count returns how many findings have at least the given severity.
func (r *Recorder) Count(min Severity) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for s, k := range r.sevs {
		if s >= min {
			n += k
		}
	}
	return n
}

// SeverityCount returns how many findings have exactly severity s.
func (r *Recorder) SeverityCount(s Severity) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sevs[s]
}

// CodeCounts returns how many findings each code has.
func (r *Recorder) CodeCounts() map[Code]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[Code]int{}
	for c, n := range r.codes {
		if n > 0 {
			out[Code(r.names.name(uint64(c)))] += n
		}
	}
	return out
}

// FindingCount returns the number of findings.
func (r *Recorder) FindingCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.findings.n
}

// RejectCount returns the number of rejected rows.
func (r *Recorder) RejectCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rejects.n
}

// Err returns the first error met reading the findings or rejects back
// from their temporary file.
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Close removes the temporary file, if any, and drops the findings and
// rejects; it returns Err's error, or one removing the file.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.err
	if e := r.findings.close(); err == nil {
		err = e
	}
	if e := r.rejects.close(); err == nil {
		err = e
	}
	return err
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

// samePos reports whether two positions name the same place; the
// header is not part of a position's identity.
func samePos(a, b Position) bool {
	return a.File == b.File && a.Sheet == b.Sheet && a.Row == b.Row && a.Column == b.Column
}

func lessFinding(a, b Finding) bool {
	// Findings without a position (whole-contest checks such as seats) go
	// after positioned ones.
	ap, bp := a.Pos.File != "", b.Pos.File != ""
	if ap != bp {
		return ap
	}
	if !samePos(a.Pos, b.Pos) {
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
