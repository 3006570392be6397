package electoral

import "sort"

// Total is one party's sum over several contests (districts).
type Total struct {
	Name        string
	Kind        Kind
	Votes       int64
	Seats       int
	Electorates int
	Overhang    int
	// Contests counts the contests the party stood in; Won those where it
	// took at least one seat.
	Contests, Won int
}

// Summary is a national sum of per-district allocations.
type Summary struct {
	// Parties in order of first appearance over the contests as given.
	Parties []Total
	// Seats is the seats filled over all contests (each Result.House).
	Seats int
	// Ties counts the ties met over all contests.
	Ties int
}

// Summarize sums per-district results into a national summary, matching
// parties by name. Entries of different kinds under one name are kept
// apart. The order is deterministic: first appearance, contests in the
// order given. Nil results are skipped.
func Summarize(results []*Result) Summary {
	type key struct {
		name string
		kind Kind
	}
	var s Summary
	at := map[key]int{}
	for _, r := range results {
		if r == nil {
			continue
		}
		s.Seats += r.House
		s.Ties += len(r.Ties)
		for _, p := range r.Parties {
			k := key{p.Name, p.Kind}
			i, ok := at[k]
			if !ok {
				i = len(s.Parties)
				at[k] = i
				s.Parties = append(s.Parties, Total{Name: p.Name, Kind: p.Kind})
			}
			t := &s.Parties[i]
			t.Votes += p.Votes
			t.Seats += p.Seats
			t.Electorates += p.Electorates
			t.Overhang += p.Overhang
			t.Contests++
			if p.Seats > 0 {
				t.Won++
			}
		}
	}
	return s
}

// Indices computes the national indices over the summed lists.
func (s Summary) Indices() Indices {
	r := Result{}
	for _, t := range s.Parties {
		r.Parties = append(r.Parties, PartyResult{Name: t.Name, Kind: t.Kind, Votes: t.Votes, Seats: t.Seats})
	}
	return r.Indices()
}

// Mismatch is a list whose declared seats differ from the computed ones.
type Mismatch struct {
	Index    int // the entry's index in the input
	Name     string
	Declared int
	Computed int
}

// Compare checks declared seats against the result. declared maps an entry
// index to the seats the sheet declares for it; entries absent from the map
// are not checked. Mismatches come in input order; an index outside the
// result is reported with Computed -1.
func (r *Result) Compare(declared map[int]int) []Mismatch {
	var out []Mismatch
	for i, d := range declared {
		switch {
		case i < 0 || i >= len(r.Parties):
			out = append(out, Mismatch{Index: i, Declared: d, Computed: -1})
		case d != r.Parties[i].Seats:
			out = append(out, Mismatch{Index: i, Name: r.Parties[i].Name, Declared: d, Computed: r.Parties[i].Seats})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Index < out[b].Index })
	return out
}
