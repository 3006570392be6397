package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"tally/pipeline"
	"tally/report"
)

type runFlags struct {
	out         string
	failOn      string
	formats     []string
	json        bool
	batchRows   int
	maxExamples int
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
table goes to stdout (or a JSON run summary with --json).`,
		Example: "  tally run testdata/kz-2021/pipeline.yaml --out out/kz-2021 --format parquet,csv",
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
	}
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 on findings at or above this level: error, warning or never (default: the spec's checks.fail_on, or error)")
	fl.BoolVar(&f.json, "json", false, "print a JSON run summary on stdout instead of the seat table")
	fl.IntVar(&f.batchRows, "batch-rows", 0, "rows per batch (default 4096); outputs do not depend on it")
	fl.IntVar(&f.maxExamples, "max-examples", 5, "findings shown per code on stderr")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return a.run(cmd, args[0], f, write)
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

func (a *app) run(cmd *cobra.Command, specPath string, f runFlags, write bool) error {
	spec, err := pipeline.LoadSpec(specPath)
	if err != nil {
		return err
	}
	failName := f.failOn
	if failName == "" {
		failName = spec.Checks.FailOn
	}
	if failName == "" {
		failName = "error"
	}
	fail, err := pipeline.ParseFailOn(failName)
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	for _, fm := range f.formats {
		if !contains(pipeline.OutFormats, fm) {
			return &exitError{code: ExitUsage, err: fmt.Errorf("--format %q; known: %s", fm, strings.Join(pipeline.OutFormats, ", "))}
		}
	}
	sum, err := pipeline.Run(cmd.Context(), spec, pipeline.Options{
		OutDir: f.out, Formats: f.formats, Write: write, BatchRows: f.batchRows, Version: version,
	})
	if err != nil {
		return err
	}
	failed := fail != pipeline.Never && sum.Count(report.Severity(fail)) > 0
	printFindings(a.stderr, sum.Findings, f.maxExamples)
	if f.json {
		if err := writeJSONSummary(a.stdout, spec, sum, failed, failName); err != nil {
			return err
		}
	} else {
		printSeats(a.stdout, sum.Seats)
	}
	printTotals(a.stderr, spec, sum, write)
	if failed {
		return &exitError{code: ExitFindings}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// printFindings writes findings grouped by code, errors first, with at most
// max examples per code.
func printFindings(w io.Writer, fs []report.Finding, max int) {
	type group struct {
		code  report.Code
		sev   report.Severity
		items []report.Finding
	}
	byCode := map[report.Code]*group{}
	var groups []*group
	for _, f := range fs {
		g, ok := byCode[f.Code]
		if !ok {
			g = &group{code: f.Code, sev: f.Severity}
			byCode[f.Code] = g
			groups = append(groups, g)
		}
		g.sev = max2(g.sev, f.Severity)
		g.items = append(g.items, f)
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if groups[i].sev != groups[j].sev {
			return groups[i].sev > groups[j].sev
		}
		return groups[i].code < groups[j].code
	})
	for _, g := range groups {
		for i, f := range g.items {
			if max >= 0 && i == max {
				fmt.Fprintf(w, "  ... and %d more %s findings (see findings table)\n", len(g.items)-max, g.code)
				break
			}
			fmt.Fprintln(w, f.String())
		}
	}
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f%%\t%s\t%d\t%s\t\n", r.Contest, r.Party, group3(r.Votes), r.Share, elig, r.Seats, decl)
	}
	tw.Flush()
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
	rows, used, rejected := 0, 0, 0
	for _, s := range sum.Sources {
		rows += s.Rows
		used += s.Used
		rejected += s.Rejected
	}
	fmt.Fprintf(w, "%s: %d source(s), %d rows read, %d used, %d rejected; %d result rows, %d units; %d errors, %d warnings\n",
		spec.Election.ID, len(sum.Sources), rows, used, rejected, sum.Tables["results"], sum.Tables["units"],
		sum.Count(report.Error), sum.Count(report.Warning)-sum.Count(report.Error))
	if write {
		fmt.Fprintf(w, "wrote %d files and datapackage.json to %s\n", len(sum.Outputs), sum.OutDir)
	}
}

// jsonSummary is the --json run summary.
type jsonSummary struct {
	Status     string           `json:"status"`
	Election   string           `json:"election_id"`
	Version    string           `json:"tally_version"`
	FailOn     string           `json:"fail_on"`
	Counts     jsonCounts       `json:"counts"`
	Findings   map[string]int   `json:"findings_by_code"`
	Tables     map[string]int64 `json:"tables"`
	Sources    []jsonSource     `json:"sources"`
	Outputs    []jsonOutput     `json:"outputs"`
	Severities map[string]int   `json:"findings_by_severity"`
	Seats      []jsonSeat       `json:"seats,omitempty"`
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
	SHA256 string `json:"sha256"`
}

type jsonSeat struct {
	Contest  string `json:"contest_id"`
	Party    string `json:"party_id"`
	Votes    int64  `json:"votes"`
	Eligible bool   `json:"eligible"`
	Seats    int    `json:"seats"`
	Declared *int64 `json:"declared_seats"`
}

func writeJSONSummary(w io.Writer, spec *pipeline.Spec, sum *pipeline.Summary, failed bool, failOn string) error {
	js := jsonSummary{Status: "success", Election: spec.Election.ID, Version: version, FailOn: failOn,
		Findings: map[string]int{}, Severities: map[string]int{"error": 0, "warning": 0, "info": 0}, Tables: sum.Tables,
		Sources: []jsonSource{}, Outputs: []jsonOutput{}}
	if failed {
		js.Status = "fail"
	}
	for _, f := range sum.Findings {
		js.Findings[string(f.Code)]++
		js.Severities[f.Severity.String()]++
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
		js := &js
		var d *int64
		if v, ok := s.DeclaredSeats(); ok {
			d = &v
		}
		js.Seats = append(js.Seats, jsonSeat{Contest: s.Contest, Party: s.PartyID, Votes: s.Votes, Eligible: s.Eligible, Seats: s.Seats, Declared: d})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(js)
}
