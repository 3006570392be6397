package xls

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/richardlehane/mscfb"
)

// cfbMagic starts every compound file (OLE2 structured storage).
var cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// workbookStream returns the workbook stream of a compound file: "Workbook"
// (BIFF8) in preference to "Book" (BIFF5), since Excel's dual-format files
// hold both.
func workbookStream(r io.ReaderAt, size int64) (stream []byte, err error) {
	// The container library is not ours; a damaged file must still give an
	// error, not a crash.
	defer func() {
		if p := recover(); p != nil {
			stream, err = nil, fmt.Errorf("%w: damaged compound file (%v)", ErrNotXLS, p)
		}
	}()
	// Some writers do not pad the last sector (the file size is then not a
	// multiple of the sector size); reading it as zeros is what the format
	// intends.
	padded := (size + 4095) &^ 4095
	pr := &budgetReader{
		r:     &paddedReader{r: r, size: size, padded: padded},
		calls: 64 + 8*padded/64,
		bytes: 1<<20 + 4*padded,
	}
	doc, err := mscfb.New(pr)
	if err != nil {
		return nil, fmt.Errorf("%w: damaged compound file: %v", ErrNotXLS, err)
	}
	var book, workbook *mscfb.File
	var names []string
	encrypted := false
	for _, f := range doc.File {
		if len(f.Path) != 0 || f.FileInfo().IsDir() {
			continue
		}
		names = append(names, f.Name)
		switch {
		case strings.EqualFold(f.Name, "Workbook"):
			if workbook == nil {
				workbook = f
			}
		case strings.EqualFold(f.Name, "Book"):
			if book == nil {
				book = f
			}
		case f.Name == "EncryptedPackage":
			encrypted = true
		}
	}
	f := workbook
	if f == nil {
		f = book
	}
	if f == nil {
		if encrypted {
			return nil, fmt.Errorf("%w (a password-protected .xlsx package)", ErrEncrypted)
		}
		if len(names) > 5 {
			names = append(names[:5], "...")
		}
		return nil, fmt.Errorf("%w: the compound file has no Workbook or Book stream (streams: %s)", ErrNotXLS, strings.Join(names, ", "))
	}
	if f.Size > padded || f.Size > maxStream {
		return nil, fmt.Errorf("%w: damaged compound file: the %s stream claims %d bytes in a file of %d", ErrNotXLS, f.Name, f.Size, size)
	}
	stream = make([]byte, f.Size)
	if _, err := io.ReadFull(f, stream); err != nil {
		return nil, fmt.Errorf("%w: damaged compound file: reading the %s stream: %v", ErrNotXLS, f.Name, err)
	}
	return stream, nil
}

// paddedReader reads r as if it were extended with zeros from size to padded.
type paddedReader struct {
	r            io.ReaderAt
	size, padded int64
}

func (p *paddedReader) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= p.padded {
		return 0, io.EOF
	}
	want := len(b)
	if rest := p.padded - off; int64(want) > rest {
		want = int(rest)
	}
	n := 0
	if off < p.size {
		m := want
		if rest := p.size - off; int64(m) > rest {
			m = int(rest)
		}
		k, err := p.r.ReadAt(b[:m], off)
		if k < m {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return k, err
		}
		n = m
	}
	clear(b[n:want])
	if want < len(b) {
		return want, io.EOF
	}
	return want, nil
}

// budgetReader fails once its reads pass a number of calls or bytes. The
// container library walks sector chains through the sector map a file's
// header declares, and a damaged header can declare a map hundreds of times
// larger than the file; the budget keeps the work near the file's size. A
// sound file is read about once, in at most a call per 32 bytes (a stream
// scattered over 64-byte mini sectors), so the budget never stops one.
type budgetReader struct {
	r            io.ReaderAt
	calls, bytes int64 // left
}

var errLoop = errors.New("its sector chains loop")

func (b *budgetReader) ReadAt(p []byte, off int64) (int, error) {
	b.calls--
	b.bytes -= int64(len(p))
	if b.calls < 0 || b.bytes < 0 {
		return 0, errLoop
	}
	return b.r.ReadAt(p, off)
}
