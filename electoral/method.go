package electoral

import (
	"fmt"
	"math/big"
	"strings"
)

// Method is a seat allocation method: a largest-remainder quota or a
// divisor (highest averages) sequence. The zero value is no method.
type Method int

const (
	_                   Method = iota
	Hare                       // largest remainder, quota v/s
	Droop                      // largest remainder, quota floor(v/(s+1))+1 by default (see DroopVariant)
	HagenbachBischoff          // largest remainder, quota v/(s+1)
	ImperialiQuota             // largest remainder, quota v/(s+2)
	DHondt                     // divisors 1, 2, 3, ...
	SainteLague                // divisors 1, 3, 5, ...
	ModifiedSainteLague        // divisors 1.4 (Options.FirstDivisor), 3, 5, ...
	Danish                     // divisors 1, 4, 7, ...
	Imperiali                  // divisors 2, 3, 4, ...
	HuntingtonHill             // divisors sqrt(n(n+1)): 0, sqrt 2, sqrt 6, ...
	Adams                      // divisors 0, 1, 2, ...
	methodEnd
)

var methodNames = [...]string{
	Hare:                "hare",
	Droop:               "droop",
	HagenbachBischoff:   "hagenbach-bischoff",
	ImperialiQuota:      "imperiali-quota",
	DHondt:              "dhondt",
	SainteLague:         "sainte-lague",
	ModifiedSainteLague: "modified-sainte-lague",
	Danish:              "danish",
	Imperiali:           "imperiali",
	HuntingtonHill:      "huntington-hill",
	Adams:               "adams",
}

var methodTitles = [...]string{
	Hare:                "largest remainder, Hare quota",
	Droop:               "largest remainder, Droop quota",
	HagenbachBischoff:   "largest remainder, Hagenbach-Bischoff quota",
	ImperialiQuota:      "largest remainder, Imperiali quota",
	DHondt:              "D'Hondt",
	SainteLague:         "Sainte-Laguë",
	ModifiedSainteLague: "modified Sainte-Laguë",
	Danish:              "Danish",
	Imperiali:           "Imperiali",
	HuntingtonHill:      "Huntington-Hill",
	Adams:               "Adams",
}

func (m Method) valid() bool { return m > 0 && m < methodEnd }

// String returns the method's name as ParseMethod reads it.
func (m Method) String() string {
	if !m.valid() {
		return fmt.Sprintf("Method(%d)", int(m))
	}
	return methodNames[m]
}

// Title returns the method's name for people ("largest remainder, Hare quota").
func (m Method) Title() string {
	if !m.valid() {
		return m.String()
	}
	return methodTitles[m]
}

// LargestRemainder reports whether m shares seats by a quota and remainders
// (the other methods use divisors).
func (m Method) LargestRemainder() bool {
	return m == Hare || m == Droop || m == HagenbachBischoff || m == ImperialiQuota
}

// Methods returns every method in a fixed order.
func Methods() []Method {
	ms := make([]Method, 0, methodEnd-1)
	for m := Method(1); m < methodEnd; m++ {
		ms = append(ms, m)
	}
	return ms
}

// ParseMethod reads a method name as DESIGN.md lists them: hare, droop,
// hagenbach-bischoff, imperiali-quota, dhondt, sainte-lague,
// modified-sainte-lague, danish, imperiali, huntington-hill, adams. Case,
// surrounding space, "_" for "-", "d'hondt" and "webster" (for
// sainte-lague), "jefferson" (for dhondt) are accepted too.
func ParseMethod(s string) (Method, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	n = strings.NewReplacer("_", "-", " ", "-", "'", "", "ë", "e").Replace(n)
	switch n {
	case "webster":
		return SainteLague, nil
	case "jefferson":
		return DHondt, nil
	}
	for m := Method(1); m < methodEnd; m++ {
		if n == methodNames[m] {
			return m, nil
		}
	}
	return 0, fmt.Errorf("%w %q; known: %s", ErrUnknownMethod, s, strings.Join(methodNames[1:], ", "))
}

// DroopVariant picks one of the formulas that go by the name Droop quota,
// for v votes and s seats.
type DroopVariant int

const (
	DroopFloorPlusOne DroopVariant = iota // floor(v/(s+1)) + 1, the default
	DroopExactPlusOne                     // v/(s+1) + 1, not rounded
	DroopCeil                             // ceil(v/(s+1))
	droopEnd
)

var droopNames = [...]string{"floor+1", "exact+1", "ceil"}

func (d DroopVariant) valid() bool { return d >= 0 && d < droopEnd }

// String returns "floor+1", "exact+1" or "ceil".
func (d DroopVariant) String() string {
	if !d.valid() {
		return fmt.Sprintf("DroopVariant(%d)", int(d))
	}
	return droopNames[d]
}

// ParseDroopVariant reads "floor+1" (also ""), "exact+1" or "ceil".
func ParseDroopVariant(s string) (DroopVariant, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	if n == "" {
		return DroopFloorPlusOne, nil
	}
	for i, name := range droopNames {
		if n == name {
			return DroopVariant(i), nil
		}
	}
	return 0, fmt.Errorf("%w: droop variant %q; known: %s", ErrBadOptions, s, strings.Join(droopNames[:], ", "))
}

// quota returns the quota for votes v and seats s with the divisor of the
// method raised by extra over s, with its formula written out. Lowering
// extra is how an over-allocating quota is retried (see allocateLR).
func quotaFor(m Method, variant DroopVariant, v int64, s, extra int) (*big.Rat, string) {
	d := int64(s + extra)
	vs := fmt.Sprint(v)
	den := fmt.Sprintf("%d", s)
	if extra > 0 {
		den = fmt.Sprintf("(%d+%d)", s, extra)
	}
	exact := big.NewRat(v, d)
	if m == Droop && extra == 1 {
		switch variant {
		case DroopFloorPlusOne:
			q := new(big.Int).Quo(big.NewInt(v), big.NewInt(d))
			q.Add(q, big.NewInt(1))
			return new(big.Rat).SetInt(q), fmt.Sprintf("floor(%s/%s)+1", vs, den)
		case DroopExactPlusOne:
			return exact.Add(exact, big.NewRat(1, 1)), fmt.Sprintf("%s/%s+1", vs, den)
		case DroopCeil:
			q := new(big.Int).Add(big.NewInt(v), big.NewInt(d-1))
			q.Quo(q, big.NewInt(d))
			return new(big.Rat).SetInt(q), fmt.Sprintf("ceil(%s/%s)", vs, den)
		}
	}
	return exact, fmt.Sprintf("%s/%s", vs, den)
}

// quotaExtra is how far above the seats the method's quota divisor starts.
func quotaExtra(m Method) int {
	switch m {
	case Droop, HagenbachBischoff:
		return 1
	case ImperialiQuota:
		return 2
	}
	return 0
}

// divisor returns the divisor for a contender that already holds n seats,
// as a rational; for Huntington-Hill it returns n(n+1), the divisor's
// square, and sq is true.
func divisor(m Method, first *big.Rat, n int) (d *big.Rat, sq bool) {
	k := int64(n)
	switch m {
	case DHondt:
		return big.NewRat(k+1, 1), false
	case SainteLague:
		return big.NewRat(2*k+1, 1), false
	case ModifiedSainteLague:
		if n == 0 {
			if first == nil {
				return big.NewRat(7, 5), false
			}
			return new(big.Rat).Set(first), false
		}
		return big.NewRat(2*k+1, 1), false
	case Danish:
		return big.NewRat(3*k+1, 1), false
	case Imperiali:
		return big.NewRat(k+2, 1), false
	case HuntingtonHill:
		return big.NewRat(k*(k+1), 1), true
	case Adams:
		return big.NewRat(k, 1), false
	}
	panic("electoral: divisor called for " + m.String())
}

// priority is a contender's claim on the next seat under a divisor method:
// votes/divisor, or for Huntington-Hill votes²/divisor². A zero divisor
// (Adams's and Huntington-Hill's first seat) makes the claim infinite;
// infinite claims rank among themselves by votes.
type priority struct {
	num, den *big.Int // den == 0: infinite
	votes    int64
}

func newPriority(m Method, first *big.Rat, votes int64, held int) priority {
	d, sq := divisor(m, first, held)
	v := big.NewInt(votes)
	if sq {
		v.Mul(v, v)
	}
	// votes / (a/b) = votes*b / a
	num := v.Mul(v, d.Denom())
	return priority{num: num, den: new(big.Int).Set(d.Num()), votes: votes}
}

func (p priority) cmp(o priority) int {
	pi, oi := p.den.Sign() == 0, o.den.Sign() == 0
	switch {
	case pi && oi:
		switch {
		case p.votes < o.votes:
			return -1
		case p.votes > o.votes:
			return 1
		}
		return 0
	case pi:
		return 1
	case oi:
		return -1
	}
	l := new(big.Int).Mul(p.num, o.den)
	r := new(big.Int).Mul(o.num, p.den)
	return l.Cmp(r)
}

// divisorNumber is the divisor for n seats held, written for people.
func divisorNumber(m Method, first *big.Rat, n int) Number {
	d, sq := divisor(m, first, n)
	if !sq {
		return ratNumber(d)
	}
	k := int64(n)
	f := new(big.Float).SetPrec(128).SetInt64(k * (k + 1))
	f.Sqrt(f)
	return Number{Exact: fmt.Sprintf("sqrt(%d)", k*(k+1)), Decimal: f.Text('f', decimals)}
}

// quotientNumber is votes over the divisor for n seats held, for people.
func quotientNumber(m Method, first *big.Rat, votes int64, n int) Number {
	d, sq := divisor(m, first, n)
	if d.Sign() == 0 {
		return Number{Exact: "inf", Decimal: "inf"}
	}
	if !sq {
		return ratNumber(new(big.Rat).Quo(big.NewRat(votes, 1), d))
	}
	k := int64(n)
	f := new(big.Float).SetPrec(128).SetInt64(k * (k + 1))
	f.Sqrt(f)
	f.Quo(new(big.Float).SetPrec(128).SetInt64(votes), f)
	return Number{Exact: fmt.Sprintf("%d/sqrt(%d)", votes, k*(k+1)), Decimal: f.Text('f', decimals)}
}
