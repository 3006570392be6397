package electoral

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// contest is a random contest: lists (some with no votes, some in
// alliances, some with electorates), a few non-list rows, and options.
type contest struct {
	entries []Entry
	opt     Options
}

func (c contest) String() string { return fmt.Sprintf("%+v %+v", c.entries, c.opt) }

// genContest draws contests. Votes come from small ranges often enough to
// make ties common; methods are drawn from ms.
func genContest(ms []Method, withAlliances bool) *rapid.Generator[contest] {
	return rapid.Custom(func(t *rapid.T) contest {
		n := rapid.IntRange(1, 8).Draw(t, "lists")
		scale := rapid.SampledFrom([]int64{6, 100, 100000, 10000000}).Draw(t, "scale")
		var c contest
		for i := 0; i < n; i++ {
			e := Entry{Name: fmt.Sprintf("L%d", i), Votes: rapid.Int64Range(0, scale).Draw(t, "votes")}
			if withAlliances && rapid.IntRange(0, 3).Draw(t, "allied") == 0 {
				e.Alliance = rapid.SampledFrom([]string{"x", "y"}).Draw(t, "alliance")
			}
			c.entries = append(c.entries, e)
		}
		invalidRow := rapid.Bool().Draw(t, "invalid row")
		c.opt.Seats = rapid.IntRange(1, 40).Draw(t, "seats")
		c.opt.Reserved = rapid.IntRange(0, c.opt.Seats-1).Draw(t, "reserved") / 4
		c.opt.Method = rapid.SampledFrom(ms).Draw(t, "method")
		if c.opt.Method == Droop {
			c.opt.DroopVariant = rapid.SampledFrom([]DroopVariant{DroopFloorPlusOne, DroopExactPlusOne, DroopCeil}).Draw(t, "droop")
		}
		if c.opt.Method == ModifiedSainteLague && rapid.Bool().Draw(t, "first divisor") {
			c.opt.FirstDivisor = big.NewRat(int64(rapid.IntRange(1, 29).Draw(t, "fd tenths")), 10)
		}
		if rapid.Bool().Draw(t, "threshold") {
			c.opt.Threshold = big.NewRat(int64(rapid.IntRange(0, 20).Draw(t, "pct")), 100)
			if rapid.Bool().Draw(t, "cast") {
				c.opt.ThresholdBase = BaseCast
				invalidRow = true
				c.opt.BallotsCast = rapid.Int64Range(0, 2*scale).Draw(t, "extra cast")
				if c.opt.BallotsCast > 0 {
					for _, e := range c.entries {
						c.opt.BallotsCast += e.Votes
					}
				}
			}
			c.opt.MinQualified = rapid.IntRange(0, 3).Draw(t, "min qualified")
		}
		if invalidRow {
			inv := Entry{Name: "invalid", Kind: KindInvalid, Votes: rapid.Int64Range(0, scale).Draw(t, "invalid")}
			c.entries = append(c.entries, inv)
			if c.opt.BallotsCast > 0 {
				c.opt.BallotsCast += inv.Votes
			}
		}
		c.opt.TieBreak = TieLot
		c.opt.Seed = rapid.Int64().Draw(t, "seed")
		return c
	})
}

func allocateOrNoVotes(t *rapid.T, c contest) *Result {
	r, err := Allocate(c.entries, c.opt)
	if errors.Is(err, ErrNoVotes) {
		// Only right when no list that passes has a vote.
		for _, e := range c.entries {
			if e.Kind == KindList && e.Votes > 0 && c.opt.Threshold == nil {
				t.Fatalf("ErrNoVotes although %s has %d votes and there is no threshold", e.Name, e.Votes)
			}
			if e.Kind == KindList && e.Votes > 0 && c.opt.MinQualified > 0 {
				t.Fatalf("ErrNoVotes although %s has %d votes and min qualified is %d", e.Name, e.Votes, c.opt.MinQualified)
			}
		}
		return nil
	}
	if err != nil {
		t.Fatalf("Allocate: %v", err)
	}
	return r
}

func TestPropSeatsSumToHouse(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genContest(Methods(), true).Draw(t, "contest")
		r := allocateOrNoVotes(t, c)
		if r == nil {
			return
		}
		sum := 0
		for _, p := range r.Parties {
			sum += p.Seats
			if p.Kind != KindList && p.Seats != 0 {
				t.Fatalf("non-list %s has %d seats", p.Name, p.Seats)
			}
		}
		if want := c.opt.Seats - c.opt.Reserved; sum != want || r.House != want {
			t.Fatalf("seats add to %d, house %d, want %d", sum, r.House, want)
		}
		awarded := len(r.Trace.Allocation.Awards)
		if awarded != c.opt.Seats-c.opt.Reserved {
			t.Fatalf("trace awards %d seats, want %d", awarded, c.opt.Seats-c.opt.Reserved)
		}
	})
}

func TestPropNobodyBelowThresholdWins(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genContest(Methods(), true).Draw(t, "contest")
		if c.opt.Threshold == nil {
			c.opt.Threshold = big.NewRat(int64(rapid.IntRange(1, 30).Draw(t, "pct")), 100)
		}
		r := allocateOrNoVotes(t, c)
		if r == nil {
			return
		}
		base := r.Trace.Threshold.BaseVotes
		min := new(big.Rat).Mul(c.opt.Threshold, big.NewRat(base, 1))
		passed := 0
		for _, p := range r.Parties {
			if p.Kind == KindList && p.Votes > 0 && passes(p.Votes, min, false) {
				passed++
			}
		}
		for _, p := range r.Parties {
			below := !passes(p.Votes, min, false)
			if below && p.Seats > 0 && p.Reason != "min-qualified" {
				t.Fatalf("%s has %d votes, below %s of %d, and %d seats (%s)", p.Name, p.Votes, min.FloatString(2), base, p.Seats, p.Reason)
			}
			if p.Reason == "min-qualified" && passed >= c.opt.MinQualified {
				t.Fatalf("%s admitted as min-qualified with %d lists passing and min %d", p.Name, passed, c.opt.MinQualified)
			}
			if !p.Eligible && p.Seats > 0 {
				t.Fatalf("%s is not eligible but has %d seats", p.Name, p.Seats)
			}
		}
	})
}

// Under Hare every qualifying list gets its exact quota of seats rounded
// down or up, never further off.
func TestPropHareWithinQuota(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genContest([]Method{Hare}, false).Draw(t, "contest")
		r := allocateOrNoVotes(t, c)
		if r == nil {
			return
		}
		var v int64
		for _, p := range r.Parties {
			if p.Eligible {
				v += p.Votes
			}
		}
		s := int64(r.House)
		for _, p := range r.Parties {
			if !p.Eligible {
				continue
			}
			lo := p.Votes * s / v
			hi := lo
			if p.Votes*s%v != 0 {
				hi++
			}
			if int64(p.Seats) < lo || int64(p.Seats) > hi {
				t.Fatalf("%s: %d seats outside its quota %d/%d = [%d, %d]", p.Name, p.Seats, p.Votes*s, v, lo, hi)
			}
		}
	})
}

var divisorMethods = []Method{DHondt, SainteLague, ModifiedSainteLague, Danish, Imperiali, HuntingtonHill, Adams}

// A divisor method never takes a seat from a list when the house grows.
func TestPropDivisorHouseMonotone(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genContest(divisorMethods, true).Draw(t, "contest")
		c.opt.Reserved = 0
		c.opt.TieBreak = rapid.SampledFrom([]TieBreak{TieOrder, TieLot, TieMostVotes}).Draw(t, "tie rule")
		small := allocateOrNoVotes(t, c)
		if small == nil {
			return
		}
		c.opt.Seats++
		big := allocateOrNoVotes(t, c)
		for i := range small.Parties {
			if big.Parties[i].Seats < small.Parties[i].Seats {
				t.Fatalf("%s: %d seats of %d, but %d of %d", small.Parties[i].Name, small.Parties[i].Seats, c.opt.Seats-1, big.Parties[i].Seats, c.opt.Seats)
			}
		}
	})
}

// A divisor allocation is right when every seat given had a quotient at
// least as high as any quotient left unserved. The check uses only the
// final seats, not the allocation's own steps.
func TestPropDivisorCertificate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genContest(divisorMethods, false).Draw(t, "contest")
		r := allocateOrNoVotes(t, c)
		if r == nil {
			return
		}
		var lastIn, firstOut *priority
		for _, p := range r.Parties {
			if !p.Eligible || p.Votes == 0 {
				continue
			}
			out := newPriority(c.opt.Method, c.opt.FirstDivisor, p.Votes, p.Seats)
			if firstOut == nil || out.cmp(*firstOut) > 0 {
				firstOut = &out
			}
			if p.Seats > 0 {
				in := newPriority(c.opt.Method, c.opt.FirstDivisor, p.Votes, p.Seats-1)
				if lastIn == nil || in.cmp(*lastIn) < 0 {
					lastIn = &in
				}
			}
		}
		if lastIn != nil && firstOut != nil && lastIn.cmp(*firstOut) < 0 {
			t.Fatalf("a seat went for a quotient below one left unserved")
		}
		if lastIn != nil && firstOut != nil && lastIn.cmp(*firstOut) == 0 && len(r.Ties) == 0 {
			t.Fatalf("the last seat and the first left out have equal quotients, but no tie was reported")
		}
	})
}

// Permuting the rows changes nothing but the tie report: with a draw by
// lot the seats are the same by name; under the error rule both orders
// meet the same tie or none.
func TestPropPermutationInvariant(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genContest(Methods(), true).Draw(t, "contest")
		perm := rapid.Permutation(c.entries).Draw(t, "permutation")
		p := contest{entries: perm, opt: c.opt}
		for _, rule := range []TieBreak{TieLot, TieError} {
			c.opt.TieBreak, p.opt.TieBreak = rule, rule
			r1, err1 := Allocate(c.entries, c.opt)
			r2, err2 := Allocate(p.entries, p.opt)
			if (err1 == nil) != (err2 == nil) || (err1 != nil && !errors.Is(err2, errors.Unwrap(err1))) {
				t.Fatalf("%s: errors differ: %v / %v", rule, err1, err2)
			}
			var te1, te2 *UnresolvedTieError
			if errors.As(err1, &te1) && errors.As(err2, &te2) {
				if !sameSet(te1.Tie.Between, te2.Tie.Between) || te1.Tie.Value != te2.Tie.Value {
					t.Fatalf("ties differ: %v / %v", te1, te2)
				}
			}
			if err1 != nil {
				continue
			}
			seats := map[string]int{}
			for _, q := range r1.Parties {
				seats[q.Name] = q.Seats
			}
			for _, q := range r2.Parties {
				if seats[q.Name] != q.Seats {
					t.Fatalf("%s: %s has %d seats, %d after permuting", rule, q.Name, seats[q.Name], q.Seats)
				}
			}
			if len(r1.Ties) != len(r2.Ties) {
				t.Fatalf("%s: %d ties, %d after permuting", rule, len(r1.Ties), len(r2.Ties))
			}
		}
	})
}

// sameSet compares the tied by their lists, whatever the order of the
// lists and of the members in a pooled alliance ("L6 + L7").
func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		for _, l := range strings.Split(s, " + ") {
			m[l]++
		}
	}
	for _, s := range b {
		for _, l := range strings.Split(s, " + ") {
			m[l]--
		}
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

// Under MMP the seats add to the house with its overhang, and every list
// that qualified holds the larger of its entitlement and its electorates.
func TestPropMMP(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genContest([]Method{SainteLague, ModifiedSainteLague, DHondt, Hare}, false).Draw(t, "contest")
		c.opt.MMP = true
		c.opt.ElectorateThreshold = rapid.IntRange(0, 2).Draw(t, "electorate threshold")
		budget := c.opt.Seats - c.opt.Reserved
		for i := range c.entries {
			if c.entries[i].Kind == KindList && budget > 0 {
				e := rapid.IntRange(0, min(budget, 3)).Draw(t, "electorates")
				c.entries[i].Electorates = e
				budget -= e
			}
		}
		r, err := Allocate(c.entries, c.opt)
		if errors.Is(err, ErrNoVotes) || errors.Is(err, ErrBadOptions) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		sum, over := 0, 0
		for _, p := range r.Parties {
			sum += p.Seats
			over += p.Overhang
			if p.Eligible && p.Seats != max(p.Entitlement, p.Electorates) {
				t.Fatalf("%s: %d seats, entitlement %d, electorates %d", p.Name, p.Seats, p.Entitlement, p.Electorates)
			}
			if !p.Eligible && p.Seats != p.Electorates {
				t.Fatalf("%s did not qualify: %d seats, %d electorates", p.Name, p.Seats, p.Electorates)
			}
		}
		if sum != r.House || r.House != c.opt.Seats-c.opt.Reserved+over {
			t.Fatalf("seats %d, house %d, want %d + %d overhang", sum, r.House, c.opt.Seats-c.opt.Reserved, over)
		}
	})
}
