package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"tally/report"
	"tally/sinks"
)

// Exit codes, the contract with schedulers (README.md, "Exit codes").
const (
	ExitOK       = 0 // done; no finding at or above --fail-on
	ExitFindings = 1 // done, outputs written; findings at or above --fail-on
	ExitUsage    = 2 // bad usage or an invalid spec
	ExitInput    = 3 // an input that cannot be read at all
	ExitInternal = 4 // outputs could not be written, or a bug in tally
	ExitLocked   = 5 // another run holds the output folder's lock; try again later
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// app carries what every command needs; nothing below cmd/ reads the
// environment or exits the process.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string

	// Set from the persistent flags before a command runs (see logging.go).
	log       *slog.Logger
	logFormat string
	quiet     bool
	verbose   int
	term      bool // stderr is a terminal that can show progress
	color     bool // and colour: NO_COLOR is unset or empty
}

// exitError carries an exit code through cobra. A nil err means the
// command has already said what there was to say.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// Main runs tally with args and returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "tally: internal error: %v\nplease report this with the command you ran; the stack follows only with TALLY_DEBUG=1\n", p)
			if getenv("TALLY_DEBUG") == "1" {
				stderr.Write(debug.Stack())
			}
			code = ExitInternal
		}
	}()
	a := &app{stdout: stdout, stderr: stderr, getenv: getenv, log: slog.New(slog.DiscardHandler)}
	sinks.CreatedBy = "tally " + version
	root := newRoot(a)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code = exitCode(err)
	if ee, ok := errors.AsType[*exitError](err); ok && ee.err == nil {
		return code
	}
	for _, line := range strings.Split(strings.TrimRight(err.Error(), "\n"), "\n") {
		fmt.Fprintln(stderr, line)
	}
	if code == ExitUsage && !errors.Is(err, report.ErrUsage) {
		fmt.Fprintln(stderr, "run 'tally help' for usage")
	}
	return code
}

func exitCode(err error) int {
	if ee, ok := errors.AsType[*exitError](err); ok {
		return ee.code
	}
	switch {
	case errors.Is(err, report.ErrUsage):
		return ExitUsage
	case errors.Is(err, report.ErrInput):
		return ExitInput
	case errors.Is(err, sinks.ErrLocked):
		return ExitLocked
	case errors.Is(err, context.Canceled):
		return ExitInternal
	}
	if isFlagError(err) {
		return ExitUsage
	}
	return ExitInternal
}

// isFlagError recognises cobra's own usage errors, which it returns as
// plain errors.
func isFlagError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "unknown command", "accepts ", "requires at least", "requires exactly", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func newRoot(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "tally",
		Short: "Turn published election result sheets into validated, tidy tables",
		Long: `tally reads the result sheets election commissions publish (CSV and Excel, any
layout and encoding), normalizes them, checks the protocol arithmetic, shares
and seat allocation, and writes canonical tables (results, units, seats,
findings, rejects) as Parquet, Arrow IPC and CSV with a datapackage.json
manifest.

Exit codes: 0 done (or nothing to do: the release is up to date); 1
findings at or above --fail-on (outputs still written), or tally verify
found a difference; 2 bad usage or invalid spec; 3 an input that cannot be
read; 4 outputs could not be written, an interrupted run, or an internal
error; 5 another run holds the output folder's lock (try again, or --wait).

Environment: SOURCE_DATE_EPOCH (seconds since 1970) dates a release's
manifest and files, which otherwise hold no time; NO_COLOR turns colour off;
GOGC or GOMEMLIMIT set the garbage collector's goal (by default tally lets
the heap reach 64 MiB, or 1.5 times the live heap when that is larger).`,
		Example: `  tally run testdata/kz-2021/pipeline.yaml --out out/kz-2021
  tally validate testdata/kz-2021/pipeline.yaml --fail-on warning`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: ExitUsage, err: err}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.logFormat, "log-format", "text", "log format on stderr: text or json")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "print only errors on stderr")
	pf.CountVarP(&a.verbose, "verbose", "v", "print more on stderr (-v: what each stage does)")
	root.PersistentPreRunE = func(*cobra.Command, []string) error { return a.setupLog() }
	root.AddCommand(newRunCmd(a, true), newRunCmd(a, false), newVerifyCmd(a), newSeatsCmd(a), newVersionCmd(a), newInspectCmd(a), newConvertCmd(a), newInitCmd(a), newSuggestCmd(a))
	return root
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print tally's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(a.stdout, "tally", version)
			return nil
		},
	}
}
