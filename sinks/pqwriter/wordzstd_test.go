package pqwriter

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/klauspost/compress/zstd"
	"pgregory.net/rapid"
)

// wordPage returns a page of head bytes and then vals, little-endian.
func wordPage(head []byte, vals []uint64) []byte {
	b := append([]byte(nil), head...)
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

// decodeZstd decodes a frame with the zstd library's decoder.
func decodeZstd(frame []byte) ([]byte, error) {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.DecodeAll(frame, nil)
}

func TestWordZstdRoundTrip(t *testing.T) {
	var z wordZstd
	rapid.Check(t, func(rt *rapid.T) {
		head := rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(rt, "head")
		// Values from a small pool repeat, as shares do; some runs repeat
		// whole; a few are near-random.
		pool := rapid.SliceOfN(rapid.Uint64(), 1, 50).Draw(rt, "pool")
		n := rapid.IntRange(0, 40000).Draw(rt, "n")
		seed := rapid.Uint64().Draw(rt, "seed")
		vals := make([]uint64, n)
		x := seed | 1
		for i := range vals {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			switch x % 8 {
			case 0, 1:
				vals[i] = x
			case 2:
				if i >= 12 {
					vals[i] = vals[i-12]
					continue
				}
				vals[i] = pool[0]
			default:
				vals[i] = pool[(x>>8)%uint64(len(pool))]
			}
		}
		src := wordPage(head, vals)
		frame := z.appendFrame(nil, src, len(head))
		if got, err := decodeZstd(frame); err != nil || !bytes.Equal(got, src) {
			rt.Fatalf("round trip of %d bytes gave %d bytes, not the same (%v)", len(src), len(got), err)
		}
		if again := z.appendFrame(nil, src, len(head)); !bytes.Equal(again, frame) {
			rt.Fatal("the same page gave other bytes")
		}
	})
}

// TestWordZstdEdges covers pages that put every size and block limit to
// work: empty, one value, a page of one value repeated (matches cut at
// their longest, a stream of one symbol), pages of near-random values
// (literals past a block, blocks stored raw), and pages past the largest
// block.
func TestWordZstdEdges(t *testing.T) {
	var z wordZstd
	same := make([]uint64, 100000)
	for i := range same {
		same[i] = math.Float64bits(12.5)
	}
	distinct := make([]uint64, 60000)
	for i := range distinct {
		distinct[i] = math.Float64bits(float64(i) * 100 / 60001)
	}
	random := make([]uint64, 50000)
	x := uint64(88172645463325252)
	for i := range random {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		random[i] = x
	}
	mixed := append(append([]uint64(nil), distinct[:40000]...), same[:30000]...)
	mixed = append(mixed, distinct[:40000]...)
	for name, c := range map[string]struct {
		head []byte
		vals []uint64
	}{
		"empty":     {nil, nil},
		"head only": {[]byte{1, 2, 3}, nil},
		"one":       {[]byte{7}, []uint64{42}},
		"same":      {[]byte{4, 0, 0, 0, 3, 9}, same},
		"distinct":  {nil, distinct},
		"random":    {[]byte{5}, random},
		"mixed":     {[]byte{1, 2}, mixed},
	} {
		src := wordPage(c.head, c.vals)
		frame := z.appendFrame(nil, src, len(c.head))
		if got, err := decodeZstd(frame); err != nil || !bytes.Equal(got, src) {
			t.Errorf("%s: round trip gave %d bytes of %d, not the same (%v)", name, len(got), len(src), err)
		}
		if name == "same" && len(frame) > len(src)/100 {
			t.Errorf("same: %d bytes compressed to %d; a repeated value should take far less", len(src), len(frame))
		}
	}
}

// TestWordZstdSize holds the encoder to the size the general encoder
// reaches on shares of the votes (within 3%), so that its speed does not
// cost file size.
func TestWordZstdSize(t *testing.T) {
	page := sharePage(32768, 1)
	var z wordZstd
	own := len(z.appendFrame(nil, page, 0))
	general, err := newZstd(1, true)
	if err != nil {
		t.Fatal(err)
	}
	ref := len(general.EncodeAll(page, nil))
	t.Logf("shares page of %d bytes: %d by wordZstd, %d by the general encoder", len(page), own, ref)
	if float64(own) > 1.03*float64(ref) {
		t.Errorf("wordZstd wrote %d bytes where the general encoder wrote %d", own, ref)
	}
}

// sharePage returns n shares of the votes of units of twelve options, as
// a polling-station table gives them.
func sharePage(n int, seed uint64) []byte {
	x := seed*0x9E3779B97F4A7C15 | 1
	rnd := func(k uint64) uint64 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return x % k
	}
	var vals []uint64
	weights := []uint64{700, 110, 90, 25, 20, 15, 12, 10, 8, 5, 3, 2}
	for len(vals) < n {
		valid := 50 + rnd(3000)
		votes := make([]uint64, len(weights))
		left := valid
		for i, w := range weights {
			v := min(left, valid*w/1000+rnd(valid*w/2000+2))
			votes[i] = v
			left -= v
		}
		for _, v := range votes {
			vals = append(vals, math.Float64bits(float64(v)*100/float64(valid)))
		}
	}
	return wordPage(nil, vals[:n])
}

func BenchmarkWordZstd(b *testing.B) {
	page := sharePage(32768, 1)
	b.Run("word", func(b *testing.B) {
		var z wordZstd
		var out []byte
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			out = z.appendFrame(out[:0], page, 0)
		}
	})
	b.Run("general", func(b *testing.B) {
		z, err := newZstd(1, true)
		if err != nil {
			b.Fatal(err)
		}
		var out []byte
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			out = z.EncodeAll(page, out[:0])
		}
	})
}

// FuzzWordZstd holds any page to decoding back to itself: the first byte
// says how many of the rest are the head.
func FuzzWordZstd(f *testing.F) {
	f.Add([]byte{0})
	f.Add(append([]byte{3, 1, 2, 3}, wordPage(nil, []uint64{1, 2, 1, 2, 1, 2, 3, 1 << 52, 1<<52 | 1<<60})...))
	f.Add(append([]byte{0}, sharePage(3000, 2)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 {
			return
		}
		head := min(int(b[0])%32, len(b)-1)
		src := b[1:]
		src = src[:head+(len(src)-head)/8*8]
		var z wordZstd
		frame := z.appendFrame(nil, src, head)
		if got, err := decodeZstd(frame); err != nil || !bytes.Equal(got, src) {
			t.Fatalf("round trip of %d bytes (head %d) gave %d bytes, not the same (%v)", len(src), head, len(got), err)
		}
	})
}
