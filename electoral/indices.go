package electoral

import "math"

// Indices are the usual measures of how far seats stray from votes and
// how many parties count. They describe; they decide nothing, so they are
// floats.
type Indices struct {
	Gallagher      float64 // least squares, in percentage points
	LoosemoreHanby float64 // half the sum of absolute differences, in percentage points
	SainteLague    float64 // sum of (seat% - vote%)² / vote%, in percent
	ENPVotes       float64 // effective number of parties by votes
	ENPSeats       float64 // effective number of parties by seats
}

// Indices computes the indices over the result's lists: every list's
// votes (those below the threshold too, whose votes are the wasted ones)
// against the seats it holds in the end.
func (r *Result) Indices() Indices {
	var votes []int64
	var seats []int
	for _, p := range r.Parties {
		if p.Kind == KindList {
			votes = append(votes, p.Votes)
			seats = append(seats, p.Seats)
		}
	}
	return Indices{
		Gallagher:      Gallagher(votes, seats),
		LoosemoreHanby: LoosemoreHanby(votes, seats),
		SainteLague:    SainteLagueIndex(votes, seats),
		ENPVotes:       EffectiveParties(votes),
		ENPSeats:       EffectiveParties(seats),
	}
}

// percents turns votes and seats into percent shares of their totals; ok
// is false when the slices differ in length, are empty, hold a negative
// number, or either total is zero.
func percents(votes []int64, seats []int) (v, s []float64, ok bool) {
	if len(votes) != len(seats) || len(votes) == 0 {
		return nil, nil, false
	}
	var tv, ts float64
	for i := range votes {
		if votes[i] < 0 || seats[i] < 0 {
			return nil, nil, false
		}
		tv += float64(votes[i])
		ts += float64(seats[i])
	}
	if tv == 0 || ts == 0 {
		return nil, nil, false
	}
	v, s = make([]float64, len(votes)), make([]float64, len(votes))
	for i := range votes {
		v[i] = 100 * float64(votes[i]) / tv
		s[i] = 100 * float64(seats[i]) / ts
	}
	return v, s, true
}

// Gallagher is the least-squares index: sqrt(½ Σ (vote% - seat%)²), in
// percentage points. votes[i] and seats[i] belong to party i. It is NaN
// when the slices differ in length, are empty, hold a negative number, or
// either total is zero.
func Gallagher(votes []int64, seats []int) float64 {
	v, s, ok := percents(votes, seats)
	if !ok {
		return math.NaN()
	}
	var sum float64
	for i := range v {
		d := v[i] - s[i]
		sum += d * d
	}
	return math.Sqrt(sum / 2)
}

// LoosemoreHanby is ½ Σ |vote% - seat%|, in percentage points; NaN as for
// Gallagher.
func LoosemoreHanby(votes []int64, seats []int) float64 {
	v, s, ok := percents(votes, seats)
	if !ok {
		return math.NaN()
	}
	var sum float64
	for i := range v {
		sum += math.Abs(v[i] - s[i])
	}
	return sum / 2
}

// SainteLagueIndex is Σ (seat% - vote%)² / vote% over the parties with
// votes, in percent. A party with seats but no votes makes it +Inf; NaN as
// for Gallagher.
func SainteLagueIndex(votes []int64, seats []int) float64 {
	v, s, ok := percents(votes, seats)
	if !ok {
		return math.NaN()
	}
	var sum float64
	for i := range v {
		switch {
		case v[i] > 0:
			d := s[i] - v[i]
			sum += d * d / v[i]
		case s[i] > 0:
			return math.Inf(1)
		}
	}
	return sum
}

// EffectiveParties is Laakso and Taagepera's effective number of parties,
// 1 / Σ p², p being each party's fraction of the total (of votes or of
// seats). It is NaN when the total is zero or a count is negative.
func EffectiveParties[T ~int | ~int64](counts []T) float64 {
	var total float64
	for _, c := range counts {
		if c < 0 {
			return math.NaN()
		}
		total += float64(c)
	}
	if total == 0 {
		return math.NaN()
	}
	var sum float64
	for _, c := range counts {
		p := float64(c) / total
		sum += p * p
	}
	return 1 / sum
}
