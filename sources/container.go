package sources

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
)

// blob is one file's content after containers are opened: the bytes of a
// plain file, of a gzip stream, or of one member of a zip archive.
type blob struct {
	name    string // the innermost name, for extension hints
	head    []byte // the first bytes, for sniffing
	size    int64  // -1 when unknown (a gzip stream)
	ra      io.ReaderAt
	stream  func() (io.ReadCloser, error) // a fresh reader from the first byte
	closers []io.Closer
	via     []string // containers opened to reach it, outermost first
}

const headSize = 64 << 10

// maxInflate bounds how much of a compressed member tally holds in memory
// when a format needs random access (an .xlsx inside a .zip or .gz).
const maxInflate = 1 << 30

func (b *blob) Close() error {
	var err error
	for i := len(b.closers) - 1; i >= 0; i-- {
		if e := b.closers[i].Close(); e != nil && err == nil {
			err = e
		}
	}
	b.closers = nil
	return err
}

// readerAt gives random access, inflating a compressed stream into memory
// when there is no other way.
func (b *blob) readerAt() (io.ReaderAt, int64, error) {
	if b.ra != nil {
		return b.ra, b.size, nil
	}
	rc, err := b.stream()
	if err != nil {
		return nil, 0, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxInflate+1))
	if err != nil {
		return nil, 0, err
	}
	if len(data) > maxInflate {
		return nil, 0, fmt.Errorf("compressed member inflates past %d bytes; unpack it first", maxInflate)
	}
	b.ra, b.size = bytes.NewReader(data), int64(len(data))
	return b.ra, b.size, nil
}

// openContainer opens f, looking inside .gz and .zip containers (but not
// inside an .xlsx, which is a zip of its own kind).
func openContainer(f *os.File, size int64, in Input) (*blob, error) {
	var ra io.ReaderAt = f
	if in.Tee != nil {
		ra = teeFile{f: f, tee: in.Tee}
	}
	b := &blob{
		name:    in.Path,
		size:    size,
		ra:      ra,
		stream:  func() (io.ReadCloser, error) { return io.NopCloser(io.NewSectionReader(ra, 0, size)), nil },
		closers: []io.Closer{f},
	}
	if err := b.readHead(); err != nil {
		return nil, err
	}
	for depth := 0; depth < 4; depth++ {
		switch {
		case isGzip(b.head):
			inner, err := gunzipBlob(b)
			if err != nil {
				return nil, err
			}
			b = inner
		case isZip(b.head) && in.Format != "xlsx" && !zipIsWorkbook(b):
			inner, err := zipMember(b, in.Member)
			if err != nil {
				return nil, err
			}
			b = inner
		default:
			return b, nil
		}
	}
	return nil, errors.New("containers nested too deep")
}

func (b *blob) readHead() error {
	rc, err := b.stream()
	if err != nil {
		return err
	}
	defer rc.Close()
	buf := make([]byte, headSize)
	n, err := io.ReadFull(rc, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return err
	}
	b.head = buf[:n]
	return nil
}

// teeFile reads a file at offsets and hands what it read to tee.
type teeFile struct {
	f   *os.File
	tee func(off int64, p []byte)
}

func (t teeFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := t.f.ReadAt(p, off)
	if n > 0 {
		t.tee(off, p[:n])
	}
	return n, err
}

func isGzip(h []byte) bool { return len(h) >= 2 && h[0] == 0x1f && h[1] == 0x8b }
func isZip(h []byte) bool  { return len(h) >= 4 && string(h[:4]) == "PK\x03\x04" }

func gunzipBlob(outer *blob) (*blob, error) {
	name := strings.TrimSuffix(outer.name, path.Ext(outer.name))
	b := &blob{name: name, size: -1, closers: outer.closers, via: append(append([]string(nil), outer.via...), "gzip")}
	b.stream = func() (io.ReadCloser, error) {
		rc, err := outer.stream()
		if err != nil {
			return nil, err
		}
		// gzip reads through a 4 KiB buffer of its own, a system call
		// per 4 KiB of the file, unless given a buffered reader.
		zr, err := gzip.NewReader(bufio.NewReaderSize(rc, 128<<10))
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return struct {
			io.Reader
			io.Closer
		}{zr, rc}, nil
	}
	if err := b.readHead(); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return b, nil
}

func zipIsWorkbook(b *blob) bool {
	zr, err := b.zip()
	if err != nil {
		return false
	}
	for _, f := range zr.File {
		if f.Name == "xl/workbook.xml" || f.Name == "[Content_Types].xml" {
			return true
		}
	}
	return false
}

func (b *blob) zip() (*zip.Reader, error) {
	ra, size, err := b.readerAt()
	if err != nil {
		return nil, err
	}
	return zip.NewReader(ra, size)
}

// tableExt lists the extensions of members tally can read.
var tableExt = map[string]bool{".csv": true, ".tsv": true, ".txt": true, ".xlsx": true, ".xls": true, ".gz": true}

func zipMember(outer *blob, member string) (*blob, error) {
	zr, err := outer.zip()
	if err != nil {
		return nil, fmt.Errorf("zip: %w", err)
	}
	var cands []*zip.File
	var names []string
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		names = append(names, f.Name)
		if member != "" {
			if f.Name == member || path.Base(f.Name) == member {
				cands = append(cands, f)
			}
			continue
		}
		if tableExt[strings.ToLower(path.Ext(f.Name))] {
			cands = append(cands, f)
		}
	}
	sort.Strings(names)
	switch {
	case len(cands) == 1:
	case member != "":
		return nil, fmt.Errorf("zip has no member %q; members: %s", member, strings.Join(names, ", "))
	case len(cands) == 0:
		return nil, fmt.Errorf("zip holds no table file; members: %s", strings.Join(names, ", "))
	default:
		return nil, fmt.Errorf("zip holds %d table files; name one with member: (%s)", len(cands), strings.Join(names, ", "))
	}
	zf := cands[0]
	b := &blob{name: zf.Name, size: int64(zf.UncompressedSize64), closers: outer.closers,
		via: append(append([]string(nil), outer.via...), "zip member "+zf.Name)}
	b.stream = func() (io.ReadCloser, error) { return zf.Open() }
	if zf.Method == zip.Store {
		if off, err := zf.DataOffset(); err == nil {
			ra, _, _ := outer.readerAt()
			b.ra = io.NewSectionReader(ra, off, int64(zf.CompressedSize64))
		}
	}
	if err := b.readHead(); err != nil {
		return nil, fmt.Errorf("zip member %s: %w", zf.Name, err)
	}
	return b, nil
}
