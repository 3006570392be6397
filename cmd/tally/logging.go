package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"golang.org/x/term"

	"tally/report"
)

// setupLog builds the logger the persistent flags ask for: log/slog on
// stderr, text (without times: schedulers stamp their own) or JSON (with
// times); -q keeps only errors, -v adds debug records. It also decides
// whether stderr is a terminal for progress and colour.
func (a *app) setupLog() error {
	level := slog.LevelInfo
	switch {
	case a.quiet:
		level = slog.LevelError
	case a.verbose > 0:
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	switch a.logFormat {
	case "text":
		opts.ReplaceAttr = func(groups []string, at slog.Attr) slog.Attr {
			if len(groups) == 0 && at.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return at
		}
		a.log = slog.New(slog.NewTextHandler(a.stderr, opts))
	case "json":
		a.log = slog.New(slog.NewJSONHandler(a.stderr, opts))
	default:
		return &exitError{code: ExitUsage, err: fmt.Errorf("--log-format %q must be text or json", a.logFormat)}
	}
	f, ok := a.stderr.(*os.File)
	a.term = ok && term.IsTerminal(int(f.Fd())) && a.getenv("TERM") != "dumb" && !a.quiet && a.logFormat == "text"
	a.color = a.term && a.getenv("NO_COLOR") == ""
	return nil
}

// jsonLogs reports whether stderr carries JSON records, in which case
// findings and totals go there as records too.
func (a *app) jsonLogs() bool { return a.logFormat == "json" }

// reportFindings writes the findings of a run to stderr: grouped lines in
// the file:sheet:row:column format, or one JSON record each. -q leaves
// them out (the exit code and the findings table still tell).
func (a *app) reportFindings(fs findingSource, max int) error {
	switch {
	case a.quiet:
	case a.jsonLogs():
		return fs.EachFinding(func(f *report.Finding) error {
			level := slog.LevelInfo
			switch f.Severity {
			case report.Error:
				level = slog.LevelError
			case report.Warning:
				level = slog.LevelWarn
			}
			a.log.LogAttrs(context.Background(), level, f.Message, slog.String("code", string(f.Code)),
				slog.String("severity", f.Severity.String()), slog.String("position", f.Pos.String()),
				slog.String("unit_id", f.UnitID), slog.String("option_id", f.OptionID))
			return nil
		})
	default:
		return printFindingsTo(a.stderr, fs, max, a.color)
	}
	return nil
}

// say writes a line of the run's report to stderr, or an info record in
// JSON logs; -q drops it.
func (a *app) say(w io.Writer, msg string, attrs ...any) {
	switch {
	case a.quiet:
	case a.jsonLogs():
		a.log.Info(msg, attrs...)
	default:
		fmt.Fprintln(w, msg)
	}
}
