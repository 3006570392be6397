package electoral

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func seatsOf(r *Result) []int {
	s := make([]int, len(r.Parties))
	for i, p := range r.Parties {
		s[i] = p.Seats
	}
	return s
}

// textbook is four lists, 8 seats: 100000, 80000, 30000, 20000 votes.
var textbook = []Entry{
	{Name: "A", Votes: 100000},
	{Name: "B", Votes: 80000},
	{Name: "C", Votes: 30000},
	{Name: "D", Votes: 20000},
}

// The expected seats below were worked out by hand from the quotients and
// quotas (see the comments); they are not the code's output pasted back.
func TestMethodsTextbook(t *testing.T) {
	cases := []struct {
		method Method
		want   []int
		ties   int
		why    string
	}{
		{DHondt, []int{4, 3, 1, 0}, 0, "100k 80k 50k 40k 33.3k 30k 26.7k 25k"},
		{SainteLague, []int{3, 3, 1, 1}, 0, "100k 80k 33.3k 30k 26.7k 20k(A) 20k(D) 16k"},
		// A's fourth quotient 100000/7 equals D's first 20000/1.4 exactly.
		{ModifiedSainteLague, []int{4, 3, 1, 0}, 1, "71.4k 57.1k 33.3k 26.7k 21.4k 20k 16k, then A/7 = D/1.4 tie; A by order"},
		{Danish, []int{3, 3, 1, 1}, 0, "100k 80k 30k 25k 20k(B) 20k(D) 14.3k 11.4k"},
		{Imperiali, []int{5, 3, 0, 0}, 0, "50k 40k 33.3k 26.7k 25k 20k(A) 20k(B) 16.7k"},
		{HuntingtonHill, []int{3, 3, 1, 1}, 0, "one each, then 70.7k 56.6k 40.8k 32.7k"},
		{Adams, []int{3, 3, 1, 1}, 0, "one each, then 100k 80k 50k 40k"},
		{Hare, []int{3, 3, 1, 1}, 0, "q=28750: 3,2,1,0 whole; remainders B .783, D .696"},
		{Droop, []int{4, 3, 1, 0}, 0, "q=25556: 3,3,1,0 whole; remainder A 23332"},
		{HagenbachBischoff, []int{4, 3, 1, 0}, 0, "q=25555.6: 3,3,1,0 whole; remainder A 23333.3"},
		{ImperialiQuota, []int{4, 3, 1, 0}, 0, "q=23000: 4,3,1,0 whole, all 8 seats"},
	}
	for _, tc := range cases {
		t.Run(tc.method.String(), func(t *testing.T) {
			r, err := Allocate(textbook, Options{Seats: 8, Method: tc.method, TieBreak: TieOrder})
			if err != nil {
				t.Fatal(err)
			}
			if got := seatsOf(r); !slicesEqual(got, tc.want) {
				t.Errorf("seats = %v, want %v (%s)", got, tc.want, tc.why)
			}
			if len(r.Ties) != tc.ties {
				t.Errorf("ties = %v, want %d", r.Ties, tc.ties)
			}
			if len(r.Trace.Allocation.Awards) != 8 {
				t.Errorf("trace has %d awards, want 8", len(r.Trace.Allocation.Awards))
			}
		})
	}
}

func slicesEqual(a, b []int) bool {
	return cmp.Equal(a, b)
}

func TestQuotaFormulas(t *testing.T) {
	cases := []struct {
		m       Method
		v       DroopVariant
		votes   int64
		seats   int
		want    string
		formula string
	}{
		{Hare, 0, 1000, 7, "1000/7", "1000/7"},
		{Droop, DroopFloorPlusOne, 1000, 7, "126", "floor(1000/(7+1))+1"},
		{Droop, DroopFloorPlusOne, 1000, 9, "101", "floor(1000/(9+1))+1"},
		{Droop, DroopExactPlusOne, 1000, 7, "126", "1000/(7+1)+1"},
		{Droop, DroopExactPlusOne, 1001, 7, "1009/8", "1001/(7+1)+1"},
		{Droop, DroopCeil, 1000, 7, "125", "ceil(1000/(7+1))"},
		{Droop, DroopCeil, 1001, 7, "126", "ceil(1001/(7+1))"},
		{HagenbachBischoff, 0, 1000, 7, "125", "1000/(7+1)"},
		{ImperialiQuota, 0, 1000, 7, "1000/9", "1000/(7+2)"},
	}
	for _, tc := range cases {
		q, f := quotaFor(tc.m, tc.v, tc.votes, tc.seats, quotaExtra(tc.m))
		if ratString(q) != tc.want || f != tc.formula {
			t.Errorf("%s %s quota(%d, %d) = %s %q, want %s %q", tc.m, tc.v, tc.votes, tc.seats, ratString(q), f, tc.want, tc.formula)
		}
	}
}

func TestDroopVariantsDecide(t *testing.T) {
	cases := []struct {
		votes []int64
		seats int
		v     DroopVariant
		want  []int
		why   string
	}{
		// 21 votes, 6 seats: floor(21/7)+1 = 4 and 21/7+1 = 4, ceil(21/7) = 3.
		{[]int64{10, 9, 2}, 6, DroopFloorPlusOne, []int{3, 2, 1}, "q=4: whole 2,2,0; remainders 2,1,2 -> A, C"},
		{[]int64{10, 9, 2}, 6, DroopExactPlusOne, []int{3, 2, 1}, "q=4 as above"},
		{[]int64{10, 9, 2}, 6, DroopCeil, []int{3, 3, 0}, "q=3: whole 3,3,0 fill the 6 seats"},
		// 18 votes, 4 seats: floor(18/5)+1 = 4, 18/5+1 = 23/5, ceil(18/5) = 4.
		{[]int64{11, 5, 2}, 4, DroopFloorPlusOne, []int{3, 1, 0}, "q=4: whole 2,1,0; remainders 3,1,2 -> A"},
		{[]int64{11, 5, 2}, 4, DroopExactPlusOne, []int{2, 1, 1}, "q=4.6: whole 2,1,0; remainders 1.8,0.4,2 -> C"},
		{[]int64{11, 5, 2}, 4, DroopCeil, []int{3, 1, 0}, "q=4 as floor+1"},
	}
	for _, tc := range cases {
		es := []Entry{{Name: "A", Votes: tc.votes[0]}, {Name: "B", Votes: tc.votes[1]}, {Name: "C", Votes: tc.votes[2]}}
		r, err := Allocate(es, Options{Seats: tc.seats, Method: Droop, DroopVariant: tc.v})
		if err != nil {
			t.Fatal(err)
		}
		if got := seatsOf(r); !slicesEqual(got, tc.want) {
			t.Errorf("%v %d seats %s: seats = %v, want %v (%s)", tc.votes, tc.seats, tc.v, got, tc.want, tc.why)
		}
		if r.Trace.DroopVariant != tc.v.String() {
			t.Errorf("trace droop variant %q, want %q", r.Trace.DroopVariant, tc.v)
		}
	}
}

func TestRemainderTie(t *testing.T) {
	// Hare, 3 seats, 60/30/30... q=40: A 1 rem 20, B 0 rem 30, C 0 rem 30,
	// 2 left: B and C both fit, no tie. 2 seats: q=60: A 1 rem 0, B and C
	// rem 30 tie for the one seat left.
	es := []Entry{{Name: "A", Votes: 60}, {Name: "B", Votes: 30}, {Name: "C", Votes: 30}}
	r, err := Allocate(es, Options{Seats: 3, Method: Hare})
	if err != nil || len(r.Ties) != 0 || !slicesEqual(seatsOf(r), []int{1, 1, 1}) {
		t.Fatalf("3 seats: %v, %v", r, err)
	}
	_, err = Allocate(es, Options{Seats: 2, Method: Hare})
	var te *UnresolvedTieError
	if !errors.As(err, &te) || !errors.Is(err, ErrTie) {
		t.Fatalf("2 seats: err = %v, want a tie", err)
	}
	if !cmp.Equal(te.Tie.Between, []string{"B", "C"}) || te.Tie.Seat != 2 || te.Tie.By != "remainder" || te.Tie.Value.Exact != "30" {
		t.Errorf("tie = %+v", te.Tie)
	}
}

func TestOverAllocationRetry(t *testing.T) {
	// Imperiali quota, two equal lists, 4 seats: q = 200/6, each has 3 whole
	// quotas (6 > 4); with divisor 5, q = 40, each has 2.5 -> 2 whole: 4.
	es := []Entry{{Name: "A", Votes: 100}, {Name: "B", Votes: 100}}
	r, err := Allocate(es, Options{Seats: 4, Method: ImperialiQuota})
	if err != nil {
		t.Fatal(err)
	}
	if got := seatsOf(r); !slicesEqual(got, []int{2, 2}) {
		t.Errorf("seats = %v, want [2 2]", got)
	}
	st := r.Trace.Allocation
	if len(st.QuotaRetries) != 1 || st.QuotaFormula != "200/(4+1)" || st.Quota.Exact != "40" {
		t.Errorf("retries %q, formula %q, quota %v", st.QuotaRetries, st.QuotaFormula, st.Quota)
	}
}

func TestThresholds(t *testing.T) {
	es := []Entry{
		{Name: "A", Votes: 600},
		{Name: "B", Votes: 300},
		{Name: "C", Votes: 50}, // 5% of valid 1000 exactly
		{Name: "D", Votes: 50},
		{Name: "spoilt", Votes: 100, Kind: KindInvalid},
	}
	five, _ := ParseThreshold("5")
	cases := []struct {
		name string
		opt  Options
		want []bool
	}{
		{"at least 5% of valid", Options{Threshold: five}, []bool{true, true, true, true, false}},
		{"more than 5% of valid", Options{Threshold: five, ThresholdStrict: true}, []bool{true, true, false, false, false}},
		// 5% of 1100 cast = 55
		{"5% of cast from rows", Options{Threshold: five, ThresholdBase: BaseCast}, []bool{true, true, false, false, false}},
		// 5% of 900 given valid = 45
		{"5% of valid given", Options{Threshold: five, ValidVotes: 1000}, []bool{true, true, true, true, false}},
		// 5% of 2000 cast given = 100
		{"5% of cast given", Options{Threshold: five, ThresholdBase: BaseCast, BallotsCast: 2000}, []bool{true, true, false, false, false}},
		// one quota of 10 seats: 1/10 of 1000 = 100
		{"one quota", Options{Threshold: big.NewRat(1, 10)}, []bool{true, true, false, false, false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.opt.Seats, tc.opt.Method = 10, DHondt
			r, err := Allocate(es, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range r.Parties {
				if p.Eligible != tc.want[i] {
					t.Errorf("%s eligible = %v (%s), want %v", p.Name, p.Eligible, p.Reason, tc.want[i])
				}
				if !p.Eligible && p.Seats != 0 {
					t.Errorf("%s is not eligible but has %d seats", p.Name, p.Seats)
				}
			}
		})
	}
}

func TestThresholdCastNeedsBallots(t *testing.T) {
	five, _ := ParseThreshold("5")
	_, err := Allocate(textbook, Options{Seats: 8, Method: DHondt, Threshold: five, ThresholdBase: BaseCast})
	if !errors.Is(err, ErrBadOptions) || !strings.Contains(err.Error(), "ballots cast") {
		t.Errorf("err = %v, want ErrBadOptions about ballots cast", err)
	}
}

func TestMinQualified(t *testing.T) {
	es := []Entry{{Name: "Big", Votes: 900}, {Name: "Second", Votes: 60}, {Name: "Third", Votes: 40}}
	seven, _ := ParseThreshold("7")
	r, err := Allocate(es, Options{Seats: 10, Method: Hare, Threshold: seven, MinQualified: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Big and Second share 10 seats: q = 96, 9.375 -> 9 rem 36; 0.625 -> 0 rem 60.
	if got := seatsOf(r); !slicesEqual(got, []int{9, 1, 0}) {
		t.Errorf("seats = %v, want [9 1 0]", got)
	}
	if r.Parties[1].Reason != "min-qualified" || r.Parties[2].Reason != "below threshold" {
		t.Errorf("reasons %q %q", r.Parties[1].Reason, r.Parties[2].Reason)
	}

	// A tie for the runner-up place.
	es[2].Votes = 60
	_, err = Allocate(es, Options{Seats: 10, Method: Hare, Threshold: seven, MinQualified: 2})
	var te *UnresolvedTieError
	if !errors.As(err, &te) || te.Tie.Stage != "qualification" || !cmp.Equal(te.Tie.Between, []string{"Second", "Third"}) {
		t.Fatalf("err = %v, want a qualification tie", err)
	}
	r, err = Allocate(es, Options{Seats: 10, Method: Hare, Threshold: seven, MinQualified: 2, TieBreak: TieOrder})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Parties[1].Eligible || r.Parties[2].Eligible || len(r.Ties) != 1 || !cmp.Equal(r.Ties[0].Winners, []string{"Second"}) {
		t.Errorf("order: eligible %v %v, ties %+v", r.Parties[1].Eligible, r.Parties[2].Eligible, r.Ties)
	}
}

func TestTieRules(t *testing.T) {
	es := []Entry{{Name: "Zed", Votes: 100}, {Name: "Amy", Votes: 100}, {Name: "Bob", Votes: 50}}
	// D'Hondt, 2 seats: Zed and Amy take 100 each. 3 seats: 50 (Zed), 50
	// (Amy) and 50 (Bob) tie for seat 3.
	r, err := Allocate(es, Options{Seats: 2, Method: DHondt})
	if err != nil || len(r.Ties) != 0 || !slicesEqual(seatsOf(r), []int{1, 1, 0}) {
		t.Fatalf("2 seats: %v %v (equal quotients that all fit are no tie)", r, err)
	}
	_, err = Allocate(es, Options{Seats: 3, Method: DHondt})
	if !errors.Is(err, ErrTie) {
		t.Fatalf("error rule: err = %v, want ErrTie", err)
	}
	if !strings.Contains(err.Error(), "seat 3") || !strings.Contains(err.Error(), "Zed, Amy, Bob") {
		t.Errorf("error text %q lacks the seat or the tied", err)
	}

	r, err = Allocate(es, Options{Seats: 3, Method: DHondt, TieBreak: TieOrder})
	if err != nil {
		t.Fatal(err)
	}
	if got := seatsOf(r); !slicesEqual(got, []int{2, 1, 0}) {
		t.Errorf("order: seats = %v, want [2 1 0]", got)
	}
	if len(r.Ties) != 1 || r.Ties[0].Seat != 3 || r.Ties[0].Places != 1 || r.Ties[0].Rule != "order" ||
		!cmp.Equal(r.Ties[0].Winners, []string{"Zed"}) || r.Ties[0].Value.Exact != "50" {
		t.Errorf("order: ties = %+v", r.Ties)
	}
	if a := r.Trace.Allocation.Awards[2]; !a.Tie || a.Name != "Zed" {
		t.Errorf("award 3 = %+v, want Zed after a tie", a)
	}

	// Votes: Zed and Amy hold quotient 50 with 100 votes, Bob with 50.
	es2 := []Entry{{Name: "Bob", Votes: 50}, {Name: "Zed", Votes: 100}, {Name: "Amy", Votes: 100}}
	r, err = Allocate(es2, Options{Seats: 3, Method: DHondt, TieBreak: TieMostVotes})
	if err != nil {
		t.Fatal(err)
	}
	if got := seatsOf(r); !slicesEqual(got, []int{0, 2, 1}) || r.Ties[0].Rule != "votes" || !cmp.Equal(r.Ties[0].Winners, []string{"Zed"}) {
		t.Errorf("votes: seats %v, ties %+v; want Zed (more votes than Bob, before Amy)", got, r.Ties)
	}

	// Lot: reproducible for a seed, and every tied list wins for some seed.
	winners := map[string]bool{}
	for seed := int64(0); seed < 40; seed++ {
		o := Options{Seats: 3, Method: DHondt, TieBreak: TieLot, Seed: seed}
		r1, err := Allocate(es, o)
		if err != nil {
			t.Fatal(err)
		}
		r2, _ := Allocate(es, o)
		if !cmp.Equal(seatsOf(r1), seatsOf(r2)) || !cmp.Equal(r1.Ties, r2.Ties) {
			t.Fatalf("seed %d: two draws differ", seed)
		}
		if len(r1.Ties) != 1 || r1.Ties[0].Rule != "lot" {
			t.Fatalf("seed %d: ties %+v", seed, r1.Ties)
		}
		winners[r1.Ties[0].Winners[0]] = true
	}
	if len(winners) != 3 {
		t.Errorf("lot winners over 40 seeds = %v, want all three", winners)
	}
}

func TestAlliances(t *testing.T) {
	// D'Hondt, 5 seats. Alone: A 100, B 45, C 44, D 40 -> quotients 100 50
	// 45 44 40 -> A 2, B 1, C 1, D 1. With C+D pooled (84): 100 84 50 45 42
	// -> A 2, B 1, C+D 2, split 44 vs 40 by D'Hondt -> C 1, D 1. Pooling B+C
	// (89): 100 89 50 44.5 40 -> A 2, B+C 2, D 1; split 45/44 -> B 1, C 1.
	es := []Entry{{Name: "A", Votes: 100}, {Name: "B", Votes: 45}, {Name: "C", Votes: 44}, {Name: "D", Votes: 40}}
	r, err := Allocate(es, Options{Seats: 5, Method: DHondt})
	if err != nil {
		t.Fatal(err)
	}
	if got := seatsOf(r); !slicesEqual(got, []int{2, 1, 1, 1}) {
		t.Fatalf("alone: %v", got)
	}
	// 4 seats: alone A 2 (100, 50), B 1 (45), C 1 (44). With C+D: 100 84 50 45 -> A 2, CD 1, B 1 -> C 1.
	// With A+B? Use 3 seats: alone 100 50 45 -> A 2 B 1. C+D pooled 84: 100 84 50 -> A 2, C 1.
	es[2].Alliance, es[3].Alliance = "cd", "cd"
	r, err = Allocate(es, Options{Seats: 3, Method: DHondt})
	if err != nil {
		t.Fatal(err)
	}
	if got := seatsOf(r); !slicesEqual(got, []int{2, 0, 1, 0}) {
		t.Errorf("C+D pooled, 3 seats: seats = %v, want [2 0 1 0]", got)
	}
	if len(r.Trace.Alliances) != 1 || r.Trace.Alliances[0].Seats != 1 || r.Trace.Alliances[0].Split == nil {
		t.Errorf("alliance trace = %+v", r.Trace.Alliances)
	}
	if c := r.Trace.Allocation.Contenders[2]; c.Name != "C + D" || c.Votes != 84 || c.Alliance != "cd" {
		t.Errorf("pooled contender = %+v", c)
	}

	// A member below the threshold drops out of the agreement.
	ten, _ := ParseThreshold("10")
	es[3].Votes = 20 // 20 of 209 < 10%
	r, err = Allocate(es, Options{Seats: 3, Method: DHondt, Threshold: ten})
	if err != nil {
		t.Fatal(err)
	}
	if got := seatsOf(r); !slicesEqual(got, []int{2, 1, 0, 0}) {
		t.Errorf("D below threshold: seats = %v, want [2 1 0 0]", got)
	}
}

func TestMMP(t *testing.T) {
	// 10 seats, Sainte-Laguë. Entitlements on 10 seats: A 500 B 300 C 150 D 50:
	// 500 300 166.7 150 100 100 71.4 60 55.6 50(D) 50(C)... D has 2
	// electorates, qualifies by electorate; an independent holds 1.
	es := []Entry{
		{Name: "A", Votes: 500, Electorates: 3},
		{Name: "B", Votes: 300, Electorates: 2},
		{Name: "C", Votes: 150},
		{Name: "D", Votes: 30, Electorates: 2},
		{Name: "Independent", Votes: 0, Electorates: 1},
		{Name: "E", Votes: 20},
	}
	five, _ := ParseThreshold("5")
	r, err := Allocate(es, Options{Seats: 10, Method: SainteLague, Threshold: five, ElectorateThreshold: 1, MMP: true})
	if err != nil {
		t.Fatal(err)
	}
	// Shared: 10 - 1 (independent) = 9 among A 500, B 300, C 150, D 30:
	// 500 300 166.7 150 100 100 71.4 60 55.6 | 50 -> A 5 (500,166.7,100,71.4,55.6),
	// B 3 (300,100,60), C 1 (150), D 0 -> D keeps 2 electorates: overhang 2.
	want := []int{5, 3, 1, 2, 1, 0}
	if got := seatsOf(r); !slicesEqual(got, want) {
		t.Errorf("seats = %v, want %v", got, want)
	}
	if r.Parties[3].Overhang != 2 || r.Parties[3].Entitlement != 0 || r.Parties[3].Reason != "electorates" {
		t.Errorf("D = %+v", r.Parties[3])
	}
	if r.Parties[4].Eligible || r.Parties[4].Overhang != 0 {
		t.Errorf("independent = %+v", r.Parties[4])
	}
	if r.House != 12 || r.Trace.Shared != 9 || r.Trace.KeptElectorates != 1 || r.Trace.Final != 12 {
		t.Errorf("house %d, shared %d, kept %d, final %d; want 12, 9, 1, 12", r.House, r.Trace.Shared, r.Trace.KeptElectorates, r.Trace.Final)
	}
	sum := 0
	for _, s := range seatsOf(r) {
		sum += s
	}
	if sum != r.House {
		t.Errorf("seats add to %d, house is %d", sum, r.House)
	}
}

func TestReserved(t *testing.T) {
	r, err := Allocate(textbook, Options{Seats: 10, Reserved: 2, Method: DHondt})
	if err != nil {
		t.Fatal(err)
	}
	if got := seatsOf(r); !slicesEqual(got, []int{4, 3, 1, 0}) || r.House != 8 {
		t.Errorf("seats = %v, house %d; want the 8-seat D'Hondt result", got, r.House)
	}
}

func TestFirstDivisor(t *testing.T) {
	// Divisors 1.2 vs 1.4 change who takes the last of 3 seats: A 1000,
	// B 370, C 130. With 1.4: 714.3, 333.3(A/3), 264.3(B), 200 (A/5), 92.9
	// -> A 2, B 1. With 1.2 and 4 seats: 833.3, 333.3, 308.3, 200, 108.3.
	es := []Entry{{Name: "A", Votes: 1000}, {Name: "B", Votes: 370}, {Name: "C", Votes: 130}}
	r, err := Allocate(es, Options{Seats: 6, Method: ModifiedSainteLague})
	if err != nil {
		t.Fatal(err)
	}
	// 1.4: 714.3 333.3 264.3 200 142.9 123.3(B/3) 111.1 92.9(C) -> A 4 B 2 C 0
	if got := seatsOf(r); !slicesEqual(got, []int{4, 2, 0}) {
		t.Errorf("1.4: seats = %v, want [4 2 0]", got)
	}
	one, _ := ParseFirstDivisor("1")
	r, err = Allocate(es, Options{Seats: 6, Method: ModifiedSainteLague, FirstDivisor: one})
	if err != nil {
		t.Fatal(err)
	}
	// 1: 1000 370 333.3 200 142.9 130(C) -> A 4 B 1 C 1
	if got := seatsOf(r); !slicesEqual(got, []int{4, 1, 1}) {
		t.Errorf("1.0: seats = %v, want [4 1 1]", got)
	}
	if r.Trace.FirstDivisor.Exact != "1" {
		t.Errorf("trace first divisor %v", r.Trace.FirstDivisor)
	}
}

func TestBadInput(t *testing.T) {
	ok := []Entry{{Name: "A", Votes: 1}}
	cases := []struct {
		name    string
		entries []Entry
		opt     Options
		want    error
		text    string
	}{
		{"no seats", ok, Options{Method: DHondt}, ErrBadOptions, "seats 0"},
		{"too many seats", ok, Options{Seats: MaxSeats + 1, Method: DHondt}, ErrBadOptions, "need 1 to 100000"},
		{"no method", ok, Options{Seats: 1}, ErrUnknownMethod, "Method(0)"},
		{"reserved all", ok, Options{Seats: 2, Reserved: 2, Method: DHondt}, ErrBadOptions, "reserved"},
		{"first divisor elsewhere", ok, Options{Seats: 1, Method: DHondt, FirstDivisor: big.NewRat(7, 5)}, ErrBadOptions, "modified-sainte-lague only"},
		{"first divisor 3", ok, Options{Seats: 1, Method: ModifiedSainteLague, FirstDivisor: big.NewRat(3, 1)}, ErrBadOptions, "between 0 and 3"},
		{"droop variant elsewhere", ok, Options{Seats: 1, Method: Hare, DroopVariant: DroopCeil}, ErrBadOptions, "droop only"},
		{"threshold over 1", ok, Options{Seats: 1, Method: Hare, Threshold: big.NewRat(3, 2)}, ErrBadOptions, "outside"},
		{"negative votes", []Entry{{Name: "A", Votes: -1}}, Options{Seats: 1, Method: Hare}, ErrBadEntry, "negative votes"},
		{"empty name", []Entry{{Name: " ", Votes: 1}}, Options{Seats: 1, Method: Hare}, ErrBadEntry, "no name"},
		{"duplicate", []Entry{{Name: "A"}, {Name: "A"}}, Options{Seats: 1, Method: Hare}, ErrBadEntry, "repeats"},
		{"invalid with alliance", []Entry{{Name: "x", Kind: KindInvalid, Alliance: "a"}}, Options{Seats: 1, Method: Hare}, ErrBadEntry, "cannot have"},
		{"valid below lists", []Entry{{Name: "A", Votes: 10}}, Options{Seats: 1, Method: Hare, ValidVotes: 5}, ErrBadOptions, "fewer"},
		{"cast below entries", []Entry{{Name: "A", Votes: 10}}, Options{Seats: 1, Method: Hare, BallotsCast: 5}, ErrBadOptions, "fewer"},
		{"no votes", []Entry{{Name: "A"}}, Options{Seats: 1, Method: Hare}, ErrNoVotes, "1 seats"},
		{"nobody passes", []Entry{{Name: "A", Votes: 1}, {Name: "B", Votes: 99}}, Options{Seats: 1, Method: Hare, Threshold: big.NewRat(1, 1), ThresholdStrict: true}, ErrNoVotes, ""},
		{"mmp alliances", []Entry{{Name: "A", Votes: 1, Alliance: "x"}}, Options{Seats: 1, Method: Hare, MMP: true}, ErrBadOptions, "MMP"},
		{"overflow", []Entry{{Name: "A", Votes: 1 << 62}, {Name: "B", Votes: 1 << 62}}, Options{Seats: 1, Method: Hare}, ErrBadEntry, "add up"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Allocate(tc.entries, tc.opt)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("Allocate = %v, %v; want %v containing %q", r, err, tc.want, tc.text)
			}
		})
	}
}

func TestParse(t *testing.T) {
	th := []struct {
		in, want string
		err      bool
	}{
		{"7", "7/100", false}, {"3.25", "13/400", false}, {"5%", "1/20", false}, {"1/150", "1/150", false},
		{" 0 ", "0", false}, {"100", "1", false}, {"101", "", true}, {"-1", "", true}, {"2/1", "", true},
		{"", "", true}, {"abc", "", true}, {"1e2", "", true}, {"1/0", "", true},
	}
	for _, tc := range th {
		r, err := ParseThreshold(tc.in)
		if tc.err {
			if !errors.Is(err, ErrBadThreshold) {
				t.Errorf("ParseThreshold(%q) = %v, %v; want ErrBadThreshold", tc.in, r, err)
			}
			continue
		}
		if err != nil || ratString(r) != tc.want {
			t.Errorf("ParseThreshold(%q) = %v, %v; want %s", tc.in, r, err, tc.want)
		}
	}
	for _, m := range Methods() {
		got, err := ParseMethod(strings.ToUpper(m.String()))
		if err != nil || got != m {
			t.Errorf("ParseMethod(%q) = %v, %v", strings.ToUpper(m.String()), got, err)
		}
	}
	if m, err := ParseMethod("d'hondt"); m != DHondt || err != nil {
		t.Errorf("ParseMethod(d'hondt) = %v, %v", m, err)
	}
	if _, err := ParseMethod("borda"); !errors.Is(err, ErrUnknownMethod) || !strings.Contains(err.Error(), "known: hare, droop") {
		t.Errorf("ParseMethod(borda) error = %v", err)
	}
	for in, want := range map[string]Kind{"": KindList, "List": KindList, "against all": KindAgainstAll, "against-all": KindAgainstAll, "BLANK": KindBlank, "invalid": KindInvalid} {
		if k, err := ParseKind(in); k != want || err != nil {
			t.Errorf("ParseKind(%q) = %v, %v; want %v", in, k, err, want)
		}
	}
	if _, err := ParseKind("spoiled"); !errors.Is(err, ErrBadEntry) {
		t.Errorf("ParseKind(spoiled) error = %v", err)
	}
	if d, err := ParseFirstDivisor("7/5"); err != nil || ratString(d) != "7/5" {
		t.Errorf("ParseFirstDivisor(7/5) = %v, %v", d, err)
	}
	for _, bad := range []string{"0", "3", "-1", "x", ""} {
		if _, err := ParseFirstDivisor(bad); !errors.Is(err, ErrBadOptions) {
			t.Errorf("ParseFirstDivisor(%q) error = %v", bad, err)
		}
	}
	if v, err := ParseDroopVariant("ceil"); v != DroopCeil || err != nil {
		t.Errorf("ParseDroopVariant(ceil) = %v, %v", v, err)
	}
	if _, err := ParseTieBreak("coin"); !errors.Is(err, ErrBadOptions) {
		t.Errorf("ParseTieBreak(coin) error = %v", err)
	}
	if b, err := ParseBase("CAST"); b != BaseCast || err != nil {
		t.Errorf("ParseBase(CAST) = %v, %v", b, err)
	}
}

func TestTraceJSON(t *testing.T) {
	seven, _ := ParseThreshold("7")
	r, err := Allocate(textbook, Options{Seats: 8, Method: Hare, Threshold: seven})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r.Trace)
	if err != nil {
		t.Fatal(err)
	}
	var back Trace
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.Trace, back); diff != "" {
		t.Errorf("trace changed through JSON (-want +got):\n%s", diff)
	}
	s := string(b)
	for _, want := range []string{`"method":"hare"`, `"quota":{"exact":"28750"`, `"by":"remainder"`, `"min_votes":{"exact":"16100"`} {
		if !strings.Contains(s, want) {
			t.Errorf("trace JSON lacks %s:\n%s", want, s)
		}
	}
}

func TestTraceText(t *testing.T) {
	es := []Entry{{Name: "Zed", Votes: 100}, {Name: "Amy", Votes: 100}, {Name: "Bob", Votes: 50}}
	r, err := Allocate(es, Options{Seats: 3, Method: DHondt, TieBreak: TieOrder})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := r.Trace.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"method: D'Hondt",
		"divisors: 1, 2, 3, ...",
		"seat 1: Zed, quotient 100 (divisor 1)",
		"seat 3: Zed, quotient 50 (divisor 2), after a tie",
		"next in line: Amy, quotient 50 (divisor 2)",
		"tie for seat 3 between Zed, Amy, Bob (quotient 50): Zed by order",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("trace text lacks %q:\n%s", want, b.String())
		}
	}
}

func TestHuntingtonHillMoreListsThanSeats(t *testing.T) {
	// Every list's first claim is infinite; infinite claims rank by votes.
	es := []Entry{{Name: "A", Votes: 10}, {Name: "B", Votes: 30}, {Name: "C", Votes: 20}}
	for _, m := range []Method{HuntingtonHill, Adams} {
		r, err := Allocate(es, Options{Seats: 2, Method: m})
		if err != nil {
			t.Fatal(err)
		}
		if got := seatsOf(r); !slicesEqual(got, []int{0, 1, 1}) {
			t.Errorf("%s: seats = %v, want [0 1 1]", m, got)
		}
	}
}
