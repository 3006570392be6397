package pqwriter

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// Counts and row numbers of plain (dictionary-less) chunks are written as
// differences (DELTA_BINARY_PACKED): zstd takes plain 8-byte integers
// slowly, their zero high bytes making a short match every few bytes,
// and a row number that grows by one packs into nothing. Floats are not
// written as differences (see encodeFloats).

const (
	encDelta = 5

	deltaBlock      = 128 // values per block
	deltaMiniblocks = 4   // miniblocks per block, of 32 values each
)

// appendDelta appends vals (int64 as uint64) in DELTA_BINARY_PACKED.
func appendDelta(dst []byte, vals []uint64) []byte {
	dst = binary.AppendUvarint(dst, deltaBlock)
	dst = binary.AppendUvarint(dst, deltaMiniblocks)
	dst = binary.AppendUvarint(dst, uint64(len(vals)))
	if len(vals) == 0 {
		return binary.AppendUvarint(dst, 0)
	}
	dst = binary.AppendUvarint(dst, zigzag(int64(vals[0])))
	const per = deltaBlock / deltaMiniblocks
	var deltas [deltaBlock]uint64
	for start := 1; start < len(vals); start += deltaBlock {
		n := min(deltaBlock, len(vals)-start)
		minDelta := int64(vals[start] - vals[start-1])
		for i := range n {
			d := int64(vals[start+i] - vals[start+i-1])
			deltas[i] = uint64(d)
			minDelta = min(minDelta, d)
		}
		for i := range n {
			deltas[i] -= uint64(minDelta)
		}
		dst = binary.AppendUvarint(dst, zigzag(minDelta))
		var widths [deltaMiniblocks]int
		used := (n + per - 1) / per
		for m := range used {
			var or uint64
			for _, d := range deltas[m*per : min((m+1)*per, n)] {
				or |= d
			}
			widths[m] = bits.Len64(or)
		}
		for m := range deltaMiniblocks {
			dst = append(dst, byte(widths[m]))
		}
		for m := range used {
			w := widths[m]
			if w == 0 {
				continue
			}
			// A miniblock is always 32 values wide; past the end, zeros.
			if w <= 32 {
				var mb [per]uint32
				for i, d := range deltas[m*per : min((m+1)*per, n)] {
					mb[i] = uint32(d)
				}
				dst = appendBits32(dst, mb[:], w)
				continue
			}
			var mb [per]uint64
			copy(mb[:], deltas[m*per:min((m+1)*per, n)])
			dst = appendBits(dst, mb[:], w)
		}
	}
	return dst
}

// deltaSize returns the length appendDelta would give the values
// dict[idx[0]], dict[idx[1]], ..., without encoding them.
func deltaSize(dict []uint64, idx []uint32) int {
	size := uvarintLen(deltaBlock) + uvarintLen(deltaMiniblocks) + uvarintLen(uint64(len(idx)))
	if len(idx) == 0 {
		return size + 1
	}
	size += uvarintLen(zigzag(int64(dict[idx[0]])))
	const per = deltaBlock / deltaMiniblocks
	var deltas [deltaBlock]int64
	prev := dict[idx[0]]
	for start := 1; start < len(idx); start += deltaBlock {
		block := idx[start:min(start+deltaBlock, len(idx))]
		minDelta := int64(math.MaxInt64)
		for i, k := range block {
			v := dict[k]
			d := int64(v - prev)
			prev = v
			deltas[i] = d
			minDelta = min(minDelta, d)
		}
		size += uvarintLen(zigzag(minDelta)) + deltaMiniblocks
		for m := 0; m*per < len(block); m++ {
			var or uint64
			for _, d := range deltas[m*per : min((m+1)*per, len(block))] {
				or |= uint64(d - minDelta)
			}
			size += per / 8 * bits.Len64(or)
		}
	}
	return size
}

func uvarintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }
