package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"

	"tally/report"
)

// Ledger is a file of known discrepancies: findings a team has looked
// into and accepted, so that a scheduled run fails only on new ones. The
// spec points to it with checks.ledger:
//
//	accepted:
//	  - code: total-mismatch              # required
//	    unit: county-results-total        # optional: the finding's unit_id
//	    option: trump                     # optional: its option_id
//	    expected: 397094                  # optional: its expected value
//	    actual: 216794                    # optional: its actual value
//	    reason: the TOTAL row also adds the legislative districts   # required
//	    source: https://www.sos.nd.gov/   # optional: who says so
//	    expires: 2027-01-01               # optional: YYYY-MM-DD, accepts nothing after it
//
// A finding matches an entry when its code is the entry's and it has
// every other value the entry gives. A matching finding is kept in the
// findings table, but as severity info, its message starting with
// "accepted". An entry that matches no finding is reported
// (ledger-unused): the discrepancy has gone or changed, and the entry
// should be removed or updated. An entry past its expiry date accepts
// nothing and is reported (ledger-expired).
type Ledger struct {
	Path    string // as positions show it
	SHA256  string // of the file's bytes
	Entries []LedgerEntry
}

// LedgerEntry is one accepted discrepancy.
type LedgerEntry struct {
	Code     string
	Unit     string
	Option   string
	Expected string
	Actual   string
	Reason   string
	Source   string
	Expires  string
	Line     int // line of the entry in the ledger file
}

type ledgerFile struct {
	Accepted []ledgerEntryYAML `yaml:"accepted"`
}

type ledgerEntryYAML struct {
	Code     string `yaml:"code"`
	Unit     string `yaml:"unit"`
	Option   string `yaml:"option"`
	Expected any    `yaml:"expected"`
	Actual   any    `yaml:"actual"`
	Reason   string `yaml:"reason"`
	Source   string `yaml:"source"`
	Expires  any    `yaml:"expires"`
}

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// LoadLedger reads a ledger file; name is how positions show it (the path
// as the spec gives it). It returns every problem found, each with its
// place in the file.
func LoadLedger(path, name string) (*Ledger, []error) {
	at := func(line int, err error) error {
		return report.At(report.Position{File: name, Row: line}, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, []error{at(0, errors.New("ledger file not found (checks.ledger is relative to the spec's folder)"))}
		}
		return nil, []error{at(0, err)}
	}
	var lf ledgerFile
	if err := yaml.UnmarshalWithOptions(data, &lf, yaml.Strict()); err != nil {
		return nil, []error{yamlError(name, err)}
	}
	file, _ := parser.ParseBytes(data, 0)
	line := func(i int) int {
		if file == nil {
			return 0
		}
		p, err := yaml.PathString(fmt.Sprintf("$.accepted[%d]", i))
		if err != nil {
			return 0
		}
		n, err := p.FilterFile(file)
		if err != nil || n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
			return 0
		}
		return n.GetToken().Position.Line
	}
	sum := sha256.Sum256(data)
	l := &Ledger{Path: name, SHA256: hex.EncodeToString(sum[:])}
	var errs []error
	for i, e := range lf.Accepted {
		le := LedgerEntry{Code: e.Code, Unit: e.Unit, Option: e.Option, Expected: scalar(e.Expected), Actual: scalar(e.Actual),
			Reason: strings.TrimSpace(e.Reason), Source: e.Source, Expires: scalar(e.Expires), Line: line(i)}
		switch {
		case le.Code == "":
			errs = append(errs, at(le.Line, fmt.Errorf("accepted[%d] needs the code of the finding it accepts", i)))
		case !report.KnownCode(report.Code(le.Code)):
			errs = append(errs, at(le.Line, fmt.Errorf("accepted[%d]: unknown finding code %q (report/codes.go lists them)", i, le.Code)))
		}
		if le.Reason == "" {
			errs = append(errs, at(le.Line, fmt.Errorf("accepted[%d] needs a reason: why the discrepancy is accepted", i)))
		}
		if le.Expires != "" && !datePattern.MatchString(le.Expires) {
			errs = append(errs, at(le.Line, fmt.Errorf("accepted[%d]: expires %q must be a date, YYYY-MM-DD", i, le.Expires)))
		}
		l.Entries = append(l.Entries, le)
	}
	return l, errs
}

func scalar(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(t)
	case uint64:
		return fmt.Sprint(t)
	case int64:
		return fmt.Sprint(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case time.Time:
		return t.Format("2006-01-02")
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

func (e *LedgerEntry) matches(f *report.Finding) bool {
	return string(f.Code) == e.Code &&
		(e.Unit == "" || e.Unit == f.UnitID) &&
		(e.Option == "" || e.Option == f.OptionID) &&
		(e.Expected == "" || e.Expected == f.Expected) &&
		(e.Actual == "" || e.Actual == f.Actual)
}

// Apply marks the findings the ledger accepts and returns every finding,
// with one more for each entry that is unused or expired, in the
// recorder's order. today (YYYY-MM-DD) decides expiry; empty means no
// entry has expired.
func (l *Ledger) Apply(fs []report.Finding, today string) []report.Finding {
	rec := &report.Recorder{}
	defer rec.Close()
	la := l.applier(today)
	rec.SetAccept(la.accept)
	for _, f := range fs {
		rec.Add(f)
	}
	la.finish(rec)
	return rec.Findings()
}

// ledgerApplier applies a ledger to the findings of a run as the
// recorder takes them, and counts the findings each entry accepts.
type ledgerApplier struct {
	l     *Ledger
	today string
	used  []int
}

func (l *Ledger) applier(today string) *ledgerApplier {
	return &ledgerApplier{l: l, today: today, used: make([]int, len(l.Entries))}
}

func (a *ledgerApplier) expired(e *LedgerEntry) bool {
	return a.today != "" && e.Expires != "" && a.today > e.Expires
}

// accept marks a finding the ledger accepts: severity info, its message
// starting with "accepted". The recorder calls it with itself locked.
func (a *ledgerApplier) accept(f *report.Finding) {
	if f.Severity < report.Warning {
		return
	}
	l := a.l
	for j := range l.Entries {
		e := &l.Entries[j]
		if a.expired(e) {
			continue
		}
		if e.matches(f) {
			a.used[j]++
			f.Severity = report.Info
			f.Message = fmt.Sprintf("accepted by %s:%d (%s): %s", l.Path, e.Line, e.Reason, f.Message)
			return
		}
	}
}

// finish adds, once every finding is in, one for each entry that is
// expired or accepted none. The ledger accepts none of those.
func (a *ledgerApplier) finish(rec *report.Recorder) {
	rec.SetAccept(nil)
	l := a.l
	for j, e := range l.Entries {
		pos := report.Position{File: l.Path, Row: e.Line}
		switch {
		case a.expired(&e):
			rec.Add(report.Finding{Severity: report.Warning, Code: report.LedgerExpired, Pos: pos, UnitID: e.Unit, OptionID: e.Option,
				Expected: e.Expires, Actual: a.today,
				Message: fmt.Sprintf("ledger entry for %s expired on %s; the findings it accepted are errors again (renew or remove it)", e.describe(), e.Expires)})
		case a.used[j] == 0:
			rec.Add(report.Finding{Severity: report.Warning, Code: report.LedgerUnused, Pos: pos, UnitID: e.Unit, OptionID: e.Option,
				Expected: e.Expected, Actual: e.Actual,
				Message: fmt.Sprintf("ledger entry for %s matches no finding: the discrepancy is gone or has changed; update or remove the entry", e.describe())})
		}
	}
}

func (e *LedgerEntry) describe() string {
	var parts []string
	parts = append(parts, e.Code)
	if e.Unit != "" {
		parts = append(parts, "unit "+e.Unit)
	}
	if e.Option != "" {
		parts = append(parts, "option "+e.Option)
	}
	if e.Expected != "" || e.Actual != "" {
		parts = append(parts, fmt.Sprintf("expected %s, actual %s", orDash(e.Expected), orDash(e.Actual)))
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
