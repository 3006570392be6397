package sinks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"tally/sinks/pqwriter"
)

// Sink writes one table to one file (or, partitioned, to one file per
// partition).
//
// Write borrows the batch: it does not release it, and it Retains what it
// keeps past the call. Close flushes and renames the file into place;
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
	// RowGroupRows is the Parquet row group length; 0 means
	// ParquetRowGroupRows.
	RowGroupRows int64
	// IPCZstd compresses Arrow IPC bodies with zstd (many readers lack the
	// codec, so the default is uncompressed).
	IPCZstd bool
	// LateMeta, when set, gives metadata known only once the rows are
	// written (the caller may still be computing it when the file is
	// opened). Formats that store metadata at the end (Parquet's footer)
	// ask for it on Close; the others have no place for it and must be
	// given everything up front (see LateMetaFormat).
	LateMeta func() (Meta, error)
}

// LateMetaFormat reports whether a format takes Options.LateMeta.
func LateMetaFormat(format string) bool { return format == "parquet" || format == "csv" }

// The fixed writer settings: the same rows give the same bytes whatever
// the batches they arrive in, and every file records these in its
// metadata (see Settings).
const (
	ParquetRowGroupRows = 32 << 10 // rows per Parquet row group (the last shorter)
	ParquetZstdLevel    = 1        // zstd level of Parquet pages
	ArrowBatchRows      = 16 << 10 // rows per Arrow IPC record batch (the last shorter)
)

// Writers are the writer settings of each format, as the manifest records
// them.
type Writers struct {
	Parquet ParquetSettings `json:"parquet"`
	Arrow   ArrowSettings   `json:"arrow"`
	CSV     CSVSettings     `json:"csv"`
}

// ParquetSettings describe how Parquet files are written.
type ParquetSettings struct {
	Compression      string `json:"compression"`
	CompressionLevel int    `json:"compressionLevel"`
	// CompressionMinSaving is the share of a column chunk's bytes the
	// codec must save for the chunk to be stored compressed; chunks it
	// saves less on are stored uncompressed (Parquet records the codec
	// per chunk).
	CompressionMinSaving float64 `json:"compressionMinSaving"`
	RowGroupRows         int64   `json:"rowGroupRows"`
	Dictionary           bool    `json:"dictionary"`
	DictionaryLimit      int64   `json:"dictionaryLimit"`
	Statistics           bool    `json:"statistics"`
	ArrowSchema          bool    `json:"arrowSchema"`
	CreatedBy            string  `json:"createdBy"`
}

// ArrowSettings describe how Arrow IPC files are written.
type ArrowSettings struct {
	Format      string `json:"format"` // the IPC file format (not the stream format)
	BatchRows   int64  `json:"batchRows"`
	Compression string `json:"compression"`
}

// CSVSettings describe how CSV files are written.
type CSVSettings struct {
	Encoding  string `json:"encoding"`
	Delimiter string `json:"delimiter"`
	Header    bool   `json:"header"`
	LineEnd   string `json:"lineEnd"`
	Null      string `json:"null"`
}

// Settings returns the writer settings that opt gives.
func Settings(opt Options) Writers {
	w := Writers{
		Parquet: ParquetSettings{Compression: "zstd", CompressionLevel: ParquetZstdLevel, CompressionMinSaving: pqwriter.MinZstdSaving, RowGroupRows: opt.rowGroupRows(),
			Dictionary: true, DictionaryLimit: int64(pqwriter.DictionaryLimit(int(opt.rowGroupRows()))), Statistics: true, ArrowSchema: true, CreatedBy: CreatedBy},
		Arrow: ArrowSettings{Format: "file", BatchRows: ArrowBatchRows, Compression: "none"},
		CSV:   CSVSettings{Encoding: "utf-8", Delimiter: ",", Header: true, LineEnd: "\n", Null: ""},
	}
	if opt.IPCZstd {
		w.Arrow.Compression = "zstd"
	}
	return w
}

func (o Options) rowGroupRows() int64 {
	if o.RowGroupRows > 0 {
		return o.RowGroupRows
	}
	return ParquetRowGroupRows
}

// settingsMeta returns the writer settings of a format as file metadata.
func settingsMeta(format string, opt Options) Meta {
	w := Settings(opt)
	switch format {
	case "parquet":
		return Meta{
			"tally.writer.compression":            w.Parquet.Compression,
			"tally.writer.compression_level":      strconv.Itoa(w.Parquet.CompressionLevel),
			"tally.writer.compression_min_saving": strconv.FormatFloat(w.Parquet.CompressionMinSaving, 'f', -1, 64),
			"tally.writer.row_group_rows":         strconv.FormatInt(w.Parquet.RowGroupRows, 10),
			"tally.writer.dictionary":             strconv.FormatBool(w.Parquet.Dictionary),
			"tally.writer.dictionary_limit":       strconv.FormatInt(w.Parquet.DictionaryLimit, 10),
			"tally.writer.statistics":             strconv.FormatBool(w.Parquet.Statistics),
		}
	case "arrow":
		return Meta{
			"tally.writer.format":      w.Arrow.Format,
			"tally.writer.batch_rows":  strconv.FormatInt(w.Arrow.BatchRows, 10),
			"tally.writer.compression": w.Arrow.Compression,
		}
	}
	return nil
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
	all := Meta{}
	for k, v := range meta {
		all[k] = v
	}
	for k, v := range settingsMeta(format, opt) {
		all[k] = v
	}
	// Encoders get a plain writer: some close what they are given, and the
	// file must stay open to be synced and renamed. It hashes the bytes as
	// they go, so that the manifest need not read the file again.
	hw := &hashingWriter{w: tmp, h: sha256.New()}
	enc, err := f.create(hw, schema, all, opt)
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return &fileSink{path: path, tmp: tmp, enc: enc, hw: hw}, nil
}

// Summed is a sink that knows the sha256 (hex) and size of the file it
// wrote, once closed.
type Summed interface {
	Sum() (string, int64)
}

type hashingWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (w *hashingWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	return n, err
}

type fileSink struct {
	path string
	tmp  *os.File
	enc  encoder
	hw   *hashingWriter
	rows int64
	done bool
}

// Sum returns the sha256 (hex) and size of the bytes written.
func (s *fileSink) Sum() (string, int64) { return hex.EncodeToString(s.hw.h.Sum(nil)), s.hw.n }

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
