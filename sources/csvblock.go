package sources

import (
	"bytes"
	"io"
	"slices"
)

// A csvBlock is a run of whole records of delimited text, cut from the
// stream at a line end, and what parsing it gave. Blocks are parsed on
// goroutines of their own and handed on in the stream's order.
type csvBlock struct {
	data  []byte
	final bool  // the last block: the stream ends with it
	err   error // the read error that ended the stream after the blocks before

	done      chan struct{} // closed once the fields below are set
	cells     []string      // the cells of every row, one row after another
	starts    []int32       // where each row's cells start in cells, and a last end
	nums      []int32       // each row's line, counted from the block's start (1-based)
	lines     int           // line ends in data
	irregular bool          // see blockParser
}

// rowCount is the number of rows in a parsed block.
func (b *csvBlock) rowCount() int { return len(b.nums) }

// row returns row i of a parsed block, its line counted from base.
func (b *csvBlock) row(i, base int) Row {
	from, to := b.starts[i], b.starts[i+1]
	return Row{Num: base + int(b.nums[i]), Cells: b.cells[from:to:to]}
}

// blockParser parses blocks the way encoding/csv reads them with
// LazyQuotes set and FieldsPerRecord -1: a field that starts with a quote
// is quoted, "" inside it is one quote, line ends inside it are kept (as
// "\n"), and a quote followed by the delimiter or the line's end closes it;
// "\r\n" ends a line as "\n" does; empty lines are no records; a row is
// numbered by the line it starts on.
//
// A block cut at a line end where the count of quotes before it is even
// starts and ends between records, as long as every quote is regular: it
// opens a field, is doubled inside a quoted field, or closes one. Where a
// quote is not (a quote inside an unquoted field, a quoted field followed
// by more text, a block ending inside a quoted field), the cut may have
// fallen inside a field: parseBlock reports the block irregular, and the
// reader parses the stream from that block on with encoding/csv, one
// record after another.
type blockParser struct {
	comma byte
	buf   []byte // a quoted record's unescaped text
	ends  []int  // where each of its fields ends in buf
}

// parse fills b's rows, b.lines and b.irregular from b.data.
func (p *blockParser) parse(b *csvBlock) {
	data := b.data
	if b.final && len(data) > 0 && data[len(data)-1] == '\r' {
		// The last line's "\r" with no "\n" after it is dropped, as
		// encoding/csv does.
		data = data[:len(data)-1]
	}
	// At most a row per line and a cell per delimiter and line: sized
	// once, the arrays are never copied while growing.
	b.lines = bytes.Count(b.data, []byte{'\n'})
	nums := make([]int32, 0, b.lines+1)
	starts := make([]int32, 0, b.lines+2)
	cells := make([]string, 0, b.lines+1+bytes.Count(data, []byte{p.comma}))
	line := 0 // line ends passed
	pos := 0
	for pos < len(data) {
		nl := bytes.IndexByte(data[pos:], '\n')
		end, next := len(data), len(data)
		if nl >= 0 {
			end, next = pos+nl, pos+nl+1
		}
		ln := data[pos:end]
		if nl >= 0 && len(ln) > 0 && ln[len(ln)-1] == '\r' {
			ln = ln[:len(ln)-1]
		}
		if len(ln) == 0 {
			// An empty line is no record.
			pos = next
			line++
			continue
		}
		if bytes.IndexByte(ln, '"') < 0 {
			// No quote: the line is the record, split at each delimiter.
			starts = append(starts, int32(len(cells)))
			nums = append(nums, int32(line+1))
			s := string(ln)
			for {
				i := indexByteString(s, p.comma)
				if i < 0 {
					cells = append(cells, s)
					break
				}
				cells = append(cells, s[:i])
				s = s[i+1:]
			}
			if nl >= 0 {
				line++
			}
			pos = next
			continue
		}
		starts = append(starts, int32(len(cells)))
		nums = append(nums, int32(line+1))
		var ok bool
		var n int
		pos, n, ok = p.quoted(data, pos, b.final)
		line += n
		if !ok {
			b.irregular = true
		}
		s := string(p.buf)
		from := 0
		for _, e := range p.ends {
			cells = append(cells, s[from:e])
			from = e
		}
	}
	b.cells, b.starts, b.nums = cells, append(starts, int32(len(cells))), nums
}

func indexByteString(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// nextLine returns the line that starts at pos without its line end, the
// position after it, and whether it ended with "\n" (not with the data).
func nextLine(data []byte, pos int) (ln []byte, next int, nl bool) {
	i := bytes.IndexByte(data[pos:], '\n')
	if i < 0 {
		return data[pos:], len(data), false
	}
	ln = data[pos : pos+i]
	if len(ln) > 0 && ln[len(ln)-1] == '\r' {
		ln = ln[:len(ln)-1]
	}
	return ln, pos + i + 1, true
}

// quoted parses the record at pos, which holds a quote, into p.buf and
// p.ends. It returns the position after the record, the line ends it
// passed, and false when a quote was not regular (see blockParser).
func (p *blockParser) quoted(data []byte, pos int, final bool) (next, lines int, regular bool) {
	regular = true
	p.buf, p.ends = p.buf[:0], p.ends[:0]
	ln, next, nl := nextLine(data, pos)
	if nl {
		lines++
	}
	comma := p.comma
	for {
		if len(ln) == 0 || ln[0] != '"' {
			// An unquoted field.
			i := bytes.IndexByte(ln, comma)
			field := ln
			if i >= 0 {
				field = ln[:i]
			}
			if bytes.IndexByte(field, '"') >= 0 {
				regular = false
			}
			p.buf = append(p.buf, field...)
			p.ends = append(p.ends, len(p.buf))
			if i >= 0 {
				ln = ln[i+1:]
				continue
			}
			return next, lines, regular
		}
		// A quoted field.
		ln = ln[1:]
		for {
			i := bytes.IndexByte(ln, '"')
			if i >= 0 {
				p.buf = append(p.buf, ln[:i]...)
				ln = ln[i+1:]
				switch {
				case len(ln) > 0 && ln[0] == '"':
					p.buf = append(p.buf, '"')
					ln = ln[1:]
					continue
				case len(ln) > 0 && ln[0] == comma:
					ln = ln[1:]
					p.ends = append(p.ends, len(p.buf))
				case len(ln) == 0:
					p.ends = append(p.ends, len(p.buf))
					return next, lines, regular
				default:
					// A bare quote inside a quoted field is kept.
					regular = false
					p.buf = append(p.buf, '"')
					continue
				}
				break
			}
			// The line ends inside the quotes: the field goes on.
			p.buf = append(p.buf, ln...)
			if !nl || next == len(data) {
				if nl {
					p.buf = append(p.buf, '\n')
				}
				// The data ends inside the quotes: the field ends there
				// if the stream does.
				p.ends = append(p.ends, len(p.buf))
				return next, lines, regular && final
			}
			p.buf = append(p.buf, '\n')
			ln, next, nl = nextLine(data, next)
			if nl {
				lines++
			}
		}
	}
}

// splitPoint returns the length of the longest prefix of buf that ends
// with a line end with an even number of quotes before it, or -1.
func splitPoint(buf []byte) int {
	q := bytes.Count(buf, []byte{'"'})
	end := len(buf)
	for {
		i := bytes.LastIndexByte(buf[:end], '\n')
		if i < 0 {
			return -1
		}
		q -= bytes.Count(buf[i:end], []byte{'"'})
		if q%2 == 0 {
			return i + 1
		}
		end = i
	}
}

// blockSize is how many bytes of text a block takes, about a thousand
// rows: small enough that the blocks in flight (read, parsed, waiting)
// add little memory. Tests make it small to put cuts everywhere.
var blockSize = 128 << 10

// blockReader cuts a stream into blocks and parses them on workers. Blocks
// come out of order in the order of the stream; each is ready once its
// done channel is closed.
type blockReader struct {
	order chan *csvBlock // every block, in the stream's order
	work  chan *csvBlock // blocks for the workers
	free  chan []byte    // buffers of blocks handed on, for reuse
	stop  chan struct{}  // closed by close to end the splitter
	gone  chan struct{}  // closed when the splitter has returned
	skip  chan struct{}  // closed once the reader parses serially
	comma byte
}

func newBlockReader(r io.Reader, comma byte, workers int) *blockReader {
	workers = max(workers, 1)
	br := &blockReader{
		order: make(chan *csvBlock, workers),
		work:  make(chan *csvBlock, workers),
		free:  make(chan []byte, workers+2),
		stop:  make(chan struct{}),
		gone:  make(chan struct{}),
		skip:  make(chan struct{}),
		comma: comma,
	}
	for range workers {
		go br.worker()
	}
	go br.split(r)
	return br
}

func (br *blockReader) worker() {
	p := &blockParser{comma: br.comma}
	for b := range br.work {
		select {
		case <-br.skip:
			// The stream is parsed serially from an earlier block on.
		default:
			p.parse(b)
		}
		close(b.done)
	}
}

// split reads the stream and cuts it into blocks at line ends that an even
// number of quotes precede.
func (br *blockReader) split(r io.Reader) {
	defer close(br.gone)
	defer close(br.order)
	defer close(br.work)
	var carry []byte
	send := func(b *csvBlock) bool {
		select {
		case br.work <- b:
		case <-br.stop:
			return false
		}
		select {
		case br.order <- b:
			return true
		case <-br.stop:
			return false
		}
	}
	for {
		var buf []byte
		select {
		case buf = <-br.free:
		default:
		}
		if cap(buf) < blockSize+len(carry) {
			buf = make([]byte, 0, blockSize+len(carry))
		}
		buf = append(buf[:0], carry...)
		cut := -1
		var err error
		for cut < 0 && err == nil {
			if len(buf) == cap(buf) {
				// No line end outside quotes yet (a very long row, or
				// a quoted field with line ends): read on.
				buf = slices.Grow(buf, cap(buf))
			}
			var n int
			n, err = io.ReadFull(r, buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err == nil {
				cut = splitPoint(buf)
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			if len(buf) > 0 {
				send(&csvBlock{data: buf, final: true, done: make(chan struct{})})
			}
			return
		}
		if err != nil {
			send(&csvBlock{err: err, final: true, done: make(chan struct{})})
			return
		}
		carry = append(carry[:0], buf[cut:]...)
		if !send(&csvBlock{data: buf[:cut], done: make(chan struct{})}) {
			return
		}
		select {
		case <-br.stop:
			return
		default:
		}
	}
}

// recycle gives the buffer of a block handed on back to the splitter.
func (br *blockReader) recycle(b *csvBlock) {
	select {
	case br.free <- b.data[:0]:
	default:
	}
}

// close ends the splitter and waits for it, so that the stream may be
// closed; the workers end once the blocks sent are parsed.
func (br *blockReader) close() {
	close(br.stop)
	<-br.gone
}

// serialize marks the stream as read serially from now on: the workers
// skip the blocks still to come.
func (br *blockReader) serialize() {
	close(br.skip)
}

// blockStream reads the text of blocks in order, starting with first: the
// stream a serial parser takes over from the block reader.
type blockStream struct {
	br   *blockReader
	data []byte
	err  error
}

func (s *blockStream) Read(p []byte) (int, error) {
	for len(s.data) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		b, ok := <-s.br.order
		if !ok {
			return 0, io.EOF
		}
		s.data, s.err = b.data, b.err
	}
	n := copy(p, s.data)
	s.data = s.data[n:]
	return n, nil
}
