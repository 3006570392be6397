package pipeline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

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
	// Mem allocates Arrow buffers; nil means a pool that reuses the
	// buffers of batches every sink has released.
	Mem memory.Allocator

	// Force rewrites the release even when its manifest shows that the
	// inputs, spec, version and options are those of the last run.
	Force bool
	// Wait waits for another run holding the output folder's lock, where
	// without it Run fails with sinks.ErrLocked.
	Wait bool
	// Created is the release's time (RFC 3339), written into the manifest
	// and every file's metadata; empty writes no time at all. cmd/tally
	// takes it from SOURCE_DATE_EPOCH.
	Created string
	// ArrowZstd compresses the Arrow IPC outputs with zstd (many readers
	// lack the codec, so they are uncompressed by default).
	ArrowZstd bool
	// Observer hears about progress; nil hears nothing.
	Observer Observer
	// Log receives what the run does to the output folder (waiting for
	// the lock, clearing after an interrupted run); nil discards it.
	Log *slog.Logger
	// Pause, when set, is called at the points named Pause* while a
	// release is written. It is a test hook: tests stop a run there and
	// kill it. It may block.
	Pause func(point string)
	// Today (YYYY-MM-DD) decides which entries of the spec's ledger of
	// known discrepancies have expired; empty lets none expire. cmd/tally
	// sets it.
	Today string
}

// Summary is what a run did. Its findings and rejects are read with
// EachFinding and EachReject; they may be in a temporary file, which
// Close removes.
type Summary struct {
	Sources []SourceStats
	Seats   []SeatRow
	Outputs []sinks.Output
	OutDir  string
	Tables  map[string]int64 // rows written per table
	Totals  []ContestTotals  // per contest, the sums its seats and checks use
	// UpToDate says the release in place was made from the same inputs,
	// spec, version and options, so nothing was read or written; the
	// summary then comes from its manifest (no findings, no seats).
	UpToDate bool
	// Release is the manifest of the release written or found up to date.
	Release *sinks.Descriptor

	rec *report.Recorder // the findings and rejects
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
	if s.rec == nil {
		return 0
	}
	return s.rec.Count(sev)
}

// FindingCount returns the number of findings.
func (s *Summary) FindingCount() int {
	if s.rec == nil {
		return 0
	}
	return s.rec.FindingCount()
}

// RejectCount returns the number of rejected rows.
func (s *Summary) RejectCount() int {
	if s.rec == nil {
		return 0
	}
	return s.rec.RejectCount()
}

// FindingsByCode returns how many findings each code has.
func (s *Summary) FindingsByCode() map[string]int {
	out := map[string]int{}
	if s.rec != nil {
		for c, n := range s.rec.CodeCounts() {
			out[string(c)] = n
		}
	}
	return out
}

// FindingsBySeverity returns how many findings each severity has, every
// severity named.
func (s *Summary) FindingsBySeverity() map[string]int {
	out := map[string]int{}
	for _, sev := range []report.Severity{report.Error, report.Warning, report.Info} {
		n := 0
		if s.rec != nil {
			n = s.rec.SeverityCount(sev)
		}
		out[sev.String()] = n
	}
	return out
}

// EachFinding calls fn with every finding of the run, in order: by file,
// sheet, row, column, then code, unit, option and message. The finding
// is fn's to keep. It stops at fn's first error and returns it.
func (s *Summary) EachFinding(fn func(*report.Finding) error) error {
	if s.rec == nil {
		return nil
	}
	return s.rec.EachFinding(fn)
}

// EachReject calls fn with every rejected row, ordered by file, sheet
// and row.
func (s *Summary) EachReject(fn func(*report.Reject) error) error {
	if s.rec == nil {
		return nil
	}
	return s.rec.EachReject(fn)
}

// Close removes the temporary file of the findings and rejects, if any;
// they cannot be read after it.
func (s *Summary) Close() error {
	if s.rec == nil {
		return nil
	}
	return s.rec.Close()
}

// Run reads every source of the spec, checks it, allocates seats and, when
// opt.Write is set, writes the canonical tables and the manifest. Findings
// never make Run fail: they are in the summary. Run fails on an unreadable
// input (report.ErrInput), a spec that does not fit the data
// (report.ErrUsage) or an output it cannot write.
func Run(ctx context.Context, spec *Spec, opt Options) (*Summary, error) {
	mem := opt.Mem
	if mem == nil {
		mem = newBufPool()
	}
	r := &runner{
		spec:    spec,
		opt:     opt,
		mem:     mem,
		rec:     &report.Recorder{SpillBytes: findingSpillBytes},
		aliases: NewAliases(spec.Parties),
		sum:     &Summary{Tables: map[string]int64{}},
		obs:     opt.Observer,
		log:     opt.Log,
	}
	r.sum.rec = r.rec
	if cs := spec.checks; cs != nil && cs.ledger != nil {
		r.ledger = cs.ledger.applier(opt.Today)
		r.rec.SetAccept(r.ledger.accept)
	}
	// A run that fails leaves no findings to read: their file goes.
	ok := false
	defer func() {
		if !ok {
			r.rec.Close()
		}
	}()
	if r.obs == nil {
		r.obs = noObserver{}
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	var rel *sinks.Release
	if opt.Write {
		var err error
		if rel, err = r.openRelease(ctx); err != nil {
			return nil, err
		}
		defer rel.Close()
		r.sum.OutDir = r.outDir()
	}
	// A release in place may be up to date, which takes the inputs' hashes
	// to know before anything else. Otherwise (no release yet, --force, or
	// nothing to write) the inputs are hashed while they are read: from
	// the bytes the sources read, or, when the hashes are needed before
	// the files open, on a goroutine of their own.
	hashedFirst := opt.Write && !opt.Force && hasRelease(rel.Dir)
	if hashedFirst {
		r.obs.Stage("hash")
		if err := r.hashInputs(ctx, true); err != nil {
			return nil, err
		}
		r.hashed = func() error { return nil }
		if d, ok := upToDate(rel.Dir, r.fingerprint()); ok {
			r.log.Debug("release is up to date", "dir", r.sum.OutDir)
			r.summarizeRelease(d)
			ok = true
			return r.sum, nil
		}
	}
	// Parquet and CSV record the inputs' hashes at the files' close, once
	// they are known; formats that record metadata up front wait for them
	// before the files open.
	late := true
	for _, f := range r.formats() {
		late = late && sinks.LateMetaFormat(f)
	}
	switch {
	case hashedFirst:
	case hashFromReads && (late || !opt.Write):
		// Each input is hashed from the bytes its source reads, and what
		// the source left unread once every source is read.
		tctx, stop := context.WithCancel(ctx)
		defer stop()
		r.tees = r.teeInputs(tctx)
		r.hashed = sync.OnceValue(func() error { return r.finishTees(ctx) })
	default:
		hctx, stop := context.WithCancel(ctx)
		defer stop()
		done := make(chan error, 1)
		go func() { done <- r.hashInputs(hctx, false) }()
		r.hashed = sync.OnceValue(func() error { return <-done })
	}
	if opt.Write {
		r.pause(PauseLocked)
		if !hashedFirst {
			if late {
				r.lateMeta = r.sourcesMeta
			} else if err := r.hashed(); err != nil {
				return nil, err
			}
		}
		if err := r.openOutputs(rel.Path()); err != nil {
			return nil, err
		}
		r.out.onFirst = func() { r.pause(PauseWriting) }
	}
	r.results = newBuilder(mem, ResultsTable)
	r.units = newBuilder(mem, UnitsTable)
	defer r.results.release()
	defer r.units.release()
	err := r.run(ctx, rel)
	if err != nil {
		r.out.abort()
		return nil, err
	}
	ok = true
	return r.sum, nil
}

// findingSpillBytes is the memory the findings, and apart the rejects,
// of a run take before they go to a temporary file; tests lower it.
var findingSpillBytes = report.DefaultSpillBytes

type runner struct {
	spec    *Spec
	opt     Options
	mem     memory.Allocator
	rec     *report.Recorder
	ledger  *ledgerApplier // the spec's ledger, applied as findings are added
	aliases *Aliases
	opts    optTable // every option the results name
	sum     *Summary
	out     *outputSet
	obs     Observer
	log     *slog.Logger
	hashes  map[string]inputHash
	// tees, when set, hash the inputs from the bytes the sources read.
	tees teeHashes
	// hashed waits until hashes is complete (the inputs may be hashed on
	// a goroutine of their own while they are read).
	hashed func() error
	// lateMeta, when set, gives the files' provenance that needs the
	// hashes, at the files' close (sinks.Options.LateMeta).
	lateMeta func() (sinks.Meta, error)

	results, units *builder
	tmpl           optTemplate // of results (buildRows)
	// rows, while outputs are open, builds the output rows of units on a
	// goroutine of its own; results and units are then its alone.
	rows         *rowBuilder
	contests     map[string]*contestAgg
	contestOrder []string
}

func (r *runner) run(ctx context.Context, rel *sinks.Release) error {
	r.contests = map[string]*contestAgg{}
	r.obs.Stage("read")
	if r.out != nil {
		r.rows = r.startRowBuilder(ctx)
	}
	for i := range r.spec.Sources {
		if err := r.readSource(ctx, r.spec.Sources[i]); err != nil {
			if r.rows != nil {
				r.rows.finish()
			}
			return err
		}
	}
	// The seats and the cross-unit checks need the units, not the written
	// rows: they go on while the last rows are built and written, and
	// touch nothing the row builder does (it records no findings).
	waitRows := func() error { return nil }
	if rb := r.rows; rb != nil {
		r.rows = nil
		done := make(chan error, 1)
		go func() { done <- rb.finish() }()
		waitRows = sync.OnceValue(func() error { return <-done })
		// Every return waits: the builders are released when Run returns.
		defer waitRows()
	} else if err := r.flushTables(ctx, true); err != nil {
		return err
	}
	if err := r.finishRead(); err != nil {
		waitRows()
		return err
	}
	if err := waitRows(); err != nil {
		return err
	}
	if !r.opt.Write {
		return nil
	}
	r.obs.Stage("write")
	if err := r.writeSmallTables(ctx); err != nil {
		return err
	}
	return r.commit(rel)
}

// finishRead takes the inputs' hashes, allocates the seats and runs the
// cross-unit checks, once every row has been read.
func (r *runner) finishRead() error {
	if err := r.hashed(); err != nil {
		return err
	}
	for i := range r.sum.Sources {
		if h := r.hashes[r.sum.Sources[i].Path]; h.err == nil {
			r.sum.Sources[i].SHA256, r.sum.Sources[i].Bytes = h.sum, h.size
		}
	}
	r.obs.Stage("allocate")
	seatRows, err := r.allocate()
	if err != nil {
		return err
	}
	r.sum.Seats = seatRows
	r.sum.Totals = r.totals()
	return r.finishChecks()
}

func (r *runner) readSource(ctx context.Context, src Source) error {
	path := r.spec.SourcePath(src.Path)
	name := src.Path
	st := SourceStats{Path: path, Name: name}
	in := sources.Input{
		Path: path, Name: name, Format: src.Format, Member: src.Member, Encoding: src.Encoding,
		Delimiter: src.Delimiter, Sheets: src.Sheet, BatchRows: r.opt.BatchRows,
	}
	if t := r.tees[path]; t != nil {
		in.Tee = t.feed
	}
	s, err := sources.Open(ctx, in)
	if err != nil {
		return err
	}
	tr := sources.NewTableReader(s, sources.TableOptions{HeaderRow: src.HeaderRow, HeaderRows: src.HeaderRows, Ahead: 2})
	defer tr.Close()
	contest := r.contest(r.spec.ContestFor(src))
	rd := &sourceReader{r: r, src: src, contest: contest, stats: &st}
	var lastTable *sources.Table
	rowsRead := 0
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
		rowsRead += len(b.Rows)
		r.obs.Read(name, rowsRead)
		if r.rows == nil {
			if err := r.flushTables(ctx, false); err != nil {
				return err
			}
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
		r.sum.Tables[t.def.Name] += n
		if r.out == nil {
			// Nothing is written: the rows were counted, not built.
			t.b.rows = 0
			continue
		}
		rec := t.b.flush()
		err := r.out.write(ctx, t.def.Name, rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// joinRaw renders a row's cells for the rejects table.
func joinRaw(cells []string) string { return strings.Join(cells, "\t") }
