package sinks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Sink writes one table to one file.
//
// Write borrows the batch: it does not release it and keeps no reference
// to it after returning. Close flushes and renames the file into place;
// Abort removes the temporary file. After the first Close or Abort both
// are no-ops.
type Sink interface {
	Write(ctx context.Context, b arrow.RecordBatch) error
	Close() error
	Abort() error
	// Rows returns how many rows have been written.
	Rows() int64
}

// Meta is what every output file records about itself: key-value pairs
// stored in the file's metadata where the format has a place for them.
type Meta map[string]string

// keys returns the keys sorted, for deterministic output.
func (m Meta) keys() []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type creator func(w io.Writer, schema *arrow.Schema, meta Meta, opt Options) (encoder, error)

// encoder is the format-specific part of a sink.
type encoder interface {
	write(b arrow.RecordBatch) error
	close() error
}

// Options tune writers; the zero value is the documented default.
type Options struct {
	// RowGroupRows is the Parquet row group length; 0 means 32768.
	RowGroupRows int64
	// IPCZstd compresses Arrow IPC bodies with zstd (many readers lack the
	// codec, so the default is uncompressed).
	IPCZstd bool
}

var formats = map[string]struct {
	ext     string
	create  creator
	mediate string
}{
	"parquet": {".parquet", newParquet, "application/vnd.apache.parquet"},
	"arrow":   {".arrow", newIPC, "application/vnd.apache.arrow.file"},
	"csv":     {".csv", newCSV, "text/csv"},
}

// Formats returns the output format names, sorted.
func Formats() []string {
	out := make([]string, 0, len(formats))
	for n := range formats {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Ext returns the file extension of a format (".parquet").
func Ext(format string) string { return formats[format].ext }

// MediaType returns the media type of a format.
func MediaType(format string) string { return formats[format].mediate }

// Create opens a sink writing schema in format to path.
func Create(format, path string, schema *arrow.Schema, meta Meta, opt Options) (Sink, error) {
	f, ok := formats[format]
	if !ok {
		return nil, fmt.Errorf("unknown output format %q; known: %s", format, strings.Join(Formats(), ", "))
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	// Encoders get a plain writer: some close what they are given, and the
	// file must stay open to be synced and renamed.
	enc, err := f.create(struct{ io.Writer }{tmp}, schema, meta, opt)
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return &fileSink{path: path, tmp: tmp, enc: enc}, nil
}

type fileSink struct {
	path string
	tmp  *os.File
	enc  encoder
	rows int64
	done bool
}

func (s *fileSink) Write(ctx context.Context, b arrow.RecordBatch) error {
	if s.done {
		return fmt.Errorf("%s: write after close", s.path)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.enc.write(b); err != nil {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	s.rows += b.NumRows()
	return nil
}

func (s *fileSink) Rows() int64 { return s.rows }

func (s *fileSink) Close() error {
	if s.done {
		return nil
	}
	s.done = true
	err := s.enc.close()
	if err == nil {
		// CreateTemp makes the file private; outputs are for sharing.
		err = s.tmp.Chmod(0o644)
	}
	if err == nil {
		err = s.tmp.Sync()
	}
	if cerr := s.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(s.tmp.Name(), s.path)
	}
	if err != nil {
		os.Remove(s.tmp.Name())
		return fmt.Errorf("%s: %w", s.path, err)
	}
	return nil
}

func (s *fileSink) Abort() error {
	if s.done {
		return nil
	}
	s.done = true
	s.tmp.Close()
	return os.Remove(s.tmp.Name())
}

// FileSum returns the sha256 (hex) and size of a file.
func FileSum(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
