package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"tally/pipeline"
	"tally/report"
	"tally/sinks"
)

func newConvertCmd(a *app) *cobra.Command {
	var f sourceFlags
	var out, outDir, election, contestFrom, failOn string
	var maxExamples int
	cmd := &cobra.Command{
		Use:   "convert FILE... (-o OUT.{parquet,arrow,csv} | --out DIR)",
		Short: "Read result files with no spec: sniff, map and normalize with defaults",
		Long: `convert reads result files as tally inspect sees them, with no spec: every
table of every file, columns mapped from their headers and contents, total
and subtotal rows kept apart from the units. -o writes the results table in
the format its extension names; --out DIR writes every table (results,
units, seats, findings, rejects) and datapackage.json. The totals of each
contest, summed over its most detailed units, are printed to stderr.`,
		Example: "  tally convert 2021.csv.zip -o results.parquet\n  tally convert regions.xlsx --out out/regions",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &exitError{code: ExitUsage, err: fmt.Errorf("want at least one FILE; see --help")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if (out == "") == (outDir == "") {
				return &exitError{code: ExitUsage, err: fmt.Errorf("name one output: -o OUT.parquet|.arrow|.csv, or --out DIR")}
			}
			fail, err := pipeline.ParseFailOn(failOn)
			if err != nil {
				return &exitError{code: ExitUsage, err: err}
			}
			switch contestFrom {
			case "", "title", "sheet":
			default:
				return &exitError{code: ExitUsage, err: fmt.Errorf("--contest-from %q must be title or sheet", contestFrom)}
			}
			spec := convertSpec(args, f, election, contestFrom)
			opt := pipeline.Options{OutDir: outDir, Write: true, Version: version}
			var tmp string
			if out != "" {
				format := strings.TrimPrefix(filepath.Ext(out), ".")
				if !contains(pipeline.OutFormats, format) {
					return &exitError{code: ExitUsage, err: fmt.Errorf("-o %s: the extension must name a format: .parquet, .arrow or .csv", out)}
				}
				if tmp, err = os.MkdirTemp(filepath.Dir(out), ".tally-convert-"); err != nil {
					return report.UsageError(fmt.Errorf("cannot write beside %s: %w", out, err))
				}
				defer os.RemoveAll(tmp)
				opt.OutDir, opt.Formats = tmp, []string{format}
			}
			sum, err := pipeline.Run(cmd.Context(), spec, opt)
			if err != nil {
				return err
			}
			defer sum.Close()
			if out != "" {
				if err := os.Rename(filepath.Join(tmp, "results"+sinks.Ext(opt.Formats[0])), out); err != nil {
					return fmt.Errorf("cannot write %s: %w", out, err)
				}
			}
			if err := printFindings(a.stderr, sum, maxExamples); err != nil {
				return err
			}
			printContestTotals(a.stderr, sum.Totals)
			printTotals(a.stderr, spec, sum, false)
			if out != "" {
				fmt.Fprintf(a.stderr, "wrote %s\n", out)
			} else {
				fmt.Fprintf(a.stderr, "wrote %d files and datapackage.json to %s\n", len(sum.Outputs), sum.OutDir)
			}
			if fail != pipeline.Never && sum.Count(report.Severity(fail)) > 0 {
				return &exitError{code: ExitFindings}
			}
			return nil
		},
	}
	f.add(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&out, "output", "o", "", "write the results table to this file (.parquet, .arrow or .csv)")
	fl.StringVar(&outDir, "out", "", "write every table and datapackage.json to this folder")
	fl.StringVar(&election, "election", "", "election id for the outputs (default: from the first file's name)")
	fl.StringVar(&contestFrom, "contest-from", "", "make each stacked table (title) or each sheet (sheet) a contest of its own")
	fl.StringVar(&failOn, "fail-on", "never", "exit 1 on findings at or above this level: error, warning or never")
	fl.IntVar(&maxExamples, "max-examples", 5, "findings shown per code on stderr")
	return cmd
}

// convertSpec is the spec convert runs: every file a source, every
// default left to the sniffer.
func convertSpec(files []string, f sourceFlags, election, contestFrom string) *pipeline.Spec {
	if election == "" {
		base := filepath.Base(files[0])
		for ext := filepath.Ext(base); ext != ""; ext = filepath.Ext(base) {
			base = strings.TrimSuffix(base, ext)
		}
		election = pipeline.Slug(base)
		if election == "" {
			election = "converted"
		}
	}
	spec := &pipeline.Spec{Election: pipeline.Election{ID: election}, Dir: ".", Path: "tally-convert"}
	for _, p := range files {
		src := f.source(p)
		src.ContestFrom = contestFrom
		spec.Sources = append(spec.Sources, src)
	}
	return spec
}

// printContestTotals writes, per contest, the level summed and each
// option's votes, largest first.
func printContestTotals(w io.Writer, totals []pipeline.ContestTotals) {
	for _, ct := range totals {
		var levels []string
		for lv, n := range ct.Levels {
			levels = append(levels, fmt.Sprintf("%s %d", lv, n))
		}
		sort.Strings(levels)
		fmt.Fprintf(w, "contest %s: %d %s units summed (levels: %s)\n", ct.Contest, ct.Units, ct.Level, strings.Join(levels, ", "))
		var figs []string
		for _, name := range []string{"registered", "ballots_issued", "ballots_cast", "invalid", "valid"} {
			if v, ok := ct.Figures[name]; ok {
				figs = append(figs, fmt.Sprintf("%s %s", name, group3(v)))
			}
		}
		if len(figs) > 0 {
			fmt.Fprintf(w, "  %s\n", strings.Join(figs, ", "))
		}
		opts := append([]pipeline.OptionTotal(nil), ct.Options...)
		sort.SliceStable(opts, func(i, j int) bool { return opts[i].Votes > opts[j].Votes })
		for _, o := range opts {
			fmt.Fprintf(w, "  %14s  %s\n", group3(o.Votes), o.Name)
		}
	}
}
