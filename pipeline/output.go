package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"tally/report"
	"tally/sinks"
)

// The output side of a run: the release folder, its lock, the sinks of
// every table and format, the manifest, and the record that lets an
// unchanged rerun stop early.

// PartitionColumns are the columns outputs.partition_by may name: each
// has few distinct values in a release.
var PartitionColumns = []string{"election_id", "contest_id", "unit_level", "source_file"}

// Observer hears how a run progresses; cmd/tally draws it on a terminal.
// Every method is called from the goroutine that called Run.
type Observer interface {
	// Stage says a stage begins: "hash", "read", "allocate", "write".
	Stage(name string)
	// Hashed says how many bytes of a source have been hashed, of total.
	Hashed(source string, done, total int64)
	// Read says how many rows of a source have been read so far.
	Read(source string, rows int)
}

type noObserver struct{}

func (noObserver) Stage(string)                {}
func (noObserver) Hashed(string, int64, int64) {}
func (noObserver) Read(string, int)            {}

// Pause points, in the order a run passes them (see Options.Pause).
const (
	PauseLocked   = "locked"   // the lock is held; nothing written yet
	PauseWriting  = "writing"  // the first rows have gone to the temporary folder
	PauseWritten  = "written"  // every table is complete in the temporary folder
	PauseManifest = "manifest" // the manifest is written; the release is not yet in place
	PauseSwapped  = "swapped"  // the release is in place; the previous one not yet removed
)

// inputHash is a source's sha256 and size.
type inputHash struct {
	sum  string
	size int64
	err  error
}

// hashInputs hashes every source once; reading uses the sums, the
// manifest records them and the fingerprint is made of them. A file that
// cannot be read is left for the reader to report. Progress goes to the
// observer only when report is set: the observer is called from Run's
// goroutine, and hashing may run on another while the inputs are read.
func (r *runner) hashInputs(ctx context.Context, report bool) error {
	hashes := map[string]inputHash{}
	for _, src := range r.spec.Sources {
		p := r.spec.SourcePath(src.Path)
		if _, done := hashes[p]; done {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		progress := func(done, total int64) {}
		if report {
			progress = func(done, total int64) { r.obs.Hashed(src.Path, done, total) }
		}
		h := hashFile(ctx, p, progress)
		if h.err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		hashes[p] = h
	}
	r.hashes = hashes
	return nil
}

// hasRelease reports whether dir holds a release's manifest.
func hasRelease(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, sinks.ManifestName))
	return err == nil
}

func hashFile(ctx context.Context, p string, progress func(done, total int64)) inputHash {
	f, err := os.Open(p)
	if err != nil {
		return inputHash{err: err}
	}
	defer f.Close()
	var total int64
	if fi, err := f.Stat(); err == nil {
		total = fi.Size()
	}
	h := sha256.New()
	w := &countingHash{Hash: h, total: total, progress: progress, ctx: ctx}
	// Read in large pieces: io.Copy would take *os.File's WriteTo, which
	// reads 32 KiB at a time, a system call per 32 KiB of input.
	n, err := io.CopyBuffer(w, struct{ io.Reader }{f}, make([]byte, 1<<20))
	if err != nil {
		return inputHash{err: err}
	}
	progress(n, total)
	return inputHash{sum: hex.EncodeToString(h.Sum(nil)), size: n}
}

// countingHash reports progress every 4 MiB hashed, and stops when the
// run is cancelled.
type countingHash struct {
	hash.Hash
	done, total, last int64
	progress          func(done, total int64)
	ctx               context.Context
}

func (c *countingHash) Write(p []byte) (int, error) {
	n, err := c.Hash.Write(p)
	c.done += int64(n)
	if c.done-c.last >= 4<<20 {
		c.last = c.done
		if err := c.ctx.Err(); err != nil {
			return n, err
		}
		c.progress(c.done, c.total)
	}
	return n, err
}

// fingerprint is the sha256 of everything that decides a release's bytes:
// tally's version, the spec, every input, and the options that change
// outputs. Batch sizes, GOMAXPROCS and --fail-on do not change them.
func (r *runner) fingerprint() string {
	h := sha256.New()
	fmt.Fprintf(h, "tally release 1\nversion %q\nspec %s\n", r.opt.Version, r.spec.Hash)
	for _, src := range r.spec.Sources {
		fmt.Fprintf(h, "source %q %s\n", src.Path, r.hashes[r.spec.SourcePath(src.Path)].sum)
	}
	fmt.Fprintf(h, "formats %q\npartition_by %q\narrow_zstd %t\ncreated %q\n",
		r.formats(), r.spec.Outputs.PartitionBy, r.opt.ArrowZstd, r.opt.Created)
	fmt.Fprintf(h, "checks %s\n", r.spec.checksFingerprint(r.opt.Today))
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
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

func (r *runner) pause(point string) {
	if r.opt.Pause != nil {
		r.opt.Pause(point)
	}
}

// openRelease locks the output folder (waiting when asked) and clears what
// a killed run left there.
func (r *runner) openRelease(ctx context.Context) (*sinks.Release, error) {
	dir := r.outDir()
	rel, err := sinks.OpenRelease(ctx, dir, false)
	if errors.Is(err, sinks.ErrLocked) && r.opt.Wait {
		r.log.Info("waiting for another run to finish", "dir", dir)
		rel, err = sinks.OpenRelease(ctx, dir, true)
	}
	switch {
	case err == nil:
	case errors.Is(err, sinks.ErrLocked), errors.Is(err, context.Canceled):
		return nil, err
	case errors.Is(err, sinks.ErrNotRelease):
		return nil, report.UsageError(err)
	default:
		return nil, fmt.Errorf("cannot prepare output folder %s: %w", dir, err)
	}
	for _, p := range rel.Removed {
		r.log.Info("cleared what an interrupted run left", "path", p)
	}
	rel.Hook = r.opt.Pause
	return rel, nil
}

// upToDate reports whether the release in place was made from the same
// inputs, spec, version and options, and still has every file at its
// recorded size. It does not hash the outputs (tally verify does).
func upToDate(dir, fingerprint string) (*sinks.Descriptor, bool) {
	d, err := sinks.ReadManifest(dir)
	if err != nil || d.Run.Fingerprint != fingerprint {
		return nil, false
	}
	for i := range d.Resources {
		for _, f := range d.Resources[i].FileList() {
			fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f.Path)))
			if err != nil || fi.Size() != f.Bytes {
				return nil, false
			}
		}
	}
	return d, true
}

// summarizeRelease fills the summary of a run that found its release up
// to date from that release's manifest.
func (r *runner) summarizeRelease(d *sinks.Descriptor) {
	s := r.sum
	s.UpToDate = true
	s.Release = d
	for _, src := range d.Sources {
		st := SourceStats{Name: src.Path, Path: r.spec.SourcePath(src.Path), SHA256: strings.TrimPrefix(src.Hash, "sha256:"), Bytes: src.Bytes}
		if rw := src.Rows; rw != nil {
			st.Rows, st.Header, st.Preamble, st.Blank, st.Data, st.Used, st.Rejected = rw.Read, rw.Header, rw.Preamble, rw.Blank, rw.Data, rw.Used, rw.Rejected
		}
		s.Sources = append(s.Sources, st)
	}
	for t, n := range d.Run.Rows {
		s.Tables[t] = n
	}
	for _, res := range d.Resources {
		s.Outputs = append(s.Outputs, sinks.Output{Table: res.Table, Format: res.Format, Path: strings.Join(res.Path, ","),
			Rows: res.Rows, Bytes: res.Bytes, SHA256: strings.TrimPrefix(res.Hash, "sha256:")})
	}
}

// partitionBy returns the partition columns a table has, in the order the
// spec lists them.
func (r *runner) partitionBy(t TableDef) []string {
	var by []string
	for _, c := range r.spec.Outputs.PartitionBy {
		if len(t.Schema.FieldIndices(c)) == 1 {
			by = append(by, c)
		}
	}
	return by
}

// fileMeta is what every output file records about itself: provenance
// and the meaning of each column.
func (r *runner) fileMeta(t TableDef) sinks.Meta {
	m := sinks.Meta{
		"tally.version":           r.opt.Version,
		"tally.election_id":       r.spec.Election.ID,
		"tally.spec":              filepath.Base(r.spec.Path),
		"tally.spec_sha256":       r.spec.Hash,
		"tally.table":             t.Name,
		"tally.table.description": t.Description,
	}
	if r.opt.Created != "" {
		m["tally.created"] = r.opt.Created
	}
	if r.lateMeta == nil {
		m["tally.sources"] = r.sourcesLine()
	}
	for _, f := range t.Schema.Fields() {
		if d, ok := f.Metadata.GetValue("description"); ok {
			m["tally.description."+f.Name] = d
		}
	}
	return m
}

// sourcesLine lists every source with its sha256, for the files' metadata.
func (r *runner) sourcesLine() string {
	var srcs []string
	for _, src := range r.spec.Sources {
		srcs = append(srcs, src.Path+" sha256:"+r.hashes[r.spec.SourcePath(src.Path)].sum)
	}
	return strings.Join(srcs, "\n")
}

// sourcesMeta waits for the inputs' hashes and gives the metadata made of
// them.
func (r *runner) sourcesMeta() (sinks.Meta, error) {
	if err := r.hashed(); err != nil {
		return nil, err
	}
	return sinks.Meta{"tally.sources": r.sourcesLine()}, nil
}

func (r *runner) sinkOptions() sinks.Options {
	return sinks.Options{IPCZstd: r.opt.ArrowZstd, LateMeta: r.lateMeta}
}

// openOutputs opens a sink for every table and format in dir, the
// temporary folder of the release.
func (r *runner) openOutputs(dir string) error {
	set := &outputSet{dir: dir, sinks: map[string][]sinks.Sink{}}
	for _, t := range Tables {
		meta := r.fileMeta(t)
		by := r.partitionBy(t)
		for _, f := range r.formats() {
			of := outFile{table: t, format: f, partitionBy: by}
			var err error
			if len(by) > 0 {
				of.path = filepath.Join(dir, t.Name)
				of.parts, err = sinks.CreatePartitioned(f, of.path, t.Schema, by, meta, r.sinkOptions())
				of.sink = of.parts
			} else {
				of.path = filepath.Join(dir, t.Name+sinks.Ext(f))
				of.sink, err = sinks.Create(f, of.path, t.Schema, meta, r.sinkOptions())
			}
			if err != nil {
				set.abort()
				return report.UsageError(err)
			}
			set.sinks[t.Name] = append(set.sinks[t.Name], of.sink)
			set.files = append(set.files, of)
		}
	}
	r.out = set
	return nil
}

// outputSet is every sink of a run.
type outputSet struct {
	dir     string
	sinks   map[string][]sinks.Sink
	files   []outFile
	written bool
	onFirst func()

	// After the first write, batches are encoded on a goroutine of their
	// own, in the order given, while the caller reads on: jobs feeds it,
	// done closes when it has returned, failed holds its first error.
	jobs   chan writeJob
	done   chan struct{}
	failed atomic.Pointer[error]
}

type writeJob struct {
	ctx   context.Context
	table string
	rec   arrow.RecordBatch
}

type outFile struct {
	table       TableDef
	format      string
	path        string
	sink        sinks.Sink
	parts       *sinks.Partitioned // when partitioned
	partitionBy []string
}

// write hands rec to the sinks of its table. The first write is done in
// place (onFirst follows it); later ones are queued for the writing
// goroutine, whose errors come back from a later write or from close.
func (o *outputSet) write(ctx context.Context, table string, rec arrow.RecordBatch) error {
	if !o.written {
		if err := o.writeNow(ctx, table, rec); err != nil {
			return err
		}
		o.written = true
		if o.onFirst != nil {
			o.onFirst()
		}
		return nil
	}
	if p := o.failed.Load(); p != nil {
		return *p
	}
	if o.jobs == nil {
		o.jobs, o.done = make(chan writeJob, 2), make(chan struct{})
		go o.writer()
	}
	rec.Retain()
	select {
	case o.jobs <- writeJob{ctx: ctx, table: table, rec: rec}:
		return nil
	case <-ctx.Done():
		rec.Release()
		return ctx.Err()
	}
}

func (o *outputSet) writeNow(ctx context.Context, table string, rec arrow.RecordBatch) error {
	for _, s := range o.sinks[table] {
		if err := s.Write(ctx, rec); err != nil {
			return err
		}
	}
	return nil
}

// writer encodes queued batches until the queue closes; after an error it
// only releases them.
func (o *outputSet) writer() {
	defer close(o.done)
	for j := range o.jobs {
		if o.failed.Load() == nil {
			if err := o.writeNow(j.ctx, j.table, j.rec); err != nil {
				o.failed.Store(&err)
			}
		}
		j.rec.Release()
	}
}

// drain waits until every queued batch is written and returns the first
// error of the writing goroutine.
func (o *outputSet) drain() error {
	if o.jobs != nil {
		close(o.jobs)
		<-o.done
		o.jobs = nil
	}
	if p := o.failed.Load(); p != nil {
		return *p
	}
	return nil
}

func (o *outputSet) abort() {
	if o == nil {
		return
	}
	o.drain()
	for _, f := range o.files {
		f.sink.Abort()
	}
}

// close closes every sink and describes the files written.
func (o *outputSet) close() ([]sinks.Output, error) {
	if err := o.drain(); err != nil {
		o.abort()
		return nil, err
	}
	for _, f := range o.files {
		if err := f.sink.Close(); err != nil {
			o.abort()
			return nil, err
		}
	}
	var outs []sinks.Output
	for _, f := range o.files {
		out := sinks.Output{
			Table: f.table.Name, Format: f.format, Rows: f.sink.Rows(), Description: f.table.Description,
			Schema: f.table.Schema, PrimaryKey: f.table.PrimaryKey, ForeignKeys: f.table.ForeignKeys, PartitionBy: f.partitionBy,
		}
		if f.parts == nil {
			var sum string
			var n int64
			if s, ok := f.sink.(sinks.Summed); ok {
				sum, n = s.Sum()
			} else {
				var err error
				if sum, n, err = sinks.FileSum(f.path); err != nil {
					return nil, err
				}
			}
			out.Path, out.Bytes, out.SHA256 = filepath.Base(f.path), n, sum
		} else {
			// A table with no rows has no partition files; its folder
			// still stands for it.
			if err := os.MkdirAll(f.path, 0o755); err != nil {
				return nil, err
			}
			out.Path = f.table.Name
			for _, pf := range f.parts.Files() {
				rel := path.Join(f.table.Name, pf.Path)
				sum, n, err := sinks.FileSum(filepath.Join(o.dir, filepath.FromSlash(rel)))
				if err != nil {
					return nil, err
				}
				out.Files = append(out.Files, sinks.PartFile{Path: rel, Rows: pf.Rows, Bytes: n, SHA256: sum})
				out.Bytes += n
			}
		}
		outs = append(outs, out)
	}
	return outs, nil
}

// commit completes the release: every table closed, the manifest written
// last into the temporary folder, then the folder moved into place.
func (r *runner) commit(rel *sinks.Release) error {
	outs, err := r.out.close()
	if err != nil {
		return err
	}
	r.pause(PauseWritten)
	p := r.manifest(outs)
	if err := sinks.WriteManifest(rel.Path(), p); err != nil {
		return err
	}
	r.pause(PauseManifest)
	if err := rel.Commit(); err != nil {
		return fmt.Errorf("cannot move the release into %s: %w", rel.Dir, err)
	}
	d := sinks.NewDescriptor(p)
	r.sum.Release = &d
	r.sum.Outputs = outs
	return nil
}

func (r *runner) manifest(outs []sinks.Output) sinks.Package {
	p := sinks.Package{
		Name:      r.spec.Election.ID,
		Title:     r.spec.Election.Name,
		Created:   r.opt.Created,
		Resources: outs,
		Run: sinks.RunRecord{
			Version:     r.opt.Version,
			Spec:        filepath.Base(r.spec.Path),
			SpecHash:    "sha256:" + r.spec.Hash,
			Fingerprint: r.fingerprint(),
			Formats:     r.formats(),
			PartitionBy: r.spec.Outputs.PartitionBy,
			Writers:     sinks.Settings(r.sinkOptions()),
			Rows:        map[string]int64{},
			Findings:    map[string]int{},
			Severities:  map[string]int{"error": 0, "warning": 0, "info": 0},
		},
	}
	for _, t := range Tables {
		p.Run.Rows[t.Name] = r.sum.Tables[t.Name]
	}
	for code, n := range r.sum.FindingsByCode() {
		p.Run.Findings[code] = n
	}
	for sev, n := range r.sum.FindingsBySeverity() {
		p.Run.Severities[sev] = n
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
