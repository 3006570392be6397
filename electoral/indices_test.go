package electoral

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestIndices(t *testing.T) {
	// Votes 50/30/20 %, seats 60/30/10 %: differences 10, 0, -10 points.
	votes := []int64{500, 300, 200}
	seats := []int{6, 3, 1}
	cases := []struct {
		name string
		got  float64
		want float64
	}{
		{"Gallagher", Gallagher(votes, seats), 10},             // sqrt((100+0+100)/2)
		{"LoosemoreHanby", LoosemoreHanby(votes, seats), 10},   // (10+0+10)/2
		{"SainteLague", SainteLagueIndex(votes, seats), 7},     // 100/50 + 0 + 100/20
		{"ENP votes", EffectiveParties(votes), 1 / 0.38},       // 1/(.25+.09+.04)
		{"ENP seats", EffectiveParties(seats), 1 / 0.46},       // 1/(.36+.09+.01)
		{"ENP one party", EffectiveParties([]int{0, 5, 0}), 1}, // all in one
		{"proportional", Gallagher([]int64{2, 2}, []int{1, 1}), 0},
	}
	for _, tc := range cases {
		if !near(tc.got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	for name, v := range map[string]float64{
		"length mismatch": Gallagher([]int64{1}, []int{1, 2}),
		"no seats":        LoosemoreHanby([]int64{1, 2}, []int{0, 0}),
		"no votes":        SainteLagueIndex([]int64{0, 0}, []int{1, 0}),
		"empty":           Gallagher(nil, nil),
		"negative":        EffectiveParties([]int64{-1, 3}),
		"zero total":      EffectiveParties([]int{0}),
	} {
		if !math.IsNaN(v) {
			t.Errorf("%s = %v, want NaN", name, v)
		}
	}
	if v := SainteLagueIndex([]int64{1, 0}, []int{1, 1}); !math.IsInf(v, 1) {
		t.Errorf("seats without votes: SainteLagueIndex = %v, want +Inf", v)
	}
}

func TestResultIndicesAndSummary(t *testing.T) {
	d1, err := Allocate([]Entry{{Name: "A", Votes: 500}, {Name: "B", Votes: 300}, {Name: "C", Votes: 200}, {Name: "x", Kind: KindInvalid, Votes: 7}},
		Options{Seats: 10, Method: Hare})
	if err != nil {
		t.Fatal(err)
	}
	// Hare 10 seats: 5, 3, 2 exactly.
	if ix := d1.Indices(); !near(ix.Gallagher, 0) || !near(ix.ENPSeats, 1/0.38) {
		t.Errorf("district 1 indices %+v", ix)
	}
	d2, err := Allocate([]Entry{{Name: "B", Votes: 100}, {Name: "D", Votes: 100}, {Name: "A", Votes: 300}},
		Options{Seats: 4, Method: DHondt, TieBreak: TieOrder})
	if err != nil {
		t.Fatal(err)
	}
	// D'Hondt 4 seats: 300 (A), 150 (A), then A/3, B and D all at 100 tie for
	// the last two; by order B and D take them -> A 2, B 1, D 1.
	s := Summarize([]*Result{d1, nil, d2})
	want := []Total{
		{Name: "A", Votes: 800, Seats: 7, Contests: 2, Won: 2},
		{Name: "B", Votes: 400, Seats: 4, Contests: 2, Won: 2},
		{Name: "C", Votes: 200, Seats: 2, Contests: 1, Won: 1},
		{Name: "x", Kind: KindInvalid, Votes: 7, Contests: 1},
		{Name: "D", Votes: 100, Seats: 1, Contests: 1, Won: 1},
	}
	if len(s.Parties) != len(want) {
		t.Fatalf("summary %+v", s.Parties)
	}
	for i := range want {
		if s.Parties[i] != want[i] {
			t.Errorf("total %d = %+v, want %+v", i, s.Parties[i], want[i])
		}
	}
	if s.Seats != 14 || s.Ties != 1 {
		t.Errorf("summary seats %d ties %d, want 14 1", s.Seats, s.Ties)
	}
	// Votes 800/400/200/100 of 1500, seats 7/4/2/1 of 14.
	if ix := s.Indices(); !near(ix.ENPVotes, 1/((64.0+16+4+1)/225)) {
		t.Errorf("national ENP by votes = %v", ix.ENPVotes)
	}
}

func TestCompare(t *testing.T) {
	r, err := Allocate(textbook, Options{Seats: 8, Method: DHondt})
	if err != nil {
		t.Fatal(err)
	}
	// D'Hondt gives 4, 3, 1, 0.
	got := r.Compare(map[int]int{0: 4, 1: 2, 3: 1, 9: 5})
	want := []Mismatch{{Index: 1, Name: "B", Declared: 2, Computed: 3}, {Index: 3, Name: "D", Declared: 1, Computed: 0}, {Index: 9, Declared: 5, Computed: -1}}
	if len(got) != len(want) {
		t.Fatalf("Compare = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("mismatch %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
