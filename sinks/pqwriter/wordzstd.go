package pqwriter

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// wordZstd writes zstd frames (RFC 8878) of pages whose bytes after a
// short head are 8-byte values: the PLAIN pages of float columns.
//
// A general zstd encoder looks for repeats at every byte and, on pages of
// near-random mantissas, spends most of its time finding none. The values
// of such a page repeat as whole values (a share repeats whenever two
// units' fractions are equal, often several in a row), so this encoder
// looks for repeats a value at a time (see parse): each value is looked up
// at the last offset used and in a hash table of the values before it; a
// match runs on over the values that follow while they are equal, and
// back into the bytes before it while those are (the sign and exponent
// bytes of the value before often are). Literals, the bytes of values not
// seen before, are near-random mantissas that Huffman coding does not
// shrink: they are stored raw. The sequences are entropy-coded with FSE
// tables made for each block. Any zstd decoder reads the frames, and the
// same page gives the same bytes.
type wordZstd struct {
	table []int32 // hash of a value -> its index + 1 in the page
	seqs  []zseq
	codes []zcode
	fse   [3]fseEnc // literal lengths, offsets, match lengths
}

// A zseq is a match of ml bytes at off bytes back, after lit literals.
type zseq struct{ lit, ml, off uint32 }

// A zcode is a sequence as coded: its three symbols and their extra bits.
type zcode struct {
	ll, of, ml    uint8
	llx, mlx, ofx uint32
}

const (
	zMaxBlock = 128 << 10 // the largest block content (Block_Maximum_Size)
	zMaxMatch = 64 << 10  // matches are cut at this length, so each fits a block
	// zMaxPage bounds the pages wordZstd takes: its frames are one
	// segment, whose window (the whole page) every decoder must accept.
	zMaxPage = 8 << 20
)

// Symbol kinds, in the order the sequences section describes their tables.
const (
	tLL = iota
	tOF
	tML
)

// appendFrame appends to dst a zstd frame whose content is src, where the
// bytes from head on are 8-byte values (len(src)-head a multiple of 8).
func (z *wordZstd) appendFrame(dst, src []byte, head int) []byte {
	z.parse(src, head)
	dst = binary.LittleEndian.AppendUint32(dst, 0xFD2FB528)
	// Frame header: one segment (no window descriptor), the content size,
	// no checksum, no dictionary.
	switch n := len(src); {
	case n < 256:
		dst = append(dst, 1<<5, byte(n))
	case n < 65536+256:
		dst = append(dst, 1<<6|1<<5)
		dst = binary.LittleEndian.AppendUint16(dst, uint16(n-256))
	default:
		dst = append(dst, 2<<6|1<<5)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(n))
	}
	reps := [3]uint32{1, 4, 8}
	pos, start, from := 0, 0, 0 // the next sequence's start; the block's start and first sequence
	for i := range z.seqs {
		s := &z.seqs[i]
		need := int(s.lit + s.ml)
		if pos+need-start <= zMaxBlock {
			pos += need
			continue
		}
		if pos > start {
			dst = z.block(dst, src, start, pos, z.seqs[from:i], &reps, false)
		}
		for need > zMaxBlock {
			// More literals than a block holds with the match: blocks of
			// them alone.
			t := min(int(s.lit), zMaxBlock)
			dst = appendRaw(dst, src[pos:pos+t], false)
			pos += t
			s.lit -= uint32(t)
			need -= t
		}
		start, from = pos, i
		pos += need
	}
	if len(src)-start <= zMaxBlock {
		return z.block(dst, src, start, len(src), z.seqs[from:], &reps, true)
	}
	if pos > start {
		dst = z.block(dst, src, start, pos, z.seqs[from:], &reps, false)
	}
	for {
		t := min(len(src)-pos, zMaxBlock)
		dst = appendRaw(dst, src[pos:pos+t], pos+t == len(src))
		if pos += t; pos == len(src) {
			return dst
		}
	}
}

// appendRaw appends a block that stores b as it is.
func appendRaw(dst, b []byte, last bool) []byte {
	h := uint32(len(b)) << 3
	if last {
		h |= 1
	}
	dst = append(dst, byte(h), byte(h>>8), byte(h>>16))
	return append(dst, b...)
}

// parse finds the page's matches and leaves them in z.seqs.
//
// The hash table is keyed by a value's low six bytes, its mantissa's low
// 48 bits, and keeps the last two values of each key: a value equal to
// one of them starts a match; failing that, a value whose six bytes are
// those of an earlier one (a share twice or half another: the same
// fraction, a power of two apart) takes them as a match of six bytes and
// keeps its two high bytes as literals.
func (z *wordZstd) parse(src []byte, head int) {
	n := (len(src) - head) / 8
	z.seqs = slices.Grow(z.seqs[:0], n/2)
	tb := min(max(bits.Len(uint(n)), 8), 16)
	if len(z.table) < 2<<tb {
		z.table = make([]int32, 2<<16)
	}
	table := z.table[:2<<tb]
	clear(table)
	shift := 64 - tb
	vals := src[head : head+8*n]
	word := func(i int) uint64 { return binary.LittleEndian.Uint64(vals[8*i:]) }
	at := func(p int) uint64 { return binary.LittleEndian.Uint64(src[p:]) }
	const low = 1<<48 - 1
	hash := func(w uint64) int { return int(((w&low)*0x9E3779B97F4A7C15)>>shift) << 1 }
	rep0 := 1
	litFrom := 0 // where the literals not yet in a sequence start
	for i := 0; i < n; {
		w := word(i)
		p := head + 8*i
		m, part := -1, -1 // a whole match; a match of the low six bytes
		if p >= rep0 && at(p-rep0) == w {
			m = p - rep0
		}
		h := hash(w)
		c0, c1 := int(table[h])-1, int(table[h+1])-1
		if m < 0 {
			for _, c := range [2]int{c0, c1} {
				if c < 0 {
					break
				}
				if v := word(c); v == w {
					m = head + 8*c
					break
				} else if part < 0 && v&low == w&low {
					part = head + 8*c
				}
			}
		}
		table[h], table[h+1] = int32(i+1), int32(c0+1)
		if m < 0 && part < 0 {
			i++
			continue
		}
		ml := 6
		next := p + 6 // where the literals after the match start
		if m >= 0 {
			k := 1
			for i+k < n && 8*(k+1) <= zMaxMatch-8 && word(i+k) == at(m+8*k) {
				v := word(i + k)
				g := hash(v)
				table[g], table[g+1] = int32(i+k+1), table[g]
				k++
			}
			ml, next = 8*k, p+8*k
			i += k
		} else {
			m = part
			i++
		}
		// The bytes before the match that equal those before its
		// source, up to seven and not into the previous match.
		b := 0
		if m >= 8 && p-8 >= litFrom {
			b = min(bits.LeadingZeros64(at(p-8)^at(m-8))>>3, 7)
		} else {
			for b < 7 && p-b > litFrom && m-b > 0 && src[p-b-1] == src[m-b-1] {
				b++
			}
		}
		off := p - m
		z.seqs = append(z.seqs, zseq{lit: uint32(p - b - litFrom), ml: uint32(ml + b), off: uint32(off)})
		rep0 = off
		litFrom = next
	}
}

// block appends the block of src[from:to], whose matches are seqs (the
// bytes after the last one are literals), compressed, or stored as it is
// where that is not larger; reps are the repeat offsets, carried from block
// to block.
func (z *wordZstd) block(dst, src []byte, from, to int, seqs []zseq, reps *[3]uint32, last bool) []byte {
	if len(seqs) == 0 {
		return appendRaw(dst, src[from:to], last)
	}
	at := len(dst)
	// The block header and the literals section, raw, whose header takes
	// three bytes whatever the size (a form every decoder reads), so that
	// the literals are copied in the same pass that codes the sequences.
	dst = slices.Grow(dst, 6+to-from+16)
	d := at + 6
	buf := dst[:cap(dst)]
	r := *reps
	z.codes = slices.Grow(z.codes[:0], len(seqs))[:len(seqs)]
	var hist [3][64]uint32
	p := from
	for i := range seqs {
		s := &seqs[i]
		lit := int(s.lit)
		if lit <= 16 && p+16 <= len(src) {
			// Most runs of literals are short: two words, the bytes past
			// them overwritten next.
			binary.LittleEndian.PutUint64(buf[d:], binary.LittleEndian.Uint64(src[p:]))
			binary.LittleEndian.PutUint64(buf[d+8:], binary.LittleEndian.Uint64(src[p+8:]))
		} else {
			copy(buf[d:], src[p:p+lit])
		}
		d += lit
		p += lit + int(s.ml)
		var ob uint32 // Offset_Value
		off := s.off
		switch {
		case s.lit > 0 && off == r[0]:
			ob = 1
		case s.lit > 0 && off == r[1]:
			ob, r = 2, [3]uint32{r[1], r[0], r[2]}
		case s.lit > 0 && off == r[2]:
			ob, r = 3, [3]uint32{r[2], r[0], r[1]}
		case s.lit == 0 && off == r[1]:
			// After no literals the repeat codes shift by one.
			ob, r = 1, [3]uint32{r[1], r[0], r[2]}
		case s.lit == 0 && off == r[2]:
			ob, r = 2, [3]uint32{r[2], r[0], r[1]}
		default:
			ob, r = off+3, [3]uint32{off, r[0], r[1]}
		}
		c := &z.codes[i]
		c.of = uint8(bits.Len32(ob) - 1)
		c.ofx = ob - 1<<c.of
		c.ll = llCode(s.lit)
		c.llx = s.lit - llBase[c.ll]
		c.ml = mlCode(s.ml - 3)
		c.mlx = s.ml - mlBase[c.ml]
		hist[tLL][c.ll]++
		hist[tOF][c.of&63]++
		hist[tML][c.ml]++
	}
	d += copy(buf[d:], src[p:to])
	nlit := d - at - 6
	buf[at+3], buf[at+4], buf[at+5] = byte(nlit<<4)|3<<2, byte(nlit>>4), byte(nlit>>12)
	dst = buf[:d]
	n := len(seqs)
	switch {
	case n < 128:
		dst = append(dst, byte(n))
	case n < 0x7F00:
		dst = append(dst, byte(n>>8)+0x80, byte(n))
	default:
		dst = append(dst, 0xFF, byte(n-0x7F00), byte((n-0x7F00)>>8))
	}
	modes := len(dst)
	dst = append(dst, 0)
	for t, maxLog := range [3]int{9, 8, 9} {
		f := &z.fse[t]
		f.build(&hist[t], n, maxLog)
		mode := byte(2) // FSE_Compressed
		if f.rle {
			mode = 1
		}
		dst[modes] |= mode << (6 - 2*t)
		dst = f.appendTable(dst)
	}
	dst = z.bitstream(dst)
	size := len(dst) - at - 3
	if size >= to-from || size > zMaxBlock {
		return appendRaw(dst[:at], src[from:to], last)
	}
	*reps = r
	h := uint32(size)<<3 | 2<<1
	if last {
		h |= 1
	}
	dst[at], dst[at+1], dst[at+2] = byte(h), byte(h>>8), byte(h>>16)
	return dst
}

// bitstream appends the sequences' FSE bitstream: written from the last
// sequence to the first, as the decoder reads it backwards. Its bits are
// gathered in a word that is emptied of its whole bytes after each group
// of at most 32 bits, so that it never holds more than 64.
func (z *wordZstd) bitstream(dst []byte) []byte {
	ll, of, ml := &z.fse[tLL], &z.fse[tOF], &z.fse[tML]
	cs := z.codes
	c := cs[len(cs)-1]
	sml, sof, sll := ml.start(c.ml), of.start(c.of), ll.start(c.ll)
	b := slices.Grow(dst, 12*len(cs)+16)
	acc := uint64(c.llx) | uint64(c.mlx)<<llBits[c.ll]
	n := uint(llBits[c.ll] + mlBits[c.ml])
	b, acc, n = flushBits(b, acc, n)
	acc |= uint64(c.ofx) << n
	n += uint(c.of)
	b, acc, n = flushBits(b, acc, n)
	for i := len(cs) - 2; i >= 0; i-- {
		c := &cs[i]
		t := &of.tt[c.of]
		out := uint((sof + t.nb) >> 16)
		acc |= uint64(sof&(1<<(out&31)-1)) << (n & 63)
		n += out
		sof = uint32(of.state[int32(sof>>(out&31))+t.find])
		t = &ml.tt[c.ml]
		out = uint((sml + t.nb) >> 16)
		acc |= uint64(sml&(1<<(out&31)-1)) << (n & 63)
		n += out
		sml = uint32(ml.state[int32(sml>>(out&31))+t.find])
		t = &ll.tt[c.ll]
		out = uint((sll + t.nb) >> 16)
		acc |= uint64(sll&(1<<(out&31)-1)) << (n & 63)
		n += out
		sll = uint32(ll.state[int32(sll>>(out&31))+t.find])
		b, acc, n = flushBits(b, acc, n)
		acc |= (uint64(c.llx) | uint64(c.mlx)<<(llBits[c.ll]&31)) << (n & 63)
		n += uint(llBits[c.ll] + mlBits[c.ml])
		b, acc, n = flushBits(b, acc, n)
		acc |= uint64(c.ofx) << (n & 63)
		n += uint(c.of)
		b, acc, n = flushBits(b, acc, n)
	}
	var w bitOut
	w.b, w.acc, w.n = b, acc, uint8(n)
	ml.finish(&w, sml)
	w.flush()
	of.finish(&w, sof)
	w.flush()
	ll.finish(&w, sll)
	return w.close()
}

// flushBits moves acc's whole bytes, of its n bits, to b.
func flushBits(b []byte, acc uint64, n uint) ([]byte, uint64, uint) {
	b = binary.LittleEndian.AppendUint64(b, acc)
	k := n >> 3
	return b[:len(b)-8+int(k)], acc >> (8 * k & 63), n & 7 // n < 64
}

// bitOut writes bits from the lowest up, in little-endian bytes. add
// leaves whole bytes in acc for flush, which the caller makes often
// enough that acc never holds more than 64 bits.
type bitOut struct {
	b   []byte
	acc uint64
	n   uint8
}

func (w *bitOut) reset(b []byte) { w.b, w.acc, w.n = b, 0, 0 }

// add writes the low nb bits of v, nb <= 32.
func (w *bitOut) add(v uint32, nb uint8) {
	w.acc |= uint64(v&(1<<nb-1)) << w.n
	w.n += nb
}

// flush moves acc's whole bytes to b.
func (w *bitOut) flush() {
	var n uint
	w.b, w.acc, n = flushBits(w.b, w.acc, uint(w.n))
	w.n = uint8(n)
}

// close ends the stream with a 1 bit, the mark a decoder starts from, and
// returns the bytes.
func (w *bitOut) close() []byte {
	w.flush()
	w.add(1, 1)
	w.flush()
	if w.n > 0 {
		w.b = append(w.b, byte(w.acc))
	}
	b := w.b
	w.b = nil
	return b
}

// fseEnc is the FSE coding of one kind of symbol in one block, or its RLE
// mode when the block has a single symbol of that kind.
type fseEnc struct {
	rle    bool
	sym    uint8
	log    uint8
	maxSym int
	norm   [64]int32
	tt     [64]symTT
	state  [1 << 9]uint16
}

// A symTT says how a symbol moves the encoder's state.
type symTT struct {
	find int32  // where the symbol's states start in state, less the first's count
	nb   uint32 // (bits out << 16) less the states that take them
}

// build makes the table of hist, the counts of total symbols, with an
// accuracy log of at most maxLog.
func (f *fseEnc) build(hist *[64]uint32, total, maxLog int) {
	distinct, largest := 0, 0
	f.maxSym = 0
	for s, h := range hist {
		if h > 0 {
			distinct++
			f.maxSym = s
			if h > hist[largest] {
				largest = s
			}
		}
	}
	f.rle = distinct == 1
	if f.rle {
		// The encoder's state stays 0 and writes no bits.
		f.sym, f.log = uint8(f.maxSym), 0
		f.tt[f.sym], f.state[0] = symTT{}, 0
		return
	}
	log := min(max(bits.Len(uint(total))-1, 5, bits.Len(uint(distinct))), maxLog)
	f.log = uint8(log)
	size := int32(1) << log
	sum := int32(0)
	for s := 0; s <= f.maxSym; s++ {
		v := int32(0)
		if h := hist[s]; h > 0 {
			v = max(int32(uint64(h)*uint64(size)/uint64(total)), 1)
		}
		f.norm[s] = v
		sum += v
	}
	if sum <= size {
		f.norm[largest] += size - sum
	}
	for ; sum > size; sum-- {
		// Symbols raised to one took too much: take it from the most
		// probable.
		big := 0
		for s := 1; s <= f.maxSym; s++ {
			if f.norm[s] > f.norm[big] {
				big = s
			}
		}
		f.norm[big]--
	}
	// Spread the symbols over the states as a decoder does, then number
	// each symbol's states in order.
	var syms [1 << 9]uint8
	var next [65]int32
	mask := size - 1
	step := size>>1 + size>>3 + 3
	p := int32(0)
	for s := 0; s <= f.maxSym; s++ {
		next[s+1] = next[s] + f.norm[s]
		for range f.norm[s] {
			syms[p] = uint8(s)
			p = (p + step) & mask
		}
	}
	for u := range size {
		s := syms[u]
		f.state[next[s]] = uint16(size + u)
		next[s]++
	}
	total32 := int32(0)
	for s := 0; s <= f.maxSym; s++ {
		switch n := f.norm[s]; n {
		case 0:
		case 1:
			f.tt[s] = symTT{find: total32 - 1, nb: uint32(log)<<16 - uint32(size)}
			total32++
		default:
			out := uint32(log - (bits.Len32(uint32(n-1)) - 1))
			f.tt[s] = symTT{find: total32 - n, nb: out<<16 - uint32(n)<<out}
			total32 += n
		}
	}
}

// appendTable appends the table's description: the symbol for RLE, else
// the normalized counts.
func (f *fseEnc) appendTable(dst []byte) []byte {
	if f.rle {
		return append(dst, f.sym)
	}
	var w bitOut
	w.reset(dst)
	w.add(uint32(f.log)-5, 4)
	w.flush()
	size := int32(1) << f.log
	remaining := size + 1
	threshold := size
	nb := f.log + 1
	for s := 0; s <= f.maxSym && remaining > 1; {
		c := f.norm[s]
		s++
		most := 2*threshold - 1 - remaining
		remaining -= c
		v := c + 1
		if v >= threshold {
			v += most
		}
		if v < most {
			w.add(uint32(v), nb-1)
		} else {
			w.add(uint32(v), nb)
		}
		w.flush()
		for remaining < threshold {
			nb--
			threshold >>= 1
		}
		if c == 0 {
			// A run of zero counts follows in 2-bit repeat flags.
			from := s
			for s <= f.maxSym && f.norm[s] == 0 {
				s++
			}
			zeros := s - from
			for ; zeros >= 24; zeros -= 24 {
				w.add(0xFFFF, 16)
				w.flush()
			}
			for ; zeros >= 3; zeros -= 3 {
				w.add(3, 2)
				w.flush()
			}
			w.add(uint32(zeros), 2)
			w.flush()
		}
	}
	// Whole bytes: the table ends at the last one the counts touch.
	w.flush()
	if w.n > 0 {
		w.b = append(w.b, byte(w.acc))
	}
	return w.b
}

// start returns the state to encode the last symbol from, writing no bits.
func (f *fseEnc) start(s uint8) uint32 {
	t := f.tt[s]
	out := (t.nb + 1<<15) >> 16
	v := out<<16 - t.nb
	return uint32(f.state[int32(v>>out)+t.find])
}

// finish writes the first state, which the decoder reads first.
func (f *fseEnc) finish(w *bitOut, state uint32) {
	w.add(state, f.log)
}

// The codes of literal lengths and match lengths, and their baselines and
// extra bits (RFC 8878, 3.1.1.3.2.1.1).
var (
	llBits = [36]uint8{16: 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	mlBits = [53]uint8{32: 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	llBase [36]uint32
	mlBase [53]uint32 // match lengths, not less 3
	// llSmall and mlSmall are the codes of lengths below 64 and 128 (less 3).
	llSmall [64]uint8
	mlSmall [128]uint8
)

func init() {
	b := uint32(0)
	for c, nb := range llBits {
		llBase[c] = b
		for v := b; v < b+1<<nb && v < 64; v++ {
			llSmall[v] = uint8(c)
		}
		b += 1 << nb
	}
	b = 3
	for c, nb := range mlBits {
		mlBase[c] = b
		for v := b - 3; v < b-3+1<<nb && v < 128; v++ {
			mlSmall[v] = uint8(c)
		}
		b += 1 << nb
	}
}

func llCode(n uint32) uint8 {
	if n < 64 {
		return llSmall[n]
	}
	return uint8(bits.Len32(n)-1) + 19
}

// mlCode is the code of a match length less 3.
func mlCode(n uint32) uint8 {
	if n < 128 {
		return mlSmall[n]
	}
	return uint8(bits.Len32(n)-1) + 36
}
