package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"tally/pipeline"
	"tally/report"
)

type runFlags struct {
	out              string
	failOn           string
	formats          []string
	json             bool
	batchRows        int
	maxExamples      int
	wait             bool
	force            bool
	arrowCompression string
}

// newRunCmd builds `tally run` (write true) or `tally validate`.
func newRunCmd(a *app, write bool) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run SPEC.yaml",
		Short: "Read, check and write every table the spec describes",
		Long: `run reads every source of the spec, maps and normalizes it, runs every check,
allocates seats, and writes the tables results, units, seats, findings and
rejects in each output format, with datapackage.json listing every file with
its rows and sha256. Findings are printed to stderr grouped by code; the seat
table goes to stdout (or a JSON run summary with --json).

The output folder is replaced whole and at once: the run writes a temporary
folder beside it and moves it into place only when every table and the
manifest are complete, so an interrupted or killed run leaves the previous
release as it was. A lock beside the folder keeps a second run out (exit 5,
or --wait). When the inputs, the spec, tally's version and the output
options are those the release was made from, run says so and exits 0
without rewriting anything (--force rewrites).`,
		Example: "  tally run testdata/kz-2021/pipeline.yaml --out out/kz-2021 --format parquet,csv\n  tally run pipeline.yaml --wait --json > run.json",
		Args:    exactArgs(1, "SPEC.yaml"),
	}
	if !write {
		cmd.Use = "validate SPEC.yaml"
		cmd.Short = "Run every check of a spec without writing tables"
		cmd.Long = `validate does everything run does except writing tables: it reads the sources,
runs every check and allocates seats, then prints the findings. Its exit code
is the one run would give.`
		cmd.Example = "  tally validate testdata/kz-2021/pipeline.yaml --fail-on warning"
	}
	fl := cmd.Flags()
	if write {
		fl.StringVarP(&f.out, "out", "o", "", "output folder (default: the spec's outputs.dir, or out/ beside the spec)")
		fl.StringSliceVar(&f.formats, "format", nil, "output formats, comma separated: parquet, arrow, csv (default: the spec's, or all)")
		fl.BoolVar(&f.wait, "wait", false, "if another run is writing the output folder, wait for it instead of exiting 5")
		fl.BoolVar(&f.force, "force", false, "rewrite the release even if nothing changed since the last run")
		fl.StringVar(&f.arrowCompression, "arrow-compression", "none", "Arrow IPC body compression: none or zstd (many readers lack zstd)")
	}
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 on findings at or above this level: error, warning or never (default: the spec's checks.fail_on, or error)")
	fl.BoolVar(&f.json, "json", false, "print a JSON run summary on stdout instead of the seat table")
	fl.IntVar(&f.batchRows, "batch-rows", 0, "rows per batch (default 4096); outputs do not depend on it")
	fl.IntVar(&f.maxExamples, "max-examples", 5, "findings shown per code on stderr")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		obs := newRunObserver(a.log, a.stderr, a.term)
		res, failed, err := a.run(cmd, args[0], f, write, obs)
		if res.sum != nil {
			// The findings may be in a temporary file until the report
			// is written.
			defer res.sum.Close()
		}
		timing := obs.finish()
		if f.json {
			js := summaryFor(res, failed, err)
			js.Timing, js.Elapsed = timing, obs.elapsed()
			js.GeneratedAt, _ = sourceDate(a.getenv)
			if jerr := writeJSON(a.stdout, js); jerr != nil && err == nil {
				err = jerr
			}
		}
		if err != nil {
			return err
		}
		if err := a.report(res, f, write); err != nil {
			return err
		}
		if failed {
			return &exitError{code: ExitFindings}
		}
		return nil
	}
	return cmd
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return &exitError{code: ExitUsage, err: fmt.Errorf("want %s (got %d arguments); see --help", what, len(args))}
		}
		return nil
	}
}

// sourceDate returns SOURCE_DATE_EPOCH as an RFC 3339 time, or "" when it
// is unset; a value that is not a whole number of seconds is an error.
func sourceDate(getenv func(string) string) (string, error) {
	v := getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return "", nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return "", fmt.Errorf("SOURCE_DATE_EPOCH=%q must be a whole number of seconds since 1970-01-01 UTC", v)
	}
	return time.Unix(n, 0).UTC().Format(time.RFC3339), nil
}

// run loads the spec and runs it. failed says the findings reach
// --fail-on. res.sum is nil when err is not.
func (a *app) run(cmd *cobra.Command, specPath string, f runFlags, write bool, obs *runObserver) (*runResult, bool, error) {
	res := &runResult{failOn: f.failOn}
	spec, err := pipeline.LoadSpec(specPath)
	if err != nil {
		return res, false, err
	}
	res.spec = spec
	if res.failOn == "" {
		res.failOn = spec.Checks.FailOn
	}
	if res.failOn == "" {
		res.failOn = "error"
	}
	fail, err := pipeline.ParseFailOn(res.failOn)
	if err != nil {
		return res, false, &exitError{code: ExitUsage, err: err}
	}
	for _, fm := range f.formats {
		if !contains(pipeline.OutFormats, fm) {
			return res, false, &exitError{code: ExitUsage, err: fmt.Errorf("--format %q; known: %s", fm, strings.Join(pipeline.OutFormats, ", "))}
		}
	}
	if f.arrowCompression != "none" && f.arrowCompression != "zstd" && f.arrowCompression != "" {
		return res, false, &exitError{code: ExitUsage, err: fmt.Errorf("--arrow-compression %q must be none or zstd", f.arrowCompression)}
	}
	created, err := sourceDate(a.getenv)
	if err != nil {
		return res, false, &exitError{code: ExitUsage, err: err}
	}
	opt := pipeline.Options{
		OutDir: f.out, Formats: f.formats, Write: write, BatchRows: f.batchRows, Version: version,
		Force: f.force, Wait: f.wait, Created: created, ArrowZstd: f.arrowCompression == "zstd",
		Observer: obs, Log: a.log, Pause: a.testPause(cmd.Context()),
		Today: ledgerToday(created),
	}
	sum, err := pipeline.Run(cmd.Context(), spec, opt)
	if err != nil {
		if errors.Is(err, context.Canceled) && write {
			err = fmt.Errorf("interrupted; the output folder is left as it was: %w", err)
		}
		return res, false, err
	}
	res.sum = sum
	failed := !sum.UpToDate && fail != pipeline.Never && sum.Count(report.Severity(fail)) > 0
	return res, failed, nil
}

// runResult is what a run gives the report and the summary.
type runResult struct {
	spec   *pipeline.Spec
	sum    *pipeline.Summary
	failOn string
}

// report prints the findings and totals to stderr and the seat table to
// stdout (unless --json took stdout).
func (a *app) report(res *runResult, f runFlags, write bool) error {
	sum := res.sum
	if sum.UpToDate {
		a.say(a.stderr, fmt.Sprintf("%s is up to date: the inputs, spec, tally version and options are those it was made from; nothing written (--force rewrites it)", sum.OutDir),
			"dir", sum.OutDir, "fingerprint", sum.Release.Run.Fingerprint)
		return nil
	}
	if err := a.reportFindings(sum, f.maxExamples); err != nil {
		return err
	}
	if !f.json {
		printSeats(a.stdout, sum.Seats)
	}
	switch {
	case a.quiet:
	case a.jsonLogs():
		rows, used, rejected := sourceTotals(sum)
		a.log.Info("run complete", "election_id", res.spec.Election.ID, "sources", len(sum.Sources), "rows_read", rows, "rows_used", used,
			"rows_rejected", rejected, "results", sum.Tables["results"], "units", sum.Tables["units"],
			"errors", sum.Count(report.Error), "warnings", sum.Count(report.Warning)-sum.Count(report.Error), "out_dir", sum.OutDir)
	default:
		printTotals(a.stderr, res.spec, sum, write)
	}
	return nil
}

// testPause returns the Pause hook that TALLY_TEST_PAUSE asks for (a
// point name, see pipeline.Pause*), or nil. It is for tests only: at that
// point the run says "tally: paused at POINT" on stderr and waits until
// its standard input is closed or it is interrupted, so a test can kill
// it there.
func (a *app) testPause(ctx context.Context) func(string) {
	at := a.getenv("TALLY_TEST_PAUSE")
	if at == "" {
		return nil
	}
	return func(point string) {
		if point != at {
			return
		}
		fmt.Fprintf(a.stderr, "tally: paused at %s\n", point)
		done := make(chan struct{})
		go func() {
			io.Copy(io.Discard, os.Stdin)
			close(done)
		}()
		select {
		case <-done:
		case <-ctx.Done():
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// findingSource gives findings in order: a run's summary, or a list.
type findingSource interface {
	EachFinding(fn func(*report.Finding) error) error
}

// findingSlice is a list of findings as a findingSource, in its order.
type findingSlice []report.Finding

func (fs findingSlice) EachFinding(fn func(*report.Finding) error) error {
	for i := range fs {
		f := fs[i]
		if err := fn(&f); err != nil {
			return err
		}
	}
	return nil
}

// printFindings writes findings grouped by code, errors first, with at most
// max examples per code (all when max < 0).
func printFindings(w io.Writer, fs findingSource, max int) error {
	return printFindingsTo(w, fs, max, false)
}

// printFindingsTo is printFindings with the severity in colour when color
// is set (a terminal, NO_COLOR unset). It reads the findings once to
// count each code and keep its first examples, and, when every finding
// is shown, once more for each code.
func printFindingsTo(w io.Writer, fs findingSource, max int, color bool) error {
	type group struct {
		code  report.Code
		sev   report.Severity
		n     int
		items []report.Finding
	}
	byCode := map[report.Code]*group{}
	var groups []*group
	err := fs.EachFinding(func(f *report.Finding) error {
		g, ok := byCode[f.Code]
		if !ok {
			g = &group{code: f.Code, sev: f.Severity}
			byCode[f.Code] = g
			groups = append(groups, g)
		}
		g.sev = max2(g.sev, f.Severity)
		g.n++
		if max >= 0 && len(g.items) < max {
			g.items = append(g.items, *f)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if groups[i].sev != groups[j].sev {
			return groups[i].sev > groups[j].sev
		}
		return groups[i].code < groups[j].code
	})
	print := func(f *report.Finding) error {
		line := f.String()
		if color {
			line = colorSeverity(line, *f)
		}
		fmt.Fprintln(w, line)
		return nil
	}
	for _, g := range groups {
		if max < 0 {
			err := fs.EachFinding(func(f *report.Finding) error {
				if f.Code != g.code {
					return nil
				}
				return print(f)
			})
			if err != nil {
				return err
			}
			continue
		}
		for i := range g.items {
			print(&g.items[i])
		}
		if g.n > max {
			fmt.Fprintf(w, "  ... and %d more %s findings (see findings table)\n", g.n-max, g.code)
		}
	}
	return nil
}

// colorSeverity paints the "severity code" part of a finding's line: red
// for errors, yellow for warnings.
func colorSeverity(line string, f report.Finding) string {
	code := "\x1b[33m"
	switch f.Severity {
	case report.Error:
		code = "\x1b[31m"
	case report.Info:
		return line
	}
	part := fmt.Sprintf(": %s %s:", f.Severity, f.Code)
	return strings.Replace(line, part, ": "+code+f.Severity.String()+" "+string(f.Code)+"\x1b[0m:", 1)
}

func max2(a, b report.Severity) report.Severity {
	if a > b {
		return a
	}
	return b
}

func printSeats(w io.Writer, rows []pipeline.SeatRow) {
	if len(rows) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "contest\tparty\tvotes\tshare\teligible\tseats\tdeclared\t")
	for _, r := range rows {
		decl := "-"
		if d, ok := r.DeclaredSeats(); ok {
			decl = strconv.FormatInt(d, 10)
		}
		elig := "no"
		if r.Eligible {
			elig = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f%%\t%s\t%d\t%s\t\n", tableText(r.Contest), tableText(r.Party), group3(r.Votes), r.Share, elig, r.Seats, decl)
	}
	tw.Flush()
}

// tableText fits a name to one cell of a terminal table: on one line and
// at most 60 characters (the tables written keep it whole).
func tableText(s string) string {
	if strings.ContainsAny(s, "\t\r\n") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return clip(s, 60)
}

// group3 writes a count with thousands separated by commas.
func group3(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func printTotals(w io.Writer, spec *pipeline.Spec, sum *pipeline.Summary, write bool) {
	rows, used, rejected := sourceTotals(sum)
	fmt.Fprintf(w, "%s: %d source(s), %d rows read, %d used, %d rejected; %d result rows, %d units; %d errors, %d warnings\n",
		spec.Election.ID, len(sum.Sources), rows, used, rejected, sum.Tables["results"], sum.Tables["units"],
		sum.Count(report.Error), sum.Count(report.Warning)-sum.Count(report.Error))
	if write {
		fmt.Fprintf(w, "wrote %d files and datapackage.json to %s\n", len(sum.Outputs), sum.OutDir)
	}
}

func sourceTotals(sum *pipeline.Summary) (rows, used, rejected int) {
	for _, s := range sum.Sources {
		rows += s.Rows
		used += s.Used
		rejected += s.Rejected
	}
	return rows, used, rejected
}

// jsonSummary is the --json run summary, in the manner of dbt's run
// results: a status a scheduler can branch on, timing, counts, findings by
// code and severity, and every output with its sha256. It is printed for
// failed runs too (status "error", with the message and exit code).
type jsonSummary struct {
	Status      string           `json:"status"` // success, fail (findings at --fail-on), skipped (up to date) or error
	Message     string           `json:"message,omitempty"`
	ExitCode    int              `json:"exit_code"`
	Election    string           `json:"election_id,omitempty"`
	Version     string           `json:"tally_version"`
	GeneratedAt string           `json:"generated_at,omitempty"` // from SOURCE_DATE_EPOCH only
	Elapsed     float64          `json:"elapsed_time"`
	Timing      []stageTime      `json:"timing"`
	FailOn      string           `json:"fail_on,omitempty"`
	OutDir      string           `json:"out_dir,omitempty"`
	Fingerprint string           `json:"fingerprint,omitempty"`
	Counts      jsonCounts       `json:"counts"`
	Findings    map[string]int   `json:"findings_by_code"`
	Severities  map[string]int   `json:"findings_by_severity"`
	Tables      map[string]int64 `json:"tables"`
	Sources     []jsonSource     `json:"sources"`
	Outputs     []jsonOutput     `json:"outputs"`
	Seats       []jsonSeat       `json:"seats,omitempty"`
}

type jsonCounts struct {
	RowsRead     int `json:"rows_read"`
	RowsUsed     int `json:"rows_used"`
	RowsRejected int `json:"rows_rejected"`
}

type jsonSource struct {
	Path     string `json:"path"`
	SHA256   string `json:"sha256"`
	Rows     int    `json:"rows"`
	Used     int    `json:"used"`
	Rejected int    `json:"rejected"`
}

type jsonOutput struct {
	Table  string `json:"table"`
	Format string `json:"format"`
	Path   string `json:"path"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256,omitempty"`
}

type jsonSeat struct {
	Contest  string `json:"contest_id"`
	Party    string `json:"party_id"`
	Votes    int64  `json:"votes"`
	Eligible bool   `json:"eligible"`
	Seats    int    `json:"seats"`
	Declared *int64 `json:"declared_seats"`
}

// summaryFor builds the --json summary of a run that ended with err (nil
// for a run that completed).
func summaryFor(res *runResult, failed bool, err error) jsonSummary {
	js := jsonSummary{Status: "success", Version: version, FailOn: res.failOn, Timing: []stageTime{},
		Findings: map[string]int{}, Severities: map[string]int{"error": 0, "warning": 0, "info": 0}, Tables: map[string]int64{},
		Sources: []jsonSource{}, Outputs: []jsonOutput{}}
	if res.spec != nil {
		js.Election = res.spec.Election.ID
	}
	if err != nil {
		js.Status, js.Message, js.ExitCode = "error", err.Error(), exitCode(err)
		return js
	}
	sum := res.sum
	if failed {
		js.Status, js.ExitCode = "fail", ExitFindings
	}
	js.OutDir, js.Tables = sum.OutDir, sum.Tables
	if sum.Release != nil {
		js.Fingerprint = sum.Release.Run.Fingerprint
	}
	if sum.UpToDate {
		js.Status, js.Message = "skipped", "the release is up to date; nothing was read or written"
		for code, n := range sum.Release.Run.Findings {
			js.Findings[code] = n
		}
		for sev, n := range sum.Release.Run.Severities {
			js.Severities[sev] = n
		}
	}
	if !sum.UpToDate {
		for code, n := range sum.FindingsByCode() {
			js.Findings[code] += n
		}
		for sev, n := range sum.FindingsBySeverity() {
			js.Severities[sev] += n
		}
	}
	for _, s := range sum.Sources {
		js.Counts.RowsRead += s.Rows
		js.Counts.RowsUsed += s.Used
		js.Counts.RowsRejected += s.Rejected
		js.Sources = append(js.Sources, jsonSource{Path: s.Name, SHA256: s.SHA256, Rows: s.Rows, Used: s.Used, Rejected: s.Rejected})
	}
	for _, o := range sum.Outputs {
		js.Outputs = append(js.Outputs, jsonOutput{Table: o.Table, Format: o.Format, Path: o.Path, Rows: o.Rows, Bytes: o.Bytes, SHA256: o.SHA256})
	}
	for _, s := range sum.Seats {
		var d *int64
		if v, ok := s.DeclaredSeats(); ok {
			d = &v
		}
		js.Seats = append(js.Seats, jsonSeat{Contest: s.Contest, Party: s.PartyID, Votes: s.Votes, Eligible: s.Eligible, Seats: s.Seats, Declared: d})
	}
	return js
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
