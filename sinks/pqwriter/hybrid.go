package pqwriter

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// The RLE / bit-packing hybrid of Parquet's definition levels and
// dictionary indices. A run of eight or more equal values is written as a
// repeat (count, value); everything else as groups of eight values packed
// in width bits each, least significant bit first.

// maxLiteralGroups bounds one bit-packed run, so that its header stays a
// single byte as the format's reference writer does.
const maxLiteralGroups = 63

// bitWidth returns the bits needed for values up to max (at least 1).
func bitWidth(max uint32) int {
	if max == 0 {
		return 1
	}
	return bits.Len32(max)
}

// appendHybrid appends vals (each below 1<<width) in the hybrid encoding.
func appendHybrid(dst []byte, vals []uint32, width int) []byte {
	h := hybridOut{dst: dst, width: width}
	h.write(vals)
	return h.dst
}

// hybridSize returns the length appendHybrid would give vals, without
// packing them.
func hybridSize(vals []uint32, width int) int {
	h := hybridOut{width: width, sizeOnly: true}
	h.write(vals)
	return h.size
}

// hybridOut receives the runs of the hybrid encoding: their bytes, or
// with sizeOnly only their number.
type hybridOut struct {
	dst      []byte
	size     int
	width    int
	sizeOnly bool
}

func (h *hybridOut) packed(vals []uint32) {
	if !h.sizeOnly {
		h.dst = appendPacked(h.dst, vals, h.width)
		return
	}
	for len(vals) > 0 {
		groups := min((len(vals)+7)/8, maxLiteralGroups)
		h.size += uvarintLen(uint64(groups)<<1|1) + groups*h.width
		vals = vals[min(groups*8, len(vals)):]
	}
}

func (h *hybridOut) repeat(v uint32, count int) {
	if !h.sizeOnly {
		h.dst = appendRepeat(h.dst, v, count, h.width)
		return
	}
	h.size += uvarintLen(uint64(count)<<1) + (h.width+7)/8
}

// write finds the runs of eight or more equal values in vals and hands
// them and the values between them on, in groups of eight.
func (h *hybridOut) write(vals []uint32) {
	n := len(vals)
	lit := 0 // start of the values not yet written
	i := 0
	for i < n {
		v := vals[i]
		if i+8 <= n && vals[i+7] != v {
			// No run of eight starts here (nor, if one started before,
			// at a later value of the same run). Nor at the next seven
			// values if the eighth and ninth differ: such a run would
			// hold both.
			if i+9 <= n && vals[i+8] != vals[i+7] {
				i += 8
			} else {
				i++
			}
			continue
		}
		r := runLength(vals[i:])
		if r < 8 {
			i += r
			continue
		}
		// Pending literals must fill whole groups of eight: borrow the
		// head of the run to complete the last group.
		if pend := i - lit; pend > 0 {
			k := (8 - pend%8) % 8
			i += k
			r -= k
			h.packed(vals[lit:i])
			lit = i
			if r < 8 {
				i += r
				continue
			}
		}
		h.repeat(v, r)
		i += r
		lit = i
	}
	if lit < n {
		h.packed(vals[lit:])
	}
}

// runLength returns how many values at the start of vals equal the first
// (at least 1), comparing eight at a time through long runs.
func runLength(vals []uint32) int {
	v, r := vals[0], 1
	for ; r+8 <= len(vals); r += 8 {
		w := vals[r : r+8]
		if w[0] != v || w[1] != v || w[2] != v || w[3] != v || w[4] != v || w[5] != v || w[6] != v || w[7] != v {
			break
		}
	}
	for r < len(vals) && vals[r] == v {
		r++
	}
	return r
}

func appendRepeat(dst []byte, v uint32, count, width int) []byte {
	dst = binary.AppendUvarint(dst, uint64(count)<<1)
	for b := 0; b < (width+7)/8; b++ {
		dst = append(dst, byte(v>>(8*b)))
	}
	return dst
}

// appendPacked writes vals as bit-packed runs; the last group is padded
// with zeros, which readers skip since they know how many values a page
// holds.
func appendPacked(dst []byte, vals []uint32, width int) []byte {
	for len(vals) > 0 {
		groups := min((len(vals)+7)/8, maxLiteralGroups)
		take := min(groups*8, len(vals))
		dst = binary.AppendUvarint(dst, uint64(groups)<<1|1)
		start := len(dst)
		dst = appendBits32(dst, vals[:take], width)
		// A run holds groups*8 values of width bits: groups*width bytes.
		for len(dst)-start < groups*width {
			dst = append(dst, 0)
		}
		vals = vals[take:]
	}
	return dst
}

// appendBits32 packs vals in width bits each (up to 32), as appendBits:
// eight values of up to 8 bits in one 64-bit word, wider ones through an
// accumulator written four bytes at a time.
func appendBits32(dst []byte, vals []uint32, width int) []byte {
	n := len(dst)
	size := (len(vals)*width + 7) / 8
	dst = slices.Grow(dst, size+8)[:n+size+8] // 8 bytes of slack for whole-word stores
	out := dst[n:]
	mask := uint32(1)<<width - 1
	o := 0
	if width <= 8 {
		w := uint(width)
		for len(vals) >= 8 {
			v := vals[:8]
			x := uint64(v[0]&mask) | uint64(v[1]&mask)<<w | uint64(v[2]&mask)<<(2*w) | uint64(v[3]&mask)<<(3*w) |
				uint64(v[4]&mask)<<(4*w) | uint64(v[5]&mask)<<(5*w) | uint64(v[6]&mask)<<(6*w) | uint64(v[7]&mask)<<(7*w)
			binary.LittleEndian.PutUint64(out[o:], x)
			o += width
			vals = vals[8:]
		}
	}
	var acc uint64 // bits not yet written, low first: fewer than 32
	nbits := 0
	for _, v := range vals {
		acc |= uint64(v&mask) << nbits
		nbits += width
		if nbits >= 32 {
			binary.LittleEndian.PutUint32(out[o:], uint32(acc))
			o += 4
			acc >>= 32
			nbits -= 32
		}
	}
	for ; nbits > 0; nbits -= 8 {
		out[o] = byte(acc)
		o++
		acc >>= 8
	}
	return dst[:n+o]
}

// appendBits packs vals in width bits each (up to 64), least significant
// first, the last byte padded with zeros.
func appendBits[T uint32 | uint64](dst []byte, vals []T, width int) []byte {
	var acc uint64 // bits not yet written, low first
	nbits := 0
	for _, x := range vals {
		v := uint64(x)
		// Write v in pieces so that acc never needs more than 64 bits.
		left := width
		for left > 0 {
			take := min(left, 64-nbits, 32)
			acc |= (v & (1<<take - 1)) << nbits
			v >>= take
			nbits += take
			left -= take
			for nbits >= 8 {
				dst = append(dst, byte(acc))
				acc >>= 8
				nbits -= 8
			}
		}
	}
	if nbits > 0 {
		dst = append(dst, byte(acc))
	}
	return dst
}

// appendLevels appends the levels of runs in the hybrid encoding (width
// 1), the same bytes as appendHybrid of them one by one: runs of eight or
// more as repeats directly, anything else through scratch.
func appendLevels(dst []byte, runs []defRun, scratch []uint32) ([]byte, []uint32) {
	for _, r := range runs {
		if r.n < 8 {
			scratch = scratch[:0]
			for _, r := range runs {
				for range r.n {
					scratch = append(scratch, r.level)
				}
			}
			return appendHybrid(dst, scratch, 1), scratch
		}
	}
	for _, r := range runs {
		dst = appendRepeat(dst, r.level, int(r.n), 1)
	}
	return dst, scratch
}
