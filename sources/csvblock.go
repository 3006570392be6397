package sources

import (
	"bytes"
	"io"
	"math/bits"
	"slices"
	"unsafe"
)

// A csvBlock is a run of whole records of delimited text, cut from the
// stream at a line end, and what parsing it gave. Blocks are parsed on
// goroutines of their own and handed on in the stream's order.
//
// What parsing gives holds no pointer but the strings of text: each cell
// is a span of one of them, and the reader cuts the cells' strings of the
// rows it hands on (csvSource.nextBlocks). The arrays are kept with the
// block's buffer when it is recycled, so that a block parsed later fills
// them again without allocating.
type csvBlock struct {
	data  []byte
	final bool  // the last block: the stream ends with it
	err   error // the read error that ended the stream after the blocks before

	done      chan struct{} // closed once the fields below are set
	texts     []string      // the strings cells are cut from (see blockParser)
	spans     []cellSpan    // the cells of every row, one row after another
	starts    []int32       // where each row's cells start in spans, and a last end
	nums      []int32       // each row's line, counted from the block's start (1-based)
	from      []int32       // each row's string in texts; ^i for a quoted row (see cellSpan)
	esc       int           // the string in texts of the quoted cells' unescaped text
	lines     int           // line ends in data
	irregular bool          // see blockParser
}

// A cellSpan is a cell's text: text[from:to] of its row's string, or of
// the block's unescaped text when from has escBit set, which only the
// cells of a quoted row may have.
type cellSpan struct{ from, to uint32 }

// escBit marks a cellSpan of the unescaped text.
const escBit = 1 << 31

// rowCount is the number of rows in a parsed block.
func (b *csvBlock) rowCount() int { return len(b.nums) }

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
//
// Cells are substrings of a few strings per block: the text is copied
// into strings of whole lines of about chunkSize bytes, and the cells
// whose text is not a run of the input (a quoted field with "" or a line
// end inside) into one more string at the block's end. A cell kept by a
// caller keeps its chunk alive, a few kilobytes, not the whole block.
// Parsing records each cell as a span of its string (cellSpan) and each
// row's chunk: the parsed block holds no pointer but those strings.
type blockParser struct {
	comma byte
	size  int    // chunkSize when the reader was made
	buf   []byte // the unescaped text of the block's cells that need it
	spans []span // a quoted record's fields
	chunk int    // the index in the block's texts of the last chunk cut
	at    [2]int // where that chunk starts and ends in the block
}

// chunkSize is about how many bytes of text the cells of a block share
// one string for. Tests make it small to put chunk ends everywhere.
var chunkSize = 4 << 10

// A span is a field of a quoted record: data[from:to], or buf[from:to]
// when esc is set.
type span struct {
	from, to int
	esc      bool
}

// cut starts a chunk of b's texts at from, a line's start in data (b's
// text, or the part of it that is parsed), that holds the text up to
// min, which is right after a line end or the end of data. The chunk ends
// at the last line end within chunkSize bytes of from, so that it fills
// the allocation it gets (a size class of chunkSize bytes), at min after
// a longer record, or with data.
func (p *blockParser) cut(b *csvBlock, data []byte, from, min int) {
	to := len(data)
	if end := from + p.size; end < len(data) {
		to = min
		if min < end {
			to += bytes.LastIndexByte(data[min:end], '\n') + 1
		}
	}
	p.chunk, p.at = len(b.texts), [2]int{from, to}
	b.texts = append(b.texts, string(data[from:to]))
}

const (
	lsb = 0x0101010101010101
	low = 0x7f7f7f7f7f7f7f7f
	msb = 0x8080808080808080
)

// parse fills b's rows, b.lines and b.irregular from b.data, in the
// arrays b holds from the block it was recycled from when they are large
// enough.
//
// A line with no quote is the common case: its end is found with
// bytes.IndexByte and its delimiters eight bytes at a time (split). The
// first quote of the block, and the first after each quoted record, is
// found the same way, so that a line is known to hold none by where it
// ends. A line with a quote is read from its start as a quoted record.
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
	nums := reuse(b.nums, b.lines+1)[:0]
	starts := reuse(b.starts, b.lines+2)[:0]
	from := reuse(b.from, b.lines+1)[:0]
	spans := reuse(b.spans, b.lines+1+bytes.Count(data, []byte{p.comma}))
	clear(spans) // into the cache before split writes it (see csvSource.room)
	b.texts, b.esc = b.texts[:0], -1
	k := 0           // cells filled
	escaped := false // some cell's text is in p.buf, which may be empty
	p.buf = p.buf[:0]
	p.chunk, p.at = -1, [2]int{}
	n := len(data)
	quote := nextQuote(data, 0)
	line := 0 // line ends passed
	for pos := 0; pos < n; {
		end, next := n, n
		if i := bytes.IndexByte(data[pos:], '\n'); i >= 0 {
			end, next = pos+i, pos+i+1
		}
		if quote < end {
			// The line holds a quote: a quoted record, which may go on
			// over the lines below.
			starts = append(starts, int32(k))
			nums = append(nums, int32(line+1))
			next, lines, ok := p.quoted(data, pos, b.final)
			if !ok {
				b.irregular = true
			}
			if next > p.at[1] {
				p.cut(b, data, pos, next)
			}
			from = append(from, int32(^p.chunk))
			at := p.at[0]
			for _, f := range p.spans {
				if f.esc {
					spans[k] = cellSpan{uint32(f.from) | escBit, uint32(f.to)}
					escaped = true
				} else {
					spans[k] = cellSpan{uint32(f.from - at), uint32(f.to - at)}
				}
				k++
			}
			line += lines
			pos = next
			quote = nextQuote(data, pos)
			continue
		}
		nl := next > end
		if nl && end > pos && data[end-1] == '\r' {
			end--
		}
		if end > pos {
			// An empty line (or "\r" alone) is no record.
			if next > p.at[1] {
				p.cut(b, data, pos, next)
			}
			starts = append(starts, int32(k))
			nums = append(nums, int32(line+1))
			from = append(from, int32(p.chunk))
			k = split(b.texts[p.chunk], pos-p.at[0], end-p.at[0], p.comma, spans, k)
		}
		if nl {
			line++
		}
		pos = next
	}
	if escaped {
		b.esc = len(b.texts)
		b.texts = append(b.texts, string(p.buf))
	}
	b.spans, b.starts, b.nums, b.from = spans[:k], append(starts, int32(k)), nums, from
}

// reuse returns s resliced to n elements when it has room for them, a
// new slice otherwise. reuse does not clear them: parse writes each
// before it is read.
func reuse[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/8)
	}
	return s[:n]
}

// nextQuote returns where the first quote at or after pos is, or
// len(data).
func nextQuote(data []byte, pos int) int {
	if i := bytes.IndexByte(data[pos:], '"'); i >= 0 {
		return pos + i
	}
	return len(data)
}

// split puts the spans of the cells of the line s[from:to], which holds
// no quote, in cells from k on, and returns the count of cells filled. s
// is the chunk the line is in. It looks at eight bytes at a time for the
// delimiter.
//
// The loop is the parser's hottest: its words are read through an unsafe
// pointer, with no bounds check, always inside s (from <= w and w+8 is at
// most len(s), checked once on entry).
func split(s string, from, to int, comma byte, cells []cellSpan, k int) int {
	if to > len(s) || from < 0 || from > to {
		panic("split: line outside its chunk")
	}
	commas := uint64(comma) * lsb
	base := unsafe.Pointer(unsafe.StringData(s))
	cell := from
	w := from
	for ; w+8 <= to; w += 8 {
		m := zeroBytes(loadAt(base, w) ^ commas)
		for m != 0 {
			j := w + bits.TrailingZeros64(m)>>3
			m &= m - 1
			cells[k] = cellSpan{uint32(cell), uint32(j)}
			k++
			cell = j + 1
		}
	}
	if w < to {
		// The line's last bytes: a word of them and of the text after
		// them, masked, or one byte at a time at the chunk's end.
		if w+8 <= len(s) {
			m := zeroBytes(loadAt(base, w)^commas) & (msb >> (8 * (w + 8 - to)))
			for m != 0 {
				j := w + bits.TrailingZeros64(m)>>3
				m &= m - 1
				cells[k] = cellSpan{uint32(cell), uint32(j)}
				k++
				cell = j + 1
			}
		} else {
			for ; w < to; w++ {
				if s[w] == comma {
					cells[k] = cellSpan{uint32(cell), uint32(w)}
					k++
					cell = w + 1
				}
			}
		}
	}
	cells[k] = cellSpan{uint32(cell), uint32(to)}
	return k + 1
}

// sub returns the text from p+from to p+to, from <= to, inside one string:
// unsafe.String without its checks, which the caller's invariants make.
func sub(p unsafe.Pointer, from, to int) string {
	return *(*string)(unsafe.Pointer(&struct {
		p unsafe.Pointer
		n int
	}{unsafe.Add(p, from), to - from}))
}

// loadAt returns the eight bytes at p+i as a little-endian word; the
// caller knows they are all inside one string.
func loadAt(p unsafe.Pointer, i int) uint64 {
	b := (*[8]byte)(unsafe.Add(p, i))
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// zeroBytes returns the high bit of each byte of x that is zero: the
// high bit of (b&0x7f)+0x7f is set when b's low seven bits are not all
// zero, with no carry into the next byte.
func zeroBytes(x uint64) uint64 {
	return ^((x&low + low) | x) & msb
}

// lineEnd returns where the line that starts at pos ends, without its
// line end, the position after it, and whether it ended with "\n" (not
// with the data).
func lineEnd(data []byte, pos int) (end, next int, nl bool) {
	i := bytes.IndexByte(data[pos:], '\n')
	if i < 0 {
		return len(data), len(data), false
	}
	end = pos + i
	if end > pos && data[end-1] == '\r' {
		end--
	}
	return end, pos + i + 1, true
}

// quoted parses the record at pos, which holds a quote, into p.spans:
// runs of data where a field's text is one, the text in p.buf where it
// is not. It returns the position after the record, the line ends it
// passed, and false when a quote was not regular (see blockParser).
func (p *blockParser) quoted(data []byte, pos int, final bool) (next, lines int, regular bool) {
	regular = true
	p.spans = p.spans[:0]
	at := pos
	end, next, nl := lineEnd(data, pos)
	if nl {
		lines++
	}
	comma := p.comma
	quote := -1 // the line's first quote at or after at once set, or end
	for {
		if at == end || data[at] != '"' {
			// An unquoted field. The next quote is looked for once for
			// the fields up to it, not in each.
			if quote < at {
				quote = end
				if i := bytes.IndexByte(data[at:end], '"'); i >= 0 {
					quote = at + i
				}
			}
			if quote > at {
				// The fields before the one that holds the quote (or
				// the line's last) hold none: split eight bytes at a
				// time.
				at = p.fields(data, at, quote)
				if at == quote && quote < end {
					continue // a quoted field
				}
				if quote == end {
					p.spans = append(p.spans, span{at, end, false})
					return next, lines, regular
				}
			}
			to := end
			if i := bytes.IndexByte(data[at:end], comma); i >= 0 {
				to = at + i
			}
			if quote < to {
				regular = false
			}
			p.spans = append(p.spans, span{at, to, false})
			if to < end {
				at = to + 1
				continue
			}
			return next, lines, regular
		}
		// A quoted field: its text is data[from:at] as long as it is a
		// run of the data, then buf[from:] with the rest appended.
		at++
		from, esc := at, false
		for {
			if i := bytes.IndexByte(data[at:end], '"'); i >= 0 {
				q := at + i
				switch {
				case q+1 < end && data[q+1] == '"':
					// "" is one quote: the text is no longer a run.
					if !esc {
						esc = true
						from, at = len(p.buf), from
					}
					p.buf = append(p.buf, data[at:q+1]...)
					at = q + 2
					continue
				case q+1 < end && data[q+1] == comma:
					p.spans = append(p.spans, p.closeField(data, from, at, q, esc))
					at = q + 2
				case q+1 == end:
					p.spans = append(p.spans, p.closeField(data, from, at, q, esc))
					return next, lines, regular
				default:
					// A bare quote inside a quoted field is kept.
					regular = false
					if esc {
						p.buf = append(p.buf, data[at:q+1]...)
					}
					at = q + 1
					continue
				}
				break
			}
			// The line ends inside the quotes: the field goes on, with
			// "\n" for the line end.
			if !esc {
				esc = true
				from, at = len(p.buf), from
			}
			p.buf = append(p.buf, data[at:end]...)
			if !nl || next == len(data) {
				if nl {
					p.buf = append(p.buf, '\n')
				}
				// The data ends inside the quotes: the field ends there
				// if the stream does.
				p.spans = append(p.spans, span{from, len(p.buf), true})
				return next, lines, regular && final
			}
			p.buf = append(p.buf, '\n')
			at = next
			end, next, nl = lineEnd(data, next)
			if nl {
				lines++
			}
		}
	}
}

// fields appends to p.spans the fields of data[at:stop] that a delimiter
// ends, which hold no quote, and returns where the field after them
// starts.
func (p *blockParser) fields(data []byte, at, stop int) int {
	comma := p.comma
	commas := uint64(comma) * lsb
	cell, w := at, at
	for ; w+8 <= stop; w += 8 {
		m := zeroBytes(load8b(data, w) ^ commas)
		for m != 0 {
			j := w + bits.TrailingZeros64(m)>>3
			m &= m - 1
			p.spans = append(p.spans, span{cell, j, false})
			cell = j + 1
		}
	}
	for ; w < stop; w++ {
		if data[w] == comma {
			p.spans = append(p.spans, span{cell, w, false})
			cell = w + 1
		}
	}
	return cell
}

// load8b returns the eight bytes of b at i as a little-endian word.
func load8b(b []byte, i int) uint64 {
	b = b[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// closeField returns the span of a quoted field whose closing quote is at
// q: data[from:q], or buf[from:] with data[at:q] appended.
func (p *blockParser) closeField(data []byte, from, at, q int, esc bool) span {
	if !esc {
		return span{from, q, false}
	}
	p.buf = append(p.buf, data[at:q]...)
	return span{from, len(p.buf), true}
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

// maxUncut bounds how much text the splitter holds while it finds no line
// end with an even count of quotes before it. A stray quote (an inch
// mark, a quote typed inside an unquoted field) flips the count for the
// rest of the file, and there would be no cut until its end: the whole
// file in one block. Past maxUncut the text is handed on as it is, marked
// irregular, and the reader parses from there on serially, which finds
// the records wherever they end, with memory bounded by a record. A
// record really longer than maxUncut takes the same path, and reads as it
// would otherwise. Tests make it small.
var maxUncut = 4 << 20

// blockReader cuts a stream into blocks and parses them on workers. Blocks
// come out of order in the order of the stream; each is ready once its
// done channel is closed.
type blockReader struct {
	order chan *csvBlock // every block, in the stream's order
	work  chan *csvBlock // blocks for the workers
	free  chan *csvBlock // blocks handed on, for their buffers' reuse
	stop  chan struct{}  // closed by close to end the splitter
	gone  chan struct{}  // closed when the splitter has returned
	skip  chan struct{}  // closed once the reader parses serially
	comma byte
	chunk int // chunkSize when the reader was made

	largest int // the largest buffer cut, for tests; read after close
}

func newBlockReader(r io.Reader, comma byte, workers int) *blockReader {
	workers = max(workers, 1)
	br := &blockReader{
		order: make(chan *csvBlock, workers),
		work:  make(chan *csvBlock, workers),
		free:  make(chan *csvBlock, workers+2),
		stop:  make(chan struct{}),
		gone:  make(chan struct{}),
		skip:  make(chan struct{}),
		comma: comma,
		chunk: chunkSize,
	}
	for range workers {
		go br.worker()
	}
	go br.split(r)
	return br
}

func (br *blockReader) worker() {
	p := &blockParser{comma: br.comma, size: br.chunk}
	for b := range br.work {
		select {
		case <-br.skip:
			// The stream is parsed serially from an earlier block on.
		default:
			if !b.irregular { // else cut where no record may end
				p.parse(b)
			}
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
		// A block handed on lends its buffers to the next.
		var old *csvBlock
		select {
		case old = <-br.free:
		default:
			old = &csvBlock{}
		}
		block := func(data []byte) *csvBlock {
			return &csvBlock{data: data, done: make(chan struct{}), texts: old.texts,
				spans: old.spans, starts: old.starts, nums: old.nums, from: old.from}
		}
		buf := old.data
		if cap(buf) < blockSize+len(carry) {
			buf = make([]byte, 0, blockSize+len(carry))
		}
		buf = append(buf[:0], carry...)
		cut := -1
		uncut := false
		var err error
		for cut < 0 && err == nil {
			if len(buf) == cap(buf) {
				if len(buf) >= maxUncut {
					// See maxUncut.
					cut, uncut = len(buf), true
					break
				}
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
		br.largest = max(br.largest, len(buf))
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			if len(buf) > 0 {
				b := block(buf)
				b.final = true
				send(b)
			}
			return
		}
		if err != nil {
			send(&csvBlock{err: err, final: true, done: make(chan struct{})})
			return
		}
		carry = append(carry[:0], buf[cut:]...)
		b := block(buf[:cut])
		b.irregular = uncut
		if !send(b) {
			return
		}
		select {
		case <-br.stop:
			return
		default:
		}
	}
}

// recycle gives a block handed on back to the splitter, for its buffers:
// none of them may be used after.
func (br *blockReader) recycle(b *csvBlock) {
	clear(b.texts) // not to keep the text alive
	select {
	case br.free <- &csvBlock{data: b.data[:0], texts: b.texts[:0], spans: b.spans[:0],
		starts: b.starts[:0], nums: b.nums[:0], from: b.from[:0]}:
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
