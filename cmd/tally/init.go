package main

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"tally/pipeline"
)

func newInitCmd(a *app) *cobra.Command {
	var f sourceFlags
	cmd := &cobra.Command{
		Use:   "init FILE... > SPEC.yaml",
		Short: "Write a starter spec from what inspect sees in the files",
		Long: `init inspects each file and writes a spec that pins what the sniffer guessed
(encoding, delimiter, sheets, header rows, the column of each figure) and
lists every option found as a party, with its header as an alias. Lines
tally guessed carry a comment saying so and how sure it was; review them,
fill in the contests' seats and method, then run the spec with tally run.
Source paths are written as given: save the spec in the current folder, or
adjust them (they are resolved from the spec's folder).`,
		Example: "  tally init regions.xlsx > regions.yaml",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &exitError{code: ExitUsage, err: fmt.Errorf("want at least one FILE; see --help")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var reps []*inspectReport
			for _, p := range args {
				rep, err := inspectFile(cmd.Context(), p, f.source(p))
				if err != nil {
					return err
				}
				reps = append(reps, rep)
			}
			writeStarterSpec(a.stdout, args, reps, f)
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

// writeStarterSpec writes the spec init prints.
func writeStarterSpec(w io.Writer, files []string, reps []*inspectReport, f sourceFlags) {
	base := filepath.Base(files[0])
	for ext := filepath.Ext(base); ext != ""; ext = filepath.Ext(base) {
		base = strings.TrimSuffix(base, ext)
	}
	id := pipeline.Slug(base)
	if id == "" {
		id = "election"
	}
	fmt.Fprintf(w, "# Starter spec written by tally init from %s.\n", strings.Join(files, ", "))
	fmt.Fprintln(w, "# Lines marked \"guessed\" are what the sniffer decided; check them against the files.")
	fmt.Fprintln(w, "election:")
	fmt.Fprintf(w, "  id: %s   # guessed from the file name\n", id)
	fmt.Fprintf(w, "  name: %s\n", yamlString(base))
	fmt.Fprintln(w, "  # date: YYYY-MM-DD")
	fmt.Fprintln(w, "  # country: XX")

	stacked := false
	for _, r := range reps {
		titled := 0
		for _, t := range r.Tables {
			if t.Title != "" {
				titled++
			}
		}
		if titled > 1 {
			stacked = true
		}
	}
	fmt.Fprintln(w, "\ncontests:")
	if stacked {
		fmt.Fprintln(w, "  # The files stack several tables, each under a title row: each becomes a")
		fmt.Fprintln(w, "  # contest named by its title (contest_from: title below). Declare one here,")
		fmt.Fprintln(w, "  # with the slug of its title as id, to give it seats and a method.")
		fmt.Fprintln(w, "  []")
	} else {
		fmt.Fprintln(w, "  - id: national")
		fmt.Fprintln(w, "    # seats: 0            # list seats to allocate; leave out for a candidate contest")
		fmt.Fprintln(w, "    # method: dhondt      # "+strings.Join(pipeline.MethodNames(), ", "))
		fmt.Fprintln(w, "    # threshold: {percent: 5, base: valid}")
	}

	fmt.Fprintln(w, "\nparties:")
	seen := map[string]bool{}
	n := 0
	for _, r := range reps {
		for _, t := range r.Tables {
			for _, c := range t.Columns {
				if c.Option == "" || !strings.HasPrefix(c.Role, "option_votes") {
					continue
				}
				pid := pipeline.Slug(c.Option)
				if pid == "" || seen[pid] {
					continue
				}
				seen[pid] = true
				n++
				aliases := []string{c.Option}
				if c.Header != c.Option {
					aliases = append(aliases, c.Header)
				}
				var q []string
				for _, al := range aliases {
					q = append(q, yamlString(al))
				}
				fmt.Fprintf(w, "  - {id: %s, name: %s, aliases: [%s]}\n", pid, yamlString(c.Option), strings.Join(q, ", "))
			}
		}
	}
	if n == 0 {
		fmt.Fprintln(w, "  [] # no option columns found: a long table names them in a column")
	}

	fmt.Fprintln(w, "\nsources:")
	for i, r := range reps {
		fmt.Fprintf(w, "  - path: %s\n", yamlString(files[i]))
		for _, c := range r.Containers {
			if m, ok := strings.CutPrefix(c, "zip member "); ok {
				fmt.Fprintf(w, "    member: %s   # the only table file in the zip\n", yamlString(m))
			}
		}
		fmt.Fprintf(w, "    format: %s   # %s\n", r.Format, byWhat(r.FormatBy))
		if e := r.Encoding; e != nil {
			fmt.Fprintf(w, "    encoding: %s   # guessed, confidence %.2f: %s\n", e.Name, e.Confidence, e.Reason)
		}
		if r.Delimiter != "" {
			fmt.Fprintf(w, "    delimiter: %s   # guessed\n", yamlString(r.Delimiter))
		}
		if len(r.Sheets) > 0 {
			sheets := f.sheets
			if len(sheets) == 0 {
				sheets = []string{"*"}
			}
			fmt.Fprintf(w, "    sheet: [%s]   # the workbook has %d sheet(s)\n", strings.Join(quoteYAML(sheets), ", "), len(r.Sheets))
		}
		if stacked {
			fmt.Fprintln(w, "    contest_from: title")
		}
		if len(r.Tables) == 0 {
			fmt.Fprintln(w, "    # no table found")
			continue
		}
		t := r.Tables[0]
		if len(r.Tables) == 1 {
			fmt.Fprintf(w, "    header_row: %d   # guessed\n", t.HeaderRows[0])
			fmt.Fprintf(w, "    header_rows: %d   # guessed\n", len(t.HeaderRows))
		} else {
			fmt.Fprintf(w, "    # %d tables found; their headers are found again in each\n", len(r.Tables))
		}
		if t.Layout != "" {
			fmt.Fprintf(w, "    layout: %s   # guessed\n", t.Layout)
		}
		if t.MapError != "" {
			fmt.Fprintf(w, "    # columns could not be mapped: %s\n", t.MapError)
		}
		hints := map[string]string{}
		var keys []string
		for _, c := range t.Columns {
			switch c.Role {
			case "unit_id", "unit_name", "parent", "registered", "ballots_issued", "ballots_cast", "invalid", "valid", "option", "votes", "share", "seats":
				if _, dup := hints[c.Role]; !dup {
					hints[c.Role] = c.Header
				}
			case "unit_key":
				keys = append(keys, fmt.Sprintf("%s %q", c.Letter, c.Header))
			}
		}
		if len(keys) > 0 {
			fmt.Fprintf(w, "    # the unit is named by columns %s together\n", strings.Join(keys, ", "))
		}
		if len(hints) > 0 {
			fmt.Fprintln(w, "    columns:   # guessed from the headers and the cells below them")
			var roles []string
			for r := range hints {
				roles = append(roles, r)
			}
			sort.Strings(roles)
			for _, r := range roles {
				fmt.Fprintf(w, "      %s: %s\n", r, yamlString(hints[r]))
			}
		}
	}
	fmt.Fprintln(w, "\nchecks: {fail_on: error}")
}

func byWhat(by string) string {
	if by == "content" {
		return "guessed from the content"
	}
	return by
}

func quoteYAML(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = yamlString(s)
	}
	return out
}

// yamlString quotes s for YAML, always with double quotes so that no
// header text (colons, #, leading dashes) changes the document.
func yamlString(s string) string { return strconv.Quote(s) }
