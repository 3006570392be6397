package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"tally/report"
	"tally/sinks"
	"tally/sources"
)

// Options control one run.
type Options struct {
	// OutDir is where tables go; empty means the spec's outputs.dir
	// resolved against the spec's folder, or "out" beside the spec.
	OutDir string
	// Formats are the output formats; empty means the spec's, or all.
	Formats []string
	// Write false runs every check but writes nothing (tally validate).
	Write bool
	// BatchRows is the number of rows per source and output batch; 0 means
	// the default.
	BatchRows int
	// Version is tally's version, recorded in the manifest.
	Version string
	// Mem allocates Arrow buffers; nil means the Go allocator.
	Mem memory.Allocator
	// Today (YYYY-MM-DD) decides which entries of the spec's ledger of
	// known discrepancies have expired; empty lets none expire. cmd/tally
	// sets it.
	Today string
}

// Summary is what a run did.
type Summary struct {
	Findings []report.Finding
	Rejects  []report.Reject
	Sources  []SourceStats
	Seats    []SeatRow
	Outputs  []sinks.Output
	OutDir   string
	Tables   map[string]int64 // rows written per table
	Totals   []ContestTotals  // per contest, the sums its seats and checks use
}

// SourceStats accounts for every row of one source: Rows = Data + Header +
// Preamble + Blank, and Data = Used + Rejected.
type SourceStats struct {
	Path     string
	Name     string
	SHA256   string
	Bytes    int64
	Rows     int
	Header   int
	Preamble int
	Blank    int
	Data     int
	Used     int
	Rejected int
}

// Count returns how many findings are at or above sev.
func (s *Summary) Count(sev report.Severity) int {
	n := 0
	for _, f := range s.Findings {
		if f.Severity >= sev {
			n++
		}
	}
	return n
}

// Run reads every source of the spec, checks it, allocates seats and, when
// opt.Write is set, writes the canonical tables and the manifest. Findings
// never make Run fail: they are in the summary. Run fails on an unreadable
// input (report.ErrInput), a spec that does not fit the data
// (report.ErrUsage) or an output it cannot write.
func Run(ctx context.Context, spec *Spec, opt Options) (*Summary, error) {
	mem := opt.Mem
	if mem == nil {
		mem = memory.NewGoAllocator()
	}
	r := &runner{
		spec:    spec,
		opt:     opt,
		mem:     mem,
		rec:     &report.Recorder{},
		aliases: NewAliases(spec.Parties),
		sum:     &Summary{Tables: map[string]int64{}},
	}
	r.results = newBuilder(mem, ResultsTable)
	r.units = newBuilder(mem, UnitsTable)
	defer r.results.release()
	defer r.units.release()
	if opt.Write {
		if err := r.openOutputs(); err != nil {
			return nil, err
		}
	}
	err := r.run(ctx)
	if err != nil {
		r.out.abort()
		return nil, err
	}
	return r.sum, nil
}

type runner struct {
	spec    *Spec
	opt     Options
	mem     memory.Allocator
	rec     *report.Recorder
	aliases *Aliases
	sum     *Summary
	out     *outputSet

	results, units *builder
	contests       map[string]*contestAgg
	contestOrder   []string
}

func (r *runner) run(ctx context.Context) error {
	r.contests = map[string]*contestAgg{}
	for i := range r.spec.Sources {
		if err := r.readSource(ctx, r.spec.Sources[i]); err != nil {
			return err
		}
	}
	if err := r.flushTables(ctx, true); err != nil {
		return err
	}
	seatRows, err := r.allocate()
	if err != nil {
		return err
	}
	r.sum.Seats = seatRows
	r.sum.Totals = r.totals()
	r.sum.Findings = r.finishChecks()
	r.sum.Rejects = r.rec.Rejects()
	if !r.opt.Write {
		return nil
	}
	if err := r.writeSmallTables(ctx); err != nil {
		return err
	}
	outs, err := r.out.commit(r.manifest())
	if err != nil {
		return err
	}
	r.sum.Outputs = outs
	return nil
}

func (r *runner) readSource(ctx context.Context, src Source) error {
	path := r.spec.SourcePath(src.Path)
	name := src.Path
	st := SourceStats{Path: path, Name: name}
	if sum, n, err := sinks.FileSum(path); err == nil {
		st.SHA256, st.Bytes = sum, n
	}
	in := sources.Input{
		Path: path, Name: name, Format: src.Format, Member: src.Member, Encoding: src.Encoding,
		Delimiter: src.Delimiter, Sheets: src.Sheet, BatchRows: r.opt.BatchRows,
	}
	s, err := sources.Open(ctx, in)
	if err != nil {
		return err
	}
	tr := sources.NewTableReader(s, sources.TableOptions{HeaderRow: src.HeaderRow, HeaderRows: src.HeaderRows})
	defer tr.Close()
	contest := r.contest(r.spec.ContestFor(src))
	rd := &sourceReader{r: r, src: src, contest: contest, stats: &st}
	var lastTable *sources.Table
	for {
		b, err := tr.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if b.Table != lastTable {
			if err := rd.flushUnit(); err != nil {
				return err
			}
			m, err := MapColumns(b.Table, src, r.aliases)
			if err != nil {
				return err
			}
			rd.table, rd.cols = b.Table, m
			rd.contest = r.tableContest(src, b.Table, contest)
			lastTable = b.Table
		}
		for _, row := range b.Rows {
			if err := rd.row(row); err != nil {
				return err
			}
		}
		if err := r.flushTables(ctx, false); err != nil {
			return err
		}
	}
	if err := rd.flushUnit(); err != nil {
		return err
	}
	ts := tr.Stats()
	st.Rows, st.Header, st.Preamble, st.Blank, st.Data = ts.Rows, ts.HeaderRows, ts.Preamble, ts.Blank, ts.DataRows
	if st.Data != st.Used+st.Rejected {
		return fmt.Errorf("%s: internal accounting error: %d data rows, %d used, %d rejected", name, st.Data, st.Used, st.Rejected)
	}
	if st.Used == 0 {
		r.rec.Add(report.Finding{Severity: report.Error, Code: report.NoResults, Pos: report.Position{File: name},
			Message: fmt.Sprintf("no result rows read from %s (%d rows: %d header, %d above the header, %d blank, %d rejected)", name, st.Rows, st.Header, st.Preamble, st.Blank, st.Rejected)})
	}
	r.sum.Sources = append(r.sum.Sources, st)
	return nil
}

// flushTables hands the built rows of the streaming tables to the sinks,
// when enough have gathered or at the end.
func (r *runner) flushTables(ctx context.Context, final bool) error {
	limit := r.opt.BatchRows
	if limit <= 0 {
		limit = sources.DefaultBatchRows
	}
	for _, t := range []struct {
		def TableDef
		b   *builder
	}{{ResultsTable, r.results}, {UnitsTable, r.units}} {
		if t.b.rows == 0 || (!final && t.b.rows < limit) {
			continue
		}
		n := int64(t.b.rows)
		rec := t.b.flush()
		r.sum.Tables[t.def.Name] += n
		if r.out != nil {
			if err := r.out.write(ctx, t.def.Name, rec); err != nil {
				rec.Release()
				return err
			}
		}
		rec.Release()
	}
	return nil
}

func (r *runner) outDir() string {
	if r.opt.OutDir != "" {
		return r.opt.OutDir
	}
	d := r.spec.Outputs.Dir
	if d == "" {
		d = "out"
	}
	return r.spec.SourcePath(d)
}

func (r *runner) formats() []string {
	if len(r.opt.Formats) > 0 {
		return r.opt.Formats
	}
	if len(r.spec.Outputs.Formats) > 0 {
		return r.spec.Outputs.Formats
	}
	return []string{"parquet", "arrow", "csv"}
}

func (r *runner) openOutputs() error {
	dir := r.outDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return report.UsageError(fmt.Errorf("cannot create output folder %s: %w", dir, err))
	}
	r.sum.OutDir = dir
	set := &outputSet{dir: dir, sinks: map[string][]sinks.Sink{}}
	meta := sinks.Meta{
		"tally.version":     r.opt.Version,
		"tally.election_id": r.spec.Election.ID,
		"tally.spec_sha256": r.spec.Hash,
	}
	for _, t := range Tables {
		for _, f := range r.formats() {
			path := filepath.Join(dir, t.Name+sinks.Ext(f))
			s, err := sinks.Create(f, path, t.Schema, meta, sinks.Options{})
			if err != nil {
				set.abort()
				return report.UsageError(err)
			}
			set.sinks[t.Name] = append(set.sinks[t.Name], s)
			set.files = append(set.files, outFile{table: t, format: f, path: path, sink: s})
		}
	}
	r.out = set
	return nil
}

// outputSet is every sink of a run.
type outputSet struct {
	dir   string
	sinks map[string][]sinks.Sink
	files []outFile
}

type outFile struct {
	table  TableDef
	format string
	path   string
	sink   sinks.Sink
}

func (o *outputSet) write(ctx context.Context, table string, rec arrow.RecordBatch) error {
	for _, s := range o.sinks[table] {
		if err := s.Write(ctx, rec); err != nil {
			return err
		}
	}
	return nil
}

func (o *outputSet) abort() {
	if o == nil {
		return
	}
	for _, f := range o.files {
		f.sink.Abort()
	}
}

// commit closes every sink (renaming its file into place) and writes the
// manifest last, so a manifest always describes complete files.
func (o *outputSet) commit(m sinks.Package) ([]sinks.Output, error) {
	var outs []sinks.Output
	for _, f := range o.files {
		if err := f.sink.Close(); err != nil {
			o.abort()
			return nil, err
		}
	}
	for _, f := range o.files {
		sum, n, err := sinks.FileSum(f.path)
		if err != nil {
			return nil, err
		}
		outs = append(outs, sinks.Output{
			Table: f.table.Name, Format: f.format, Path: filepath.Base(f.path), Rows: f.sink.Rows(),
			Bytes: n, SHA256: sum, Description: f.table.Description, Schema: f.table.Schema, PrimaryKey: f.table.PrimaryKey,
		})
	}
	m.Resources = outs
	if err := sinks.WriteManifest(filepath.Join(o.dir, "datapackage.json"), m); err != nil {
		return nil, err
	}
	return outs, nil
}

func (r *runner) manifest() sinks.Package {
	p := sinks.Package{
		Name:       r.spec.Election.ID,
		Title:      r.spec.Election.Name,
		Version:    r.opt.Version,
		SpecSHA256: r.spec.Hash,
		Spec:       filepath.Base(r.spec.Path),
	}
	for _, s := range r.sum.Sources {
		p.Sources = append(p.Sources, sinks.SourceFile{
			Path: s.Name, SHA256: s.SHA256, Bytes: s.Bytes,
			Rows: s.Rows, HeaderRows: s.Header, PreambleRows: s.Preamble, BlankRows: s.Blank,
			DataRows: s.Data, UsedRows: s.Used, RejectedRows: s.Rejected,
		})
	}
	return p
}

// joinRaw renders a row's cells for the rejects table.
func joinRaw(cells []string) string { return strings.Join(cells, "\t") }
