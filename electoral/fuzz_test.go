package electoral

import (
	"math/big"
	"strings"
	"testing"
)

// FuzzParseThreshold: ParseThreshold never panics; what it accepts lies in
// [0, 1], and a percent written back as a fraction reads the same.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"7", "3.25", "5%", "1/150", "0", "100", "-1", "1/0", "1e2", " 7 ", "", "abc", "2/3", "0.0001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseThreshold(s)
		if err != nil {
			return
		}
		if r.Sign() < 0 || r.Cmp(big.NewRat(1, 1)) > 0 {
			t.Fatalf("ParseThreshold(%q) = %s, outside [0, 1]", s, r)
		}
		back, err := ParseThreshold(r.String())
		if err != nil || back.Cmp(r) != 0 {
			t.Fatalf("ParseThreshold(%q) = %s, but %s reads back as %v, %v", s, r, r.String(), back, err)
		}
	})
}

// FuzzAllocate: Allocate never panics on any votes and seats, and when it
// succeeds the seats add up to the house.
func FuzzAllocate(f *testing.F) {
	f.Add("100,80,30,20", 8, uint8(5), uint8(0), int64(0))
	f.Add("5,5,5", 2, uint8(1), uint8(7), int64(3))
	f.Add("0,0,1", 3, uint8(10), uint8(3), int64(1))
	f.Fuzz(func(t *testing.T, votes string, seats int, method, pct uint8, seed int64) {
		var es []Entry
		for i, v := range strings.Split(votes, ",") {
			n, ok := new(big.Int).SetString(strings.TrimSpace(v), 10)
			if !ok || !n.IsInt64() || i > 20 {
				return
			}
			es = append(es, Entry{Name: string(rune('A' + i)), Votes: n.Int64()})
		}
		seats %= 200
		opt := Options{Seats: seats, Method: Method(int(method) % int(methodEnd+1)), TieBreak: TieLot, Seed: seed,
			Threshold: big.NewRat(int64(pct%101), 100)}
		r, err := Allocate(es, opt)
		if err != nil {
			return
		}
		sum := 0
		for _, p := range r.Parties {
			sum += p.Seats
		}
		if sum != seats || r.House != seats {
			t.Fatalf("seats add to %d, house %d, want %d", sum, r.House, seats)
		}
	})
}
