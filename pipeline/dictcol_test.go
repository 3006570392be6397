package pipeline

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// A dictionary column gives back every value it was given, over batches:
// the same string again, equal strings at other addresses, strings
// sharing an address but not a length, empty strings with and without
// an address, and nulls between them. A value added twice in a row takes
// the same index, and so adds no entry.
func TestDictColValues(t *testing.T) {
	base := "abcdefgh"
	other := strings.Clone(base)
	pool := []string{base, base[:3], base[:4], base[3:], other, other[:3], "", base[:0], "x", strings.Repeat("y", 40)}
	for i := range 100 {
		pool = append(pool, strings.Repeat("z", i%7+1)+string(rune('a'+i%26)))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	d := newDictCol(memory.NewGoAllocator())
	for batch := range 4 {
		var want []string
		var null []bool
		for range 3000 {
			switch r := rng.IntN(10); {
			case r == 0:
				d.null()
				want, null = append(want, ""), append(null, true)
			case r < 4 && len(want) > 0 && !null[len(null)-1]:
				s := want[len(want)-1] // the same string again
				d.add(s)
				want, null = append(want, s), append(null, false)
			default:
				s := pool[rng.IntN(len(pool))]
				d.add(s)
				want, null = append(want, s), append(null, false)
			}
		}
		again := 0
		a := d.flush().(*array.Dictionary)
		vals := a.Dictionary().(*array.String)
		if a.Len() != len(want) {
			t.Fatalf("batch %d: %d rows, want %d", batch, a.Len(), len(want))
		}
		for i := range want {
			if a.IsNull(i) != null[i] {
				t.Fatalf("batch %d row %d: null %v, want %v", batch, i, a.IsNull(i), null[i])
			}
			if null[i] {
				continue
			}
			if got := vals.Value(a.GetValueIndex(i)); got != want[i] {
				t.Fatalf("batch %d row %d: %q, want %q", batch, i, got, want[i])
			}
			if i > 0 && !null[i-1] && want[i] != "" && want[i] == want[i-1] &&
				unsafe.StringData(want[i]) == unsafe.StringData(want[i-1]) {
				again++
				if a.GetValueIndex(i) != a.GetValueIndex(i-1) {
					t.Fatalf("batch %d row %d: %q again took a new index", batch, i, want[i])
				}
			}
		}
		a.Release()
		if again < 100 {
			t.Fatalf("batch %d: %d values repeated, too few to test", batch, again)
		}
	}
}
