package sources

import (
	"context"
	"errors"
	"fmt"
	"os"

	"tally/report"
)

// Row is one row as read.
type Row struct {
	Num   int      // 1-based row number in the file or sheet
	Cells []string // cell texts; trailing empty cells may be missing
	// Group is the label of the section the row falls under, as a
	// TableReader found it (a one-cell row above a run of data rows); ""
	// when there is none.
	Group string
}

// Cell returns cell i (0-based), or "" past the end of the row.
func (r Row) Cell(i int) string {
	if i < 0 || i >= len(r.Cells) {
		return ""
	}
	return r.Cells[i]
}

// Blank reports whether every cell of the row is empty or white space.
func (r Row) Blank() bool {
	for _, c := range r.Cells {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// Batch is a run of consecutive rows from one sheet (or one text file).
type Batch struct {
	File  string // display name of the file, as positions show it
	Sheet string // sheet name; empty for text files
	Rows  []Row
}

// Source streams the rows of one input.
//
// Next returns the next batch, or io.EOF once every row has been returned;
// never a nil batch with a nil error. The batch and its slices may be
// reused by the following call to Next, so a caller that keeps rows must
// copy the slices (the strings themselves are immutable and may be kept).
// Close releases the source's resources; it may be called more than once.
type Source interface {
	Next(ctx context.Context) (*Batch, error)
	Close() error
}

// Input says what to open and how. Its zero values mean "detect".
type Input struct {
	Path      string   // file on disk
	Name      string   // name shown in positions; Path when empty
	Format    string   // "csv", "xlsx", ...; "" sniffs the content
	Member    string   // member of a .zip to read; "" takes the only table file
	Encoding  string   // text encoding name (see Encodings); "" detects
	Delimiter string   // CSV delimiter, one character or "tab"; "" detects
	Sheets    []string // sheet names or patterns (path.Match); empty means every sheet
	BatchRows int      // rows per batch; 0 means DefaultBatchRows

	// Tee, when set, is handed every run of bytes read from the file at
	// Path (its own bytes, not those inside a container), with the offset
	// they were read at, so that a caller may hash the file as it is read.
	// Runs may repeat, overlap, leave gaps and come from several
	// goroutines at once; p must not be kept once Tee returns.
	Tee func(off int64, p []byte)
}

// DefaultBatchRows is the batch size when Input.BatchRows is 0.
const DefaultBatchRows = 4096

func (in Input) name() string {
	if in.Name != "" {
		return in.Name
	}
	return in.Path
}

func (in Input) batchRows() int {
	if in.BatchRows > 0 {
		return in.BatchRows
	}
	return DefaultBatchRows
}

// ErrNoSheet is the cause when a requested sheet does not exist.
var ErrNoSheet = errors.New("no such sheet")

// Open opens an input, sniffing what Input leaves open.
func Open(ctx context.Context, in Input) (Source, error) {
	pos := report.Position{File: in.name()}
	f, err := os.Open(in.Path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, report.At(pos, report.InputError(fmt.Errorf("file not found; check the path (relative paths are resolved from the spec's folder)")))
		}
		return nil, report.At(pos, report.InputError(err))
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, report.At(pos, report.InputError(err))
	}
	if st.IsDir() {
		f.Close()
		return nil, report.At(pos, report.InputError(errors.New("is a folder, not a file")))
	}
	blob, err := openContainer(f, st.Size(), in)
	if err != nil {
		f.Close()
		return nil, report.At(pos, report.InputError(err))
	}
	format := in.Format
	if format == "" {
		format = sniffFormat(blob.head, blob.name)
	}
	open, err := lookup(format)
	if err != nil {
		blob.Close()
		return nil, report.At(pos, report.UsageError(err))
	}
	src, err := open(ctx, blob, in)
	if err != nil {
		blob.Close()
		return nil, err
	}
	return src, nil
}

func isSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			// Non-ASCII spaces (no-break, thin) count as space too.
			for _, r := range s[i:] {
				switch r {
				case ' ', '\t', '\r', '\n', '\u00a0', '\u2007', '\u2009', '\u202f', '\u3000', '\ufeff':
				default:
					return false
				}
			}
			return true
		}
	}
	return true
}
