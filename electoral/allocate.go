package electoral

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"sort"
	"strings"
)

// Result is the outcome of Allocate.
type Result struct {
	// Parties has one row per input entry, in input order; non-list
	// entries are included and never hold seats.
	Parties []PartyResult
	// Ties lists every tie met and how it was resolved, in the order met.
	Ties []Tie
	// House is the number of seats the vote filled in the end:
	// Seats-Reserved, plus overhang under MMP.
	House int
	Trace Trace
}

// PartyResult is one entry's outcome.
type PartyResult struct {
	Name  string
	Kind  Kind
	Votes int64
	// Share is the percent of the threshold base (valid votes or ballots
	// cast); it is for display and decides nothing.
	Share float64
	// Eligible is true when the list took part in the allocation.
	Eligible bool
	// Reason says why the list took part or not (see Qualification.Reason).
	Reason string
	// Seats is the list's seats: under MMP its total, the larger of its
	// entitlement and its electorates.
	Seats int
	// Entitlement is the list's share of the seats the allocation shared;
	// without MMP it equals Seats.
	Entitlement int
	Electorates int
	// Overhang is the electorates won beyond the entitlement (MMP only).
	Overhang int
	Alliance string
}

// contender is what a stage shares seats among: a list or a pooled alliance.
type contender struct {
	name     string
	alliance string
	members  []int    // entry indices
	names    []string // the members' names
	votes    int64
	order    int // input index of the first member; decides TieOrder
}

// key names the contender uniquely and independently of the input order:
// a list by its name, a pooled alliance by its label.
func (c contender) key() string {
	if len(c.members) > 1 {
		return "alliance\x00" + c.alliance
	}
	return "list\x00" + c.name
}

type allocator struct {
	opt  Options
	lot  map[string]int // TieLot: the drawn rank of each list and alliance key
	ties []Tie
}

// Allocate shares opt.Seats among the lists of entries by opt's rules and
// explains how. It fails with ErrBadOptions or ErrBadEntry for input it
// cannot use, ErrNoVotes when no qualifying list has a vote, and a
// *UnresolvedTieError (ErrTie) when a tie decides a seat under TieError. It never
// modifies entries.
func Allocate(entries []Entry, opt Options) (*Result, error) {
	if err := validate(entries, &opt); err != nil {
		return nil, err
	}
	a := &allocator{opt: opt}
	if opt.TieBreak == TieLot {
		a.lot = drawLots(entries, opt.Seed)
	}

	var lists, all int64
	for _, e := range entries {
		if e.Kind == KindList {
			lists += e.Votes
		}
		all += e.Votes
	}
	base := lists
	if opt.ValidVotes > 0 {
		base = opt.ValidVotes
	}
	if opt.ThresholdBase == BaseCast {
		base = all
		if opt.BallotsCast > 0 {
			base = opt.BallotsCast
		}
	}

	res := &Result{Parties: make([]PartyResult, len(entries))}
	tr := &res.Trace
	tr.Method, tr.Title, tr.House, tr.Reserved = opt.Method.String(), opt.Method.Title(), opt.Seats, opt.Reserved
	if opt.Method == ModifiedSainteLague {
		n := divisorNumber(opt.Method, opt.FirstDivisor, 0)
		tr.FirstDivisor = &n
	}
	if opt.Method == Droop {
		tr.DroopVariant = opt.DroopVariant.String()
	}
	for i, e := range entries {
		p := &res.Parties[i]
		p.Name, p.Kind, p.Votes, p.Electorates, p.Alliance = e.Name, e.Kind, e.Votes, e.Electorates, e.Alliance
		if base > 0 {
			p.Share, _ = big.NewRat(e.Votes*100, base).Float64()
		}
	}

	qualified, err := a.qualify(entries, base, res)
	if err != nil {
		return nil, err
	}

	shared := opt.Seats - opt.Reserved
	kept := 0
	for i, e := range entries {
		if !qualified[i] {
			kept += e.Electorates
		}
	}
	if opt.MMP {
		if kept > shared {
			return nil, fmt.Errorf("%w: lists that did not qualify won %d electorates, more than the %d seats", ErrBadOptions, kept, shared)
		}
		shared -= kept
		tr.KeptElectorates = kept
	}
	tr.Shared = shared

	// Contenders: qualifying lists, those of one alliance pooled.
	var cs []contender
	byAlliance := map[string]int{}
	for i, e := range entries {
		if !qualified[i] {
			continue
		}
		if e.Alliance != "" {
			if k, ok := byAlliance[e.Alliance]; ok {
				cs[k].members = append(cs[k].members, i)
				cs[k].votes += e.Votes
				continue
			}
			byAlliance[e.Alliance] = len(cs)
		}
		cs = append(cs, contender{name: e.Name, alliance: e.Alliance, members: []int{i}, votes: e.Votes, order: i})
	}
	for k := range cs {
		for _, m := range cs[k].members {
			cs[k].names = append(cs[k].names, entries[m].Name)
		}
		if len(cs[k].members) > 1 {
			cs[k].name = strings.Join(cs[k].names, " + ")
		}
	}
	if shared > 0 && len(cs) == 0 {
		return nil, fmt.Errorf("%w: %d seats to share", ErrNoVotes, shared)
	}

	seats, stage, err := a.apportion("allocation", cs, shared)
	if err != nil {
		return nil, err
	}
	tr.Allocation = stage
	// Splits go in order of alliance name, so that draws by lot do not
	// depend on the order of the input.
	order := make([]int, len(cs))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(x, y int) bool { return cs[order[x]].alliance < cs[order[y]].alliance })
	for _, k := range order {
		c := cs[k]
		if len(c.members) == 1 {
			res.Parties[c.members[0]].Entitlement = seats[k]
			continue
		}
		split := AllianceSplit{Alliance: c.alliance, Members: c.names, Seats: seats[k]}
		sub := make([]contender, len(c.members))
		for j, m := range c.members {
			sub[j] = contender{name: entries[m].Name, names: []string{entries[m].Name}, members: []int{m}, votes: entries[m].Votes, order: m}
		}
		if seats[k] > 0 {
			ss, st, err := a.apportion("alliance "+c.alliance, sub, seats[k])
			if err != nil {
				return nil, err
			}
			split.Split = st
			for j, m := range c.members {
				res.Parties[m].Entitlement = ss[j]
			}
		}
		tr.Alliances = append(tr.Alliances, split)
	}

	res.House = shared
	for i := range res.Parties {
		p := &res.Parties[i]
		p.Seats = p.Entitlement
		if !opt.MMP || p.Kind != KindList || (!p.Eligible && p.Electorates == 0) {
			continue
		}
		line := MMPLine{Name: p.Name, Entitlement: p.Entitlement, Electorates: p.Electorates}
		if p.Electorates > p.Entitlement {
			p.Seats = p.Electorates
			if p.Eligible {
				p.Overhang = p.Electorates - p.Entitlement
			}
		}
		line.Seats, line.Overhang, line.ListSeats = p.Seats, p.Overhang, p.Seats-p.Electorates
		res.House += p.Seats - p.Entitlement
		tr.MMP = append(tr.MMP, line)
	}
	tr.Final = res.House
	res.Ties = a.ties
	tr.Ties = a.ties
	return res, nil
}

// qualify decides which lists take part, fills the parties' Eligible and
// Reason and the trace's threshold and qualification.
func (a *allocator) qualify(entries []Entry, base int64, res *Result) ([]bool, error) {
	opt := a.opt
	var minVotes *big.Rat
	if opt.Threshold != nil {
		minVotes = new(big.Rat).Mul(opt.Threshold, big.NewRat(base, 1))
		res.Trace.Threshold = &ThresholdTrace{
			Fraction:    ratNumber(opt.Threshold),
			Base:        opt.ThresholdBase.String(),
			BaseVotes:   base,
			MinVotes:    ratNumber(minVotes),
			Strict:      opt.ThresholdStrict,
			Electorates: opt.ElectorateThreshold,
		}
	}
	q := make([]bool, len(entries))
	reason := make([]string, len(entries))
	count := 0
	for i, e := range entries {
		switch {
		case e.Kind != KindList:
			reason[i] = e.Kind.String()
		case e.Votes == 0:
			reason[i] = "no votes"
		case minVotes == nil:
			q[i], reason[i] = true, "no threshold"
		case passes(e.Votes, minVotes, opt.ThresholdStrict):
			q[i], reason[i] = true, "threshold"
		case opt.ElectorateThreshold > 0 && e.Electorates >= opt.ElectorateThreshold:
			q[i], reason[i] = true, "electorates"
		default:
			reason[i] = "below threshold"
		}
		if q[i] {
			count++
		}
	}
	if need := opt.MinQualified - count; need > 0 {
		var rest []int
		for i, e := range entries {
			if !q[i] && e.Kind == KindList && e.Votes > 0 {
				rest = append(rest, i)
			}
		}
		sort.SliceStable(rest, func(x, y int) bool { return entries[rest[x]].Votes > entries[rest[y]].Votes })
		for need > 0 && len(rest) > 0 {
			v := entries[rest[0]].Votes
			n := 1
			for n < len(rest) && entries[rest[n]].Votes == v {
				n++
			}
			group := rest[:n]
			if n > need {
				cands := make([]tieCand, n)
				for j, i := range group {
					cands[j] = tieCand{name: entries[i].Name, key: contender{name: entries[i].Name, members: []int{i}}.key(), votes: entries[i].Votes, order: i, idx: i}
				}
				won, err := a.resolve(Tie{Stage: "qualification", By: "votes", Value: Number{Exact: fmt.Sprint(v), Decimal: fmt.Sprint(v)}}, cands, need)
				if err != nil {
					return nil, err
				}
				group = won
			}
			for _, i := range group {
				q[i], reason[i] = true, "min-qualified"
			}
			need -= len(group)
			rest = rest[n:]
		}
	}
	for i, e := range entries {
		p := &res.Parties[i]
		p.Eligible, p.Reason = q[i], reason[i]
		res.Trace.Qualification = append(res.Trace.Qualification, Qualification{
			Name: e.Name, Votes: e.Votes, SharePct: p.Share, Qualified: q[i], Reason: reason[i],
		})
	}
	return q, nil
}

func passes(votes int64, min *big.Rat, strict bool) bool {
	c := big.NewRat(votes, 1).Cmp(min)
	if strict {
		return c > 0
	}
	return c >= 0
}

// drawLots ranks every list and alliance by one draw from the seed. The
// draw shuffles the keys in sorted order, so it does not depend on the
// order of the input, and every tie of the allocation is settled by the
// same ranking, so a lot never makes a list lose a seat when the house
// grows.
func drawLots(entries []Entry, seed int64) map[string]int {
	seen := map[string]bool{}
	var keys []string
	for _, e := range entries {
		if e.Kind != KindList {
			continue
		}
		keys = append(keys, contender{name: e.Name, members: []int{0}}.key())
		if e.Alliance != "" && !seen[e.Alliance] {
			seen[e.Alliance] = true
			keys = append(keys, contender{alliance: e.Alliance, members: []int{0, 1}}.key())
		}
	}
	sort.Strings(keys)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x7a11e5ea75))
	rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	rank := make(map[string]int, len(keys))
	for i, k := range keys {
		rank[k] = i
	}
	return rank
}

// tieCand is one party to a tie: idx is what the caller gets back.
type tieCand struct {
	name  string
	key   string // unique; orders the tied before a draw
	votes int64
	order int
	idx   int
}

// resolve picks places winners among cands by the declared rule, records
// the tie, and returns the winners' idx in input order.
func (a *allocator) resolve(t Tie, cands []tieCand, places int) ([]int, error) {
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].order < cands[j].order })
	t.Places = places
	t.Rule = a.opt.TieBreak.String()
	for _, c := range cands {
		t.Between = append(t.Between, c.name)
	}
	var won []tieCand
	switch a.opt.TieBreak {
	case TieOrder:
		won = cands[:places]
	case TieMostVotes:
		byVotes := append([]tieCand(nil), cands...)
		sort.SliceStable(byVotes, func(i, j int) bool { return byVotes[i].votes > byVotes[j].votes })
		won = byVotes[:places]
		sort.SliceStable(won, func(i, j int) bool { return won[i].order < won[j].order })
	case TieLot:
		drawn := append([]tieCand(nil), cands...)
		sort.SliceStable(drawn, func(i, j int) bool { return a.lot[drawn[i].key] < a.lot[drawn[j].key] })
		won = drawn[:places]
		sort.SliceStable(won, func(i, j int) bool { return won[i].order < won[j].order })
	default:
		return nil, &UnresolvedTieError{Tie: t}
	}
	idx := make([]int, len(won))
	for i, c := range won {
		t.Winners = append(t.Winners, c.name)
		idx[i] = c.idx
	}
	a.ties = append(a.ties, t)
	return idx, nil
}

// apportion shares seats among cs by the method and returns each one's
// seats with the stage's trace.
func (a *allocator) apportion(stage string, cs []contender, seats int) ([]int, *Stage, error) {
	st := &Stage{Seats: seats, Awards: []Award{}}
	for _, c := range cs {
		st.Votes += c.votes
	}
	var got []int
	var err error
	if a.opt.Method.LargestRemainder() {
		got, err = a.largestRemainder(stage, cs, seats, st)
	} else {
		got, err = a.highestAverages(stage, cs, seats, st)
	}
	if err != nil {
		return nil, nil, err
	}
	for k, c := range cs {
		tc := Contender{Name: c.name, Alliance: c.alliance, Votes: c.votes, Seats: got[k]}
		if len(c.members) > 1 {
			tc.Members = c.names
		}
		st.Contenders = append(st.Contenders, tc)
	}
	return got, st, nil
}

// largestRemainder: whole quotas first, then the largest remainders. When
// the whole quotas exceed the seats the quota's divisor is lowered by one
// and the count starts over (Hare, divisor s, always fits). When more seats
// remain than lists with votes, the remainder ranking is gone through again.
func (a *allocator) largestRemainder(stage string, cs []contender, seats int, st *Stage) ([]int, error) {
	n := len(cs)
	got := make([]int, n)
	if seats == 0 {
		return got, nil
	}
	if st.Votes == 0 {
		return nil, fmt.Errorf("%w: %d seats to share in %s", ErrNoVotes, seats, stage)
	}
	extra := quotaExtra(a.opt.Method)
	var q *big.Rat
	var formula string
	for {
		q, formula = quotaFor(a.opt.Method, a.opt.DroopVariant, st.Votes, seats, extra)
		w := 0
		for k, c := range cs {
			got[k] = wholeQuotas(c.votes, q)
			w += got[k]
		}
		if w <= seats || extra == 0 {
			break
		}
		st.QuotaRetries = append(st.QuotaRetries, fmt.Sprintf("quota %s = %s gave %d whole seats for %d; divisor lowered by one", formula, ratNumber(q), w, seats))
		extra--
	}
	qn := ratNumber(q)
	st.Quota, st.QuotaFormula = &qn, formula

	rem := make([]*big.Rat, n)
	seat := 0
	for k, c := range cs {
		rem[k] = new(big.Rat).Sub(big.NewRat(c.votes, 1), new(big.Rat).Mul(q, big.NewRat(int64(got[k]), 1)))
		st.Whole = append(st.Whole, Whole{
			Name: c.name, Votes: c.votes, Whole: got[k], Remainder: ratNumber(rem[k]),
			Quotas: ratNumber(new(big.Rat).Quo(big.NewRat(c.votes, 1), q)),
		})
		for j := 0; j < got[k]; j++ {
			seat++
			st.Awards = append(st.Awards, Award{Seat: seat, Name: c.name, By: "quota"})
		}
	}

	var rank []int
	for k, c := range cs {
		if c.votes > 0 {
			rank = append(rank, k)
		}
	}
	sort.SliceStable(rank, func(x, y int) bool { return rem[rank[x]].Cmp(rem[rank[y]]) > 0 })
	award := func(k int, tie bool) {
		seat++
		got[k]++
		v := ratNumber(rem[k])
		st.Awards = append(st.Awards, Award{Seat: seat, Name: cs[k].name, By: "remainder", Value: &v, Tie: tie})
	}
	left := seats - seat
	for left >= len(rank) && left > 0 {
		for _, k := range rank {
			award(k, false)
		}
		left -= len(rank)
	}
	if left == 0 {
		return got, nil
	}
	edge := rem[rank[left-1]]
	if rem[rank[left]].Cmp(edge) != 0 {
		for _, k := range rank[:left] {
			award(k, false)
		}
		v := ratNumber(rem[rank[left]])
		st.Next = &Award{Name: cs[rank[left]].name, By: "remainder", Value: &v}
		return got, nil
	}
	var above, tied []int
	for _, k := range rank {
		switch rem[k].Cmp(edge) {
		case 1:
			above = append(above, k)
		case 0:
			tied = append(tied, k)
		}
	}
	for _, k := range above {
		award(k, false)
	}
	places := left - len(above)
	cands := make([]tieCand, len(tied))
	for j, k := range tied {
		cands[j] = tieCand{name: cs[k].name, key: cs[k].key(), votes: cs[k].votes, order: cs[k].order, idx: k}
	}
	won, err := a.resolve(Tie{Stage: stage, Seat: seat + 1, By: "remainder", Value: ratNumber(edge)}, cands, places)
	if err != nil {
		return nil, err
	}
	isWon := map[int]bool{}
	for _, k := range won {
		award(k, true)
		isWon[k] = true
	}
	for _, k := range tied {
		if !isWon[k] {
			v := ratNumber(rem[k])
			st.Next = &Award{Name: cs[k].name, By: "remainder", Value: &v, Tie: true}
			break
		}
	}
	return got, nil
}

// wholeQuotas is floor(votes / q) for q > 0.
func wholeQuotas(votes int64, q *big.Rat) int {
	n := new(big.Int).Mul(big.NewInt(votes), q.Denom())
	n.Quo(n, q.Num())
	return int(n.Int64())
}

// highestAverages gives seats one at a time to the highest quotient
// votes/divisor(seats held). Equal quotients that all fit take their seats
// together; equal quotients that do not fit are a tie.
func (a *allocator) highestAverages(stage string, cs []contender, seats int, st *Stage) ([]int, error) {
	m, first := a.opt.Method, a.opt.FirstDivisor
	n := len(cs)
	got := make([]int, n)
	for j := 0; j < 5 && j < max(seats, 1); j++ {
		st.Divisors = append(st.Divisors, divisorNumber(m, first, j))
	}
	if seats == 0 {
		return got, nil
	}
	pr := make([]priority, n)
	for k, c := range cs {
		pr[k] = newPriority(m, first, c.votes, 0)
	}
	best := func() []int {
		var top []int
		for k, c := range cs {
			if c.votes == 0 {
				continue
			}
			if len(top) == 0 {
				top = append(top, k)
				continue
			}
			switch pr[k].cmp(pr[top[0]]) {
			case 1:
				top = append(top[:0], k)
			case 0:
				top = append(top, k)
			}
		}
		return top
	}
	seat := 0
	for seat < seats {
		top := best()
		if len(top) == 0 {
			return nil, fmt.Errorf("%w: %d seats to share in %s", ErrNoVotes, seats, stage)
		}
		left := seats - seat
		tie := false
		if len(top) > left {
			cands := make([]tieCand, len(top))
			for j, k := range top {
				cands[j] = tieCand{name: cs[k].name, key: cs[k].key(), votes: cs[k].votes, order: cs[k].order, idx: k}
			}
			k0 := top[0] // the tied quotient, written as one list's, whatever the input order
			for _, k := range top {
				if cs[k].key() < cs[k0].key() {
					k0 = k
				}
			}
			won, err := a.resolve(Tie{Stage: stage, Seat: seat + 1, By: "quotient", Value: quotientNumber(m, first, cs[k0].votes, got[k0])}, cands, left)
			if err != nil {
				return nil, err
			}
			top, tie = won, true
		}
		for _, k := range top {
			seat++
			v := quotientNumber(m, first, cs[k].votes, got[k])
			d := divisorNumber(m, first, got[k])
			st.Awards = append(st.Awards, Award{Seat: seat, Name: cs[k].name, By: "quotient", Value: &v, Divisor: &d, Tie: tie})
			got[k]++
			pr[k] = newPriority(m, first, cs[k].votes, got[k])
		}
	}
	if top := best(); len(top) > 0 {
		k := top[0]
		v := quotientNumber(m, first, cs[k].votes, got[k])
		d := divisorNumber(m, first, got[k])
		st.Next = &Award{Name: cs[k].name, By: "quotient", Value: &v, Divisor: &d}
	}
	return got, nil
}
