package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"tally/pipeline"
	"tally/report"
	"tally/sources"
)

// sourceFlags are the options every command that reads files without a
// spec accepts, to override what the sniffer guesses.
type sourceFlags struct {
	encoding, delimiter, member, format string
	sheets                              []string
	headerRow, headerRows               int
}

func (f *sourceFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.encoding, "encoding", "", "text encoding, when the guess is wrong: "+strings.Join(sources.Encodings(), ", "))
	fl.StringVar(&f.delimiter, "delimiter", "", "CSV delimiter: one character, or tab")
	fl.StringVar(&f.member, "member", "", "member of a .zip to read")
	fl.StringVar(&f.format, "format-in", "", "input format, when the content does not tell: "+strings.Join(sources.Formats(), ", "))
	fl.StringSliceVar(&f.sheets, "sheet", nil, "sheets to read: names or patterns (default every sheet)")
	fl.IntVar(&f.headerRow, "header-row", 0, "row number of the (first) header row (default: detect)")
	fl.IntVar(&f.headerRows, "header-rows", 0, "how many rows the header spans (default: detect)")
}

func (f *sourceFlags) source(path string) pipeline.Source {
	return pipeline.Source{Path: path, Format: f.format, Member: f.member, Encoding: f.encoding,
		Delimiter: f.delimiter, Sheet: f.sheets, HeaderRow: f.headerRow, HeaderRows: f.headerRows}
}

func newInspectCmd(a *app) *cobra.Command {
	var f sourceFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect FILE",
		Short: "Show what the sniffer sees in a file: encoding, delimiter, sheets, tables, column roles",
		Long: `inspect reads a result file without a spec and prints what tally makes of it:
the containers opened (.zip, .gz), the format, the text encoding with how
sure the guess is, the delimiter, the sheets, and for every table found (a
sheet may stack several) its title, header rows, layout, the kind of rows
(units, subtotals, totals, section labels, notes) and the role given to each
column. --json prints the same as one JSON document.`,
		Example: "  tally inspect results.csv.zip\n  tally inspect regions.xlsx --json",
		Args:    exactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := inspectFile(cmd.Context(), args[0], f.source(args[0]))
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			printInspect(a.stdout, rep)
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

// inspectReport is what inspect prints; its JSON form is a contract.
type inspectReport struct {
	File       string         `json:"file"`
	Containers []string       `json:"containers"`
	Format     string         `json:"format"`
	FormatBy   string         `json:"format_by"`
	Encoding   *inspectEnc    `json:"encoding,omitempty"`
	Delimiter  string         `json:"delimiter,omitempty"`
	Quote      string         `json:"quote,omitempty"`
	Comment    string         `json:"comment,omitempty"`
	Sheets     []string       `json:"sheets,omitempty"`
	Rows       sources.Stats  `json:"rows"`
	Tables     []inspectTable `json:"tables"`
}

type inspectEnc struct {
	Name       string  `json:"name"`
	Confidence float64 `json:"confidence"`
	Reason     string  `json:"reason"`
}

type inspectTable struct {
	Sheet      string          `json:"sheet,omitempty"`
	Block      int             `json:"block"`
	Title      string          `json:"title,omitempty"`
	HeaderRows []int           `json:"header_rows"`
	FirstRow   int             `json:"first_data_row"`
	LastRow    int             `json:"last_data_row"`
	Layout     string          `json:"layout,omitempty"`
	MapError   string          `json:"mapping_error,omitempty"`
	RowKinds   map[string]int  `json:"row_kinds"`
	Sections   []string        `json:"sections,omitempty"`
	Columns    []inspectColumn `json:"columns"`
}

type inspectColumn struct {
	Index  int    `json:"index"`
	Letter string `json:"letter"`
	Header string `json:"header"`
	Kind   string `json:"kind"`
	Role   string `json:"role"`
	Option string `json:"option,omitempty"`
}

func inspectFile(ctx context.Context, path string, src pipeline.Source) (*inspectReport, error) {
	in := sources.Input{Path: path, Format: src.Format, Member: src.Member, Encoding: src.Encoding, Delimiter: src.Delimiter, Sheets: src.Sheet}
	info, err := sources.Sniff(ctx, in)
	if err != nil {
		return nil, err
	}
	rep := &inspectReport{File: path, Containers: info.Containers, Format: info.Format, FormatBy: info.FormatBy,
		Delimiter: info.Delimiter, Quote: info.Quote, Comment: info.Comment, Sheets: info.Sheets}
	if rep.Containers == nil {
		rep.Containers = []string{}
	}
	if info.Encoding.Name != "" {
		rep.Encoding = &inspectEnc{info.Encoding.Name, info.Encoding.Confidence, info.Encoding.Reason}
	}
	s, err := sources.Open(ctx, in)
	if err != nil {
		return nil, err
	}
	tr := sources.NewTableReader(s, sources.TableOptions{HeaderRow: src.HeaderRow, HeaderRows: src.HeaderRows})
	defer tr.Close()
	aliases := pipeline.NewAliases(nil)
	var cur *inspectTable
	var curMap *pipeline.ColumnMap
	var last *sources.Table
	sections := map[string]bool{}
	for {
		b, err := tr.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if b.Table != last {
			last = b.Table
			rep.Tables = append(rep.Tables, describeTable(b.Table, src, aliases))
			cur = &rep.Tables[len(rep.Tables)-1]
			curMap, _ = pipeline.MapColumns(b.Table, src, aliases)
			sections = map[string]bool{}
		}
		for _, r := range b.Rows {
			if cur.FirstRow == 0 {
				cur.FirstRow = r.Num
			}
			cur.LastRow = r.Num
			kind := rowKind(r, curMap)
			if r.Group != "" && !sections[r.Group] {
				sections[r.Group] = true
				cur.Sections = append(cur.Sections, r.Group)
			}
			cur.RowKinds[kind]++
		}
	}
	rep.Rows = tr.Stats()
	return rep, nil
}

// rowKind names what a data row is: a unit, or a total or subtotal of
// others.
func rowKind(r sources.Row, m *pipeline.ColumnMap) string {
	cols := []int{0}
	if m != nil {
		cols = append(cols, m.Keys...)
		for _, role := range []pipeline.Role{pipeline.RoleUnitID, pipeline.RoleUnitName} {
			if i, ok := m.Roles[role]; ok {
				cols = append(cols, i)
			}
		}
	}
	for _, c := range cols {
		if pipeline.ReadsAsTotal(r.Cell(c)) {
			if r.Group != "" {
				return "subtotal"
			}
			return "total"
		}
	}
	return "unit"
}

func describeTable(t *sources.Table, src pipeline.Source, aliases *pipeline.Aliases) inspectTable {
	it := inspectTable{Sheet: t.Sheet, Block: t.Block, Title: t.Title, HeaderRows: t.HeaderRows, RowKinds: map[string]int{}}
	m, err := pipeline.MapColumns(t, src, aliases)
	if err != nil {
		var pe *report.PositionError
		if errors.As(err, &pe) {
			it.MapError = pe.Err.Error()
		} else {
			it.MapError = err.Error()
		}
	} else {
		it.Layout = m.Layout
	}
	for i, h := range t.Columns {
		c := inspectColumn{Index: i + 1, Letter: report.ColumnName(i + 1), Header: h, Kind: sources.KindEmpty.String()}
		if i < len(t.Kinds) {
			c.Kind = t.Kinds[i].String()
		}
		if m != nil {
			c.Role, c.Option = m.Column(i)
		}
		if c.Role == "" {
			c.Role = "-"
		}
		it.Columns = append(it.Columns, c)
	}
	return it
}

func printInspect(w io.Writer, r *inspectReport) {
	fmt.Fprintf(w, "file: %s\n", r.File)
	for _, c := range r.Containers {
		fmt.Fprintf(w, "container: %s\n", c)
	}
	fmt.Fprintf(w, "format: %s (%s)\n", r.Format, r.FormatBy)
	if r.Encoding != nil {
		fmt.Fprintf(w, "encoding: %s (confidence %.2f: %s)\n", r.Encoding.Name, r.Encoding.Confidence, r.Encoding.Reason)
	}
	if r.Delimiter != "" {
		q := r.Quote
		if q == "" {
			q = "none seen"
		}
		fmt.Fprintf(w, "delimiter: %s  quote: %s\n", r.Delimiter, q)
	}
	if r.Comment != "" {
		fmt.Fprintf(w, "comment lines start with: %s\n", r.Comment)
	}
	if len(r.Sheets) > 0 {
		fmt.Fprintf(w, "sheets (%d): %s\n", len(r.Sheets), strings.Join(quoteList(r.Sheets, 12), ", "))
	}
	fmt.Fprintf(w, "rows: %d (%d data, %d header, %d titles/notes/labels, %d blank)\n",
		r.Rows.Rows, r.Rows.DataRows, r.Rows.HeaderRows, r.Rows.Preamble, r.Rows.Blank)
	for _, t := range r.Tables {
		fmt.Fprintln(w)
		where := "table"
		if t.Sheet != "" {
			where = fmt.Sprintf("sheet %q table", t.Sheet)
		}
		fmt.Fprintf(w, "%s %d", where, t.Block)
		if t.Title != "" {
			fmt.Fprintf(w, " %q", t.Title)
		}
		fmt.Fprintf(w, ": header row(s) %s, data rows %d-%d, layout %s\n", joinInts(t.HeaderRows), t.FirstRow, t.LastRow, orDash(t.Layout))
		if t.MapError != "" {
			fmt.Fprintf(w, "  columns not mapped: %s\n", t.MapError)
		}
		fmt.Fprintf(w, "  rows: %s\n", kindsLine(t.RowKinds, len(t.Sections)))
		for _, c := range t.Columns {
			if c.Header == "" && c.Kind == "empty" {
				continue
			}
			role := c.Role
			if c.Option != "" {
				role += " " + fmt.Sprintf("%q", c.Option)
			}
			fmt.Fprintf(w, "  %-3s %-60s %-13s %s\n", c.Letter, clip(fmt.Sprintf("%q", c.Header), 60), c.Kind, role)
		}
	}
}

func kindsLine(k map[string]int, sections int) string {
	var parts []string
	for _, name := range []string{"unit", "subtotal", "total"} {
		if k[name] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", k[name], name))
		}
	}
	if sections > 0 {
		parts = append(parts, fmt.Sprintf("%d section labels", sections))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func quoteList(ss []string, max int) []string {
	var out []string
	for i, s := range ss {
		if i == max {
			out = append(out, fmt.Sprintf("... %d more", len(ss)-max))
			break
		}
		out = append(out, fmt.Sprintf("%q", s))
	}
	return out
}

func joinInts(a []int) string {
	s := make([]string, len(a))
	for i, v := range a {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, ",")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
