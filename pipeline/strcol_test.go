package pipeline

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// A plain string column gives the values, nulls and empty values it was
// given, batch after batch, whether a batch is larger or smaller than the
// last, with values long enough to grow its buffers mid-batch; and every
// buffer it takes goes back to the allocator.
func TestStrColBatches(t *testing.T) {
	mem := memory.NewCheckedAllocator(poisonPool{newBufPool()})
	c := &strCol{mem: mem}
	for batch, rows := range []int{1, 300, 5, 2000, 2000, 0, 70} {
		var want []string
		var null []bool
		for i := range rows {
			switch {
			case i%7 == 3 && batch%2 == 1:
				c.null()
				want, null = append(want, ""), append(null, true)
			case i%5 == 0:
				c.add("")
				want, null = append(want, ""), append(null, false)
			default:
				s := fmt.Sprintf("b%d-r%d", batch, i)
				if i%97 == 1 {
					s = strings.Repeat(s, 200)
				}
				c.add(s)
				want, null = append(want, s), append(null, false)
			}
		}
		a := c.flush().(*array.String)
		if a.Len() != rows {
			t.Fatalf("batch %d: %d rows, want %d", batch, a.Len(), rows)
		}
		nulls := 0
		for i := range rows {
			if a.IsNull(i) != null[i] {
				t.Fatalf("batch %d row %d: null %v, want %v", batch, i, a.IsNull(i), null[i])
			}
			if null[i] {
				nulls++
			}
			if a.Value(i) != want[i] {
				t.Fatalf("batch %d row %d: %q, want %q", batch, i, a.Value(i), want[i])
			}
		}
		if a.NullN() != nulls {
			t.Fatalf("batch %d: %d nulls, want %d", batch, a.NullN(), nulls)
		}
		a.Release()
	}
	c.add("left over")
	c.release()
	mem.AssertSize(t, 0)
}
