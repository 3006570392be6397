package sinks

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"tally/internal/dpcheck"
)

// Problem is one way a release differs from its manifest.
type Problem struct {
	Path    string // relative to the release folder; the manifest's name for the descriptor itself
	Message string
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// Checked is what Verify looked at.
type Checked struct {
	Resources int
	Files     int
	Rows      int64
	Bytes     int64
}

var hashPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// Verify checks the release in dir against its datapackage.json: the
// rules of the Data Package standard, then for every file its size, its
// sha256, that it reads back as its format with the fields of its schema,
// and its row count; files the manifest does not list are problems too.
// The error is for a release that cannot be checked at all (no readable
// manifest).
func Verify(ctx context.Context, dir string) ([]Problem, Checked, error) {
	var c Checked
	raw, d, err := readManifest(dir)
	if err != nil {
		return nil, c, err
	}
	var probs []Problem
	add := func(p, format string, args ...any) { probs = append(probs, Problem{p, fmt.Sprintf(format, args...)}) }
	for _, m := range dpcheck.Check(raw) {
		add(ManifestName, "%s", m)
	}
	if d.Run.Fingerprint == "" {
		add(ManifestName, "no tally:run record: not a release tally wrote")
	}
	listed := map[string]bool{}
	tableRows := map[string]int64{}
	for i := range d.Resources {
		r := &d.Resources[i]
		c.Resources++
		files := r.FileList()
		var rows, size int64
		for _, f := range files {
			if !safePath(f.Path) {
				add(ManifestName, "resource %s: file %q is not a relative path inside the release", r.Name, f.Path)
				continue
			}
			if !hashPattern.MatchString(f.Hash) {
				add(ManifestName, "resource %s: %s has hash %q, want sha256:<64 hex digits>", r.Name, f.Path, f.Hash)
			}
			listed[f.Path] = true
			c.Files++
			n, sz := verifyFile(ctx, dir, r, f, add)
			rows += n
			size += sz
		}
		if len(r.Files) > 0 {
			if rows != r.Rows {
				add(ManifestName, "resource %s: its files hold %d rows, it says %d", r.Name, rows, r.Rows)
			}
			if size != r.Bytes {
				add(ManifestName, "resource %s: its files hold %d bytes, it says %d", r.Name, size, r.Bytes)
			}
		}
		if prev, ok := tableRows[r.Table]; ok && prev != r.Rows {
			add(ManifestName, "resource %s has %d rows, but another format of table %s has %d", r.Name, r.Rows, r.Table, prev)
		}
		tableRows[r.Table] = r.Rows
		if want, ok := d.Run.Rows[r.Table]; ok && want != r.Rows {
			add(ManifestName, "resource %s has %d rows, but tally:run says table %s has %d", r.Name, r.Rows, r.Table, want)
		}
		c.Rows += rows
		c.Bytes += size
	}
	err = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel != ManifestName && !listed[rel] {
			add(rel, "not listed in %s", ManifestName)
		}
		return nil
	})
	return probs, c, err
}

// verifyFile checks one file and returns the rows it read and its size.
func verifyFile(ctx context.Context, dir string, r *Resource, f FileRecord, add func(string, string, ...any)) (int64, int64) {
	full := filepath.Join(dir, filepath.FromSlash(f.Path))
	sum, n, err := FileSum(full)
	if errors.Is(err, fs.ErrNotExist) {
		add(f.Path, "missing")
		return 0, 0
	}
	if err != nil {
		add(f.Path, "cannot read: %v", err)
		return 0, 0
	}
	if n != f.Bytes {
		add(f.Path, "%d bytes, the manifest says %d", n, f.Bytes)
	}
	if "sha256:"+sum != f.Hash {
		add(f.Path, "sha256 %s, the manifest says %s", sum, strings.TrimPrefix(f.Hash, "sha256:"))
	}
	rows, err := readBack(ctx, r.Format, full, r.Schema)
	if err != nil {
		add(f.Path, "does not read back as %s: %v", r.Format, err)
		return 0, n
	}
	if rows != f.Rows {
		add(f.Path, "%d rows, the manifest says %d", rows, f.Rows)
	}
	return rows, n
}

// readBack reads a whole file as its format, checks its columns against
// the schema, and returns its row count.
func readBack(ctx context.Context, format, name string, ts TableSchema) (int64, error) {
	switch format {
	case "parquet":
		return readParquet(ctx, name, ts)
	case "arrow":
		return readIPC(name, ts)
	case "csv":
		return readCSV(name, ts)
	}
	return 0, fmt.Errorf("unknown format %q", format)
}

// checkFields compares an Arrow schema with a Table Schema: the same
// names in the same order, the same types, and no nulls in a required
// field's column type.
func checkFields(s *arrow.Schema, ts TableSchema) error {
	if s.NumFields() != len(ts.Fields) {
		return fmt.Errorf("%d columns, the schema has %d", s.NumFields(), len(ts.Fields))
	}
	for i, f := range s.Fields() {
		want := ts.Fields[i]
		if f.Name != want.Name {
			return fmt.Errorf("column %d is %q, the schema says %q", i+1, f.Name, want.Name)
		}
		if got := FieldType(f.Type); got != want.Type {
			return fmt.Errorf("column %q is %s (%s), the schema says %s", f.Name, got, f.Type, want.Type)
		}
		if want.Constraints != nil && want.Constraints.Required && f.Nullable {
			return fmt.Errorf("column %q may hold nulls, the schema says it is required", f.Name)
		}
	}
	return nil
}

func readParquet(ctx context.Context, name string, ts TableSchema) (int64, error) {
	pf, err := file.OpenParquetFile(name, false)
	if err != nil {
		return 0, err
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, memory.DefaultAllocator)
	if err != nil {
		return 0, err
	}
	s, err := fr.Schema()
	if err != nil {
		return 0, err
	}
	if err := checkFields(s, ts); err != nil {
		return 0, err
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return 0, err
	}
	defer rr.Release()
	var n int64
	for rr.Next() {
		n += rr.RecordBatch().NumRows()
	}
	if err := rr.Err(); err != nil && err != io.EOF {
		return n, err
	}
	if n != pf.NumRows() {
		return n, fmt.Errorf("read %d rows, the footer says %d", n, pf.NumRows())
	}
	return n, nil
}

func readIPC(name string, ts TableSchema) (int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	if err := checkFields(r.Schema(), ts); err != nil {
		return 0, err
	}
	var n int64
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			return n, err
		}
		n += rec.NumRows()
	}
	return n, nil
}

// readCSV checks the header against the schema and every cell against its
// field's type (an empty cell is a null, which a required number may not
// be).
func readCSV(name string, ts TableSchema) (int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return 0, fmt.Errorf("no header: %w", err)
	}
	if len(head) != len(ts.Fields) {
		return 0, fmt.Errorf("header has %d columns, the schema has %d", len(head), len(ts.Fields))
	}
	for i, h := range head {
		if h != ts.Fields[i].Name {
			return 0, fmt.Errorf("header column %d is %q, the schema says %q", i+1, h, ts.Fields[i].Name)
		}
	}
	var n int64
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
		for i, v := range rec {
			fd := ts.Fields[i]
			if v == "" {
				if fd.Type != "string" && fd.Constraints != nil && fd.Constraints.Required {
					return n, fmt.Errorf("line %d: %s is empty but required", n+1, fd.Name)
				}
				continue
			}
			if err := checkCell(fd.Type, v); err != nil {
				return n, fmt.Errorf("line %d: %s: %v", n+1, fd.Name, err)
			}
		}
	}
}

func checkCell(typ, v string) error {
	var err error
	switch typ {
	case "integer":
		_, err = strconv.ParseInt(v, 10, 64)
	case "number":
		_, err = strconv.ParseFloat(v, 64)
	case "boolean":
		if v != "true" && v != "false" {
			err = fmt.Errorf("%q is not true or false", v)
		}
	}
	if err != nil {
		return fmt.Errorf("%q is not a %s", v, typ)
	}
	return nil
}

// safePath reports whether p is a POSIX path inside the release folder:
// relative, no "..", no hidden (dot) names, as the standard asks.
func safePath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || path.Clean(p) != p {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if part == "" || strings.HasPrefix(part, ".") {
			return false
		}
	}
	return true
}
