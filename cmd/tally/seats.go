package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/text/encoding/htmlindex"

	"tally/electoral"
	"tally/pipeline"
	"tally/report"
	"tally/sources"
)

type seatsFlags struct {
	seats               int
	reserved            int
	method              string
	firstDivisor        string
	droopVariant        string
	threshold           string
	thresholdBase       string
	thresholdStrict     bool
	ballotsCast         int64
	validVotes          int64
	minQualified        int
	electorateThreshold int
	mmp                 bool
	tieBreak            string
	seed                int64
	trace               bool
	traceJSON           string
	out                 string
	failOn              string
}

func newSeatsCmd(a *app) *cobra.Command {
	var f seatsFlags
	cmd := &cobra.Command{
		Use:   "seats VOTES.csv",
		Short: "Allocate seats from a table of votes and check them against declared seats",
		Long: `seats reads a CSV with a header row (columns matched case-insensitively):
  party        required  the list's name; output rows keep input order
  votes        required  whole non-negative number (thousands separators allowed)
  kind         optional  list (default), against_all, blank or invalid: non-list rows
                         count toward a cast threshold base and never win seats
  seats        optional  declared seats: copied to declared_seats and compared
  alliance     optional  surplus-vote agreement: lists with the same value are pooled,
                         then share the group's seats by the same method
  electorates  optional  single-member seats won (--electorate-threshold, --mmp)
and writes the seats table as CSV (party_id, party_name, votes, share, eligible,
seats, declared_seats; with --mmp also electorates and overhang) to stdout or -o.

Methods: hare, droop, hagenbach-bischoff, imperiali-quota (largest remainder);
dhondt, sainte-lague, modified-sainte-lague, danish, imperiali, huntington-hill,
adams (divisors). Every tie is reported; a declared seat count that differs from
the computed one is an error finding (exit 1).`,
		Example: `  tally seats kz-2021.csv --seats 98 --method hare --threshold 7 --min-qualified 2
  tally seats nz.csv --seats 120 --method sainte-lague --threshold 5 --electorate-threshold 1 --mmp
  tally seats nl.csv --seats 150 --method dhondt --threshold 1/150 --trace`,
		Args: exactArgs(1, "VOTES.csv"),
	}
	fl := cmd.Flags()
	fl.IntVar(&f.seats, "seats", 0, "seats in the house or district, reserved ones included (required)")
	fl.StringVar(&f.method, "method", "", "allocation method (required); see above")
	fl.IntVar(&f.reserved, "reserved", 0, "seats of --seats filled outside the vote")
	fl.StringVar(&f.firstDivisor, "first-divisor", "", "modified-sainte-lague's first divisor (default 1.4)")
	fl.StringVar(&f.droopVariant, "droop-variant", "", "droop quota formula: floor+1 (default, floor(v/(s+1))+1), exact+1 or ceil")
	fl.StringVar(&f.threshold, "threshold", "", "legal threshold: a percent (7, 3.25) or a fraction of the base (1/150)")
	fl.StringVar(&f.thresholdBase, "threshold-base", "valid", "what the threshold is a share of: valid or cast")
	fl.BoolVar(&f.thresholdStrict, "threshold-strict", false, "lists need more than the threshold, not just as much")
	fl.Int64Var(&f.ballotsCast, "ballots-cast", 0, "ballots cast, for --threshold-base cast (default: the sum of every row)")
	fl.Int64Var(&f.validVotes, "valid-votes", 0, "valid votes, when the input lists only some of the lists (default: the sum of the lists)")
	fl.IntVar(&f.minQualified, "min-qualified", 0, "admit the next lists by votes until at least this many take part")
	fl.IntVar(&f.electorateThreshold, "electorate-threshold", 0, "also qualify a list that won at least this many electorates")
	fl.BoolVar(&f.mmp, "mmp", false, "mixed-member proportional: electorates beyond the entitlement are overhang")
	fl.StringVar(&f.tieBreak, "tie-break", "error", "rule for ties: error, order (input order), lot (--seed) or votes (more votes, then input order)")
	fl.Int64Var(&f.seed, "seed", 0, "seed of the draw for --tie-break lot")
	fl.BoolVar(&f.trace, "trace", false, "explain every step on stderr")
	fl.StringVar(&f.traceJSON, "trace-json", "", "write the trace as JSON to this file")
	fl.StringVarP(&f.out, "output", "o", "", "write the seats table to this CSV file instead of stdout")
	fl.StringVar(&f.failOn, "fail-on", "error", "exit 1 on findings at or above this level: error, warning or never")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return a.seats(args[0], f, cmd.Flags().Changed("seed"))
	}
	return cmd
}

func usage(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// options turns the flags into allocation options; every problem is a
// usage error.
func (f seatsFlags) options() (electoral.Options, error) {
	var opt electoral.Options
	if f.seats < 1 {
		return opt, usage("--seats is required and must be at least 1")
	}
	if f.method == "" {
		return opt, usage("--method is required; known: %s", methodNames())
	}
	m, err := electoral.ParseMethod(f.method)
	if err != nil {
		return opt, usage("--method: %w", err)
	}
	opt = electoral.Options{
		Seats: f.seats, Reserved: f.reserved, Method: m, ThresholdStrict: f.thresholdStrict,
		BallotsCast: f.ballotsCast, ValidVotes: f.validVotes, MinQualified: f.minQualified,
		ElectorateThreshold: f.electorateThreshold, MMP: f.mmp, Seed: f.seed,
	}
	if f.firstDivisor != "" {
		if opt.FirstDivisor, err = electoral.ParseFirstDivisor(f.firstDivisor); err != nil {
			return opt, usage("--first-divisor: %w", err)
		}
	}
	if f.droopVariant != "" {
		if opt.DroopVariant, err = electoral.ParseDroopVariant(f.droopVariant); err != nil {
			return opt, usage("--droop-variant: %w", err)
		}
	}
	if f.threshold != "" {
		if opt.Threshold, err = electoral.ParseThreshold(f.threshold); err != nil {
			return opt, usage("--threshold: %w", err)
		}
	}
	if opt.ThresholdBase, err = electoral.ParseBase(f.thresholdBase); err != nil {
		return opt, usage("--threshold-base: %w", err)
	}
	if opt.TieBreak, err = electoral.ParseTieBreak(f.tieBreak); err != nil {
		return opt, usage("--tie-break: %w", err)
	}
	return opt, nil
}

func methodNames() string {
	var ns []string
	for _, m := range electoral.Methods() {
		ns = append(ns, m.String())
	}
	return strings.Join(ns, ", ")
}

// seatsRow is one input row with where its cells came from.
type seatsRow struct {
	row      int // 1-based line of the row in the file
	entry    electoral.Entry
	declared int // -1: none given
	seatsCol int // 1-based column of the seats cell, 0 without one
}

func (a *app) seats(path string, f seatsFlags, seedSet bool) error {
	opt, err := f.options()
	if err != nil {
		return err
	}
	if seedSet && opt.TieBreak != electoral.TieLot {
		return usage("--seed applies to --tie-break lot only")
	}
	fail, err := pipeline.ParseFailOn(f.failOn)
	if err != nil {
		return usage("--fail-on: %w", err)
	}
	rows, err := readVotes(path)
	if err != nil {
		return err
	}
	entries := make([]electoral.Entry, len(rows))
	for i, r := range rows {
		entries[i] = r.entry
	}

	var findings []report.Finding
	res, err := electoral.Allocate(entries, opt)
	if err != nil {
		switch {
		case errors.Is(err, electoral.ErrBadOptions), errors.Is(err, electoral.ErrBadThreshold), errors.Is(err, electoral.ErrUnknownMethod):
			return usage("%w", err)
		case errors.Is(err, electoral.ErrBadEntry):
			return report.InputError(report.At(report.Position{File: path}, err))
		}
		findings = append(findings, report.Finding{Severity: report.Error, Code: report.SeatsNotAllocated,
			Pos: report.Position{File: path}, Message: "seats could not be allocated: " + err.Error()})
		printFindings(a.stderr, findingSlice(findings), -1)
		if fail != pipeline.Never {
			return &exitError{code: ExitFindings}
		}
		return nil
	}

	ids := partyIDs(res.Parties)
	for i, r := range rows {
		p := res.Parties[i]
		if r.declared >= 0 && r.declared != p.Seats {
			findings = append(findings, report.Finding{
				Severity: report.Error, Code: report.SeatsMismatch, OptionID: ids[i],
				Pos:      report.Position{File: path, Row: r.row, Column: r.seatsCol, Header: "seats"},
				Message:  fmt.Sprintf("party %q: declared %d seats, computed %d", p.Name, r.declared, p.Seats),
				Expected: strconv.Itoa(r.declared), Actual: strconv.Itoa(p.Seats),
			})
		}
	}
	for _, t := range res.Ties {
		findings = append(findings, report.Finding{Severity: report.Warning, Code: report.SeatsTie,
			Pos: report.Position{File: path}, Message: t.String()})
	}

	if f.trace {
		if err := res.Trace.WriteText(a.stderr); err != nil {
			return err
		}
	}
	if f.traceJSON != "" {
		b, err := json.MarshalIndent(res.Trace, "", "  ")
		if err != nil {
			return err
		}
		if err := writeFileAtomic(f.traceJSON, append(b, '\n')); err != nil {
			return &exitError{code: ExitInternal, err: err}
		}
	}
	table := seatsTable(res, rows, ids, opt.MMP)
	if f.out != "" {
		if err := writeFileAtomic(f.out, table); err != nil {
			return &exitError{code: ExitInternal, err: err}
		}
	} else if _, err := a.stdout.Write(table); err != nil {
		return &exitError{code: ExitInternal, err: err}
	}
	printFindings(a.stderr, findingSlice(findings), -1)
	for _, fd := range findings {
		if fail != pipeline.Never && fd.Severity >= report.Severity(fail) {
			return &exitError{code: ExitFindings}
		}
	}
	return nil
}

// partyIDs slugs the names, numbering repeats ("a-b", "a-b-2") so that
// every id is unique.
func partyIDs(ps []electoral.PartyResult) []string {
	ids := make([]string, len(ps))
	seen := map[string]int{}
	for i, p := range ps {
		id := pipeline.Slug(p.Name)
		if id == "" {
			id = "party"
		}
		seen[id]++
		if n := seen[id]; n > 1 {
			id = fmt.Sprintf("%s-%d", id, n)
		}
		ids[i] = id
	}
	return ids
}

func seatsTable(res *electoral.Result, rows []seatsRow, ids []string, mmp bool) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	head := []string{"party_id", "party_name", "votes", "share", "eligible", "seats", "declared_seats"}
	if mmp {
		head = append(head, "electorates", "overhang")
	}
	w.Write(head)
	for i, p := range res.Parties {
		decl := ""
		if rows[i].declared >= 0 {
			decl = strconv.Itoa(rows[i].declared)
		}
		rec := []string{ids[i], p.Name, strconv.FormatInt(p.Votes, 10), strconv.FormatFloat(p.Share, 'f', -1, 64),
			strconv.FormatBool(p.Eligible), strconv.Itoa(p.Seats), decl}
		if mmp {
			rec = append(rec, strconv.Itoa(p.Electorates), strconv.Itoa(p.Overhang))
		}
		w.Write(rec)
	}
	w.Flush()
	return b.Bytes()
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place, so a failure never leaves half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// seatsColumns are the input columns tally seats knows.
var seatsColumns = []string{"party", "votes", "kind", "seats", "alliance", "electorates"}

// readVotes reads the votes CSV. Every problem is an input error with the
// position of the row or cell to blame.
func readVotes(path string) ([]seatsRow, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, report.InputError(report.At(report.Position{File: path}, errors.Unwrap(err)))
	}
	text, err := decodeText(raw)
	if err != nil {
		return nil, report.InputError(report.At(report.Position{File: path}, err))
	}
	bad := func(row, col int, format string, args ...any) error {
		return report.InputError(report.At(report.Position{File: path, Row: row, Column: col}, fmt.Errorf(format, args...)))
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = sources.SniffDelimiter(text)
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err == io.EOF {
		return nil, bad(0, 0, "empty file; want a header with at least party and votes")
	}
	if err != nil {
		return nil, csvError(path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		for _, known := range seatsColumns {
			if name != known {
				continue
			}
			if j, dup := col[name]; dup {
				return nil, bad(1, i+1, "column %q appears twice (columns %d and %d)", known, j+1, i+1)
			}
			col[name] = i
		}
	}
	for _, need := range []string{"party", "votes"} {
		if _, ok := col[need]; !ok {
			return nil, bad(1, 0, "no %q column; the header must name party and votes", need)
		}
	}
	cell := func(rec []string, name string) (string, int, bool) {
		i, ok := col[name]
		if !ok {
			return "", 0, false
		}
		return strings.TrimSpace(rec[i]), i + 1, true
	}
	count := func(line int, rec []string, name string) (int64, bool, error) {
		s, c, ok := cell(rec, name)
		if !ok || s == "" {
			return 0, false, nil
		}
		n, err := pipeline.ParseNumber(s, pipeline.HintCount)
		if err != nil || n.Missing || !n.Whole || n.Percent || n.Int < 0 {
			return 0, false, bad(line, c, "%s %q is not a whole non-negative number", name, s)
		}
		return n.Int, true, nil
	}

	var rows []seatsRow
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(path, err)
		}
		line, _ := r.FieldPos(0)
		name, pc, _ := cell(rec, "party")
		if name == "" {
			return nil, bad(line, pc, "empty party name")
		}
		if prev, dup := seen[name]; dup {
			return nil, bad(line, pc, "party %q repeats row %d", name, prev)
		}
		seen[name] = line
		sr := seatsRow{row: line, declared: -1, entry: electoral.Entry{Name: name}}
		v, ok, err := count(line, rec, "votes")
		if err != nil {
			return nil, err
		}
		if !ok {
			_, vc, _ := cell(rec, "votes")
			return nil, bad(line, vc, "no votes for %q", name)
		}
		sr.entry.Votes = v
		if k, kc, ok := cell(rec, "kind"); ok {
			if sr.entry.Kind, err = electoral.ParseKind(k); err != nil {
				return nil, bad(line, kc, "kind %q; known: list, against_all, blank, invalid", k)
			}
		}
		if d, ok, err := count(line, rec, "seats"); err != nil {
			return nil, err
		} else if ok {
			sr.declared = int(d)
			_, sr.seatsCol, _ = cell(rec, "seats")
		}
		if al, _, ok := cell(rec, "alliance"); ok {
			sr.entry.Alliance = al
		}
		if e, ok, err := count(line, rec, "electorates"); err != nil {
			return nil, err
		} else if ok {
			sr.entry.Electorates = int(e)
		}
		if sr.entry.Kind != electoral.KindList && (sr.entry.Alliance != "" || sr.entry.Electorates != 0 || sr.declared > 0) {
			return nil, bad(line, 0, "%q is %s and cannot have an alliance, electorates or seats", name, sr.entry.Kind)
		}
		rows = append(rows, sr)
	}
	if len(rows) == 0 {
		return nil, bad(1, 0, "no rows below the header")
	}
	return rows, nil
}

// csvError turns an encoding/csv error into a positioned input error.
func csvError(path string, err error) error {
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		cause := pe.Err
		if pe.StartLine != pe.Line {
			cause = fmt.Errorf("%w (record starts on row %d)", pe.Err, pe.StartLine)
		}
		return report.InputError(report.At(report.Position{File: path, Row: pe.Line, Column: pe.Column}, cause))
	}
	return report.InputError(report.At(report.Position{File: path}, err))
}

// decodeText returns the file as UTF-8: a byte order mark is dropped, and
// UTF-16 or a Cyrillic code page is decoded as sources detects it.
func decodeText(raw []byte) ([]byte, error) {
	g := sources.DetectEncoding(raw)
	switch g.Name {
	case "utf-8-bom":
		return raw[3:], nil
	case "utf-8", "":
		if !utf8.Valid(raw) {
			return nil, errors.New("not valid UTF-8 text")
		}
		return raw, nil
	}
	name := g.Name
	if name == "cp866" {
		name = "ibm866"
	}
	enc, err := htmlindex.Get(name)
	if err != nil {
		return nil, fmt.Errorf("text in %s, which tally seats cannot read", g.Name)
	}
	out, err := enc.NewDecoder().Bytes(raw)
	if err != nil {
		return nil, fmt.Errorf("text in %s: %w", g.Name, err)
	}
	return bytes.TrimPrefix(out, []byte("\ufeff")), nil
}
