package electoral

import (
	"fmt"
	"testing"
)

// BenchmarkAllocate times the largest allocations tally meets in practice
// (a 600-seat house among 30 lists) for one method of each family.
func BenchmarkAllocate(b *testing.B) {
	es := make([]Entry, 30)
	for i := range es {
		es[i] = Entry{Name: fmt.Sprintf("list %d", i), Votes: int64(1_000_003 * (i + 1) % 9_999_991)}
	}
	for _, m := range []Method{Hare, DHondt, ModifiedSainteLague, HuntingtonHill} {
		for _, seats := range []int{100, 600} {
			b.Run(fmt.Sprintf("%s/seats=%d", m, seats), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Allocate(es, Options{Seats: seats, Method: m, TieBreak: TieOrder}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
