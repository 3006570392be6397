package electoral

import (
	"fmt"
	"io"
	"math/big"
	"strings"
	"text/tabwriter"
)

// decimals is how many places Number.Decimal shows.
const decimals = 4

// Number is an exact figure of the trace with a rounded rendering for
// people. Exact is an integer ("67346"), a fraction in lowest terms
// ("6599921/98"), "inf", or for Huntington-Hill a quotient over a square
// root ("5148074/sqrt(6)"); Decimal has four places. Only Exact ever
// decides anything.
type Number struct {
	Exact   string `json:"exact"`
	Decimal string `json:"decimal"`
}

func ratNumber(r *big.Rat) Number {
	return Number{Exact: ratString(r), Decimal: r.FloatString(decimals)}
}

func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	return r.String()
}

func (n Number) String() string {
	if n.Exact == n.Decimal || !strings.ContainsAny(n.Exact, "/.") {
		return n.Exact
	}
	return n.Decimal
}

// Trace explains an allocation step by step: who qualified and why, the
// quota or divisors, whole seats and remainders or quotients in order, who
// took seat n and why, the ties met, and for alliances and MMP what
// followed. It marshals to JSON as is; WriteText renders it for people.
type Trace struct {
	Method   string `json:"method"`             // ParseMethod's name
	Title    string `json:"title"`              // the method for people
	House    int    `json:"house"`              // Options.Seats
	Shared   int    `json:"shared"`             // seats shared by the allocation
	Final    int    `json:"final"`              // seats filled in the end, overhang included, reserved excluded
	Reserved int    `json:"reserved,omitempty"` // seats filled outside the vote
	// KeptElectorates are electorates won by lists that did not qualify;
	// under MMP they are kept and taken off the shared seats.
	KeptElectorates int             `json:"kept_electorates,omitempty"`
	FirstDivisor    *Number         `json:"first_divisor,omitempty"`
	DroopVariant    string          `json:"droop_variant,omitempty"`
	Threshold       *ThresholdTrace `json:"threshold,omitempty"`
	Qualification   []Qualification `json:"qualification"`
	Allocation      *Stage          `json:"allocation,omitempty"`
	Alliances       []AllianceSplit `json:"alliances,omitempty"`
	MMP             []MMPLine       `json:"mmp,omitempty"`
	Ties            []Tie           `json:"ties,omitempty"`
}

// ThresholdTrace is the legal threshold as applied.
type ThresholdTrace struct {
	Fraction    Number `json:"fraction"` // of the base
	Base        string `json:"base"`     // "valid" or "cast"
	BaseVotes   int64  `json:"base_votes"`
	MinVotes    Number `json:"min_votes"` // Fraction × BaseVotes
	Strict      bool   `json:"strict,omitempty"`
	Electorates int    `json:"electorates,omitempty"` // ElectorateThreshold
}

// Qualification says whether one entry took part in the allocation and why.
type Qualification struct {
	Name      string  `json:"name"`
	Votes     int64   `json:"votes"`
	SharePct  float64 `json:"share_pct"`
	Qualified bool    `json:"qualified"`
	// Reason: "threshold", "electorates", "min-qualified", "no threshold"
	// for those that qualified; "below threshold", "no votes", or the kind
	// ("invalid", "blank", "against_all") for those that did not.
	Reason string `json:"reason"`
}

// Contender is one party to an allocation stage: a list, or the lists of a
// surplus-vote agreement pooled under their alliance's name.
type Contender struct {
	Name     string   `json:"name"`
	Alliance string   `json:"alliance,omitempty"`
	Members  []string `json:"members,omitempty"`
	Votes    int64    `json:"votes"`
	Seats    int      `json:"seats"`
}

// Stage is one run of a method over contenders: the main allocation, or
// the split of an alliance's seats among its lists.
type Stage struct {
	Seats      int         `json:"seats"`
	Votes      int64       `json:"votes"` // the contenders' votes together
	Contenders []Contender `json:"contenders"`

	// Largest remainder.
	Quota        *Number  `json:"quota,omitempty"`
	QuotaFormula string   `json:"quota_formula,omitempty"`
	QuotaRetries []string `json:"quota_retries,omitempty"` // quotas that gave more whole seats than there were
	Whole        []Whole  `json:"whole,omitempty"`

	// Divisor methods: the first divisors of the sequence.
	Divisors []Number `json:"divisors,omitempty"`

	// Awards lists every seat in the order it was given.
	Awards []Award `json:"awards"`
	// Next is the best claim that got no seat (nil when none is left).
	Next *Award `json:"next,omitempty"`
}

// Whole is a contender's whole quotas under largest remainder.
type Whole struct {
	Name      string `json:"name"`
	Votes     int64  `json:"votes"`
	Quotas    Number `json:"quotas"`    // votes / quota
	Whole     int    `json:"whole"`     // floor(votes / quota)
	Remainder Number `json:"remainder"` // votes - whole × quota, in votes
}

// Award is one seat: its number in the stage, who took it and why.
type Award struct {
	Seat int    `json:"seat"`
	Name string `json:"name"`
	// By is "quota" (a whole quota), "remainder" or "quotient".
	By string `json:"by"`
	// Value is the remainder (in votes) or the quotient; absent for quota seats.
	Value *Number `json:"value,omitempty"`
	// Divisor is the divisor behind a quotient.
	Divisor *Number `json:"divisor,omitempty"`
	// Tie is true when the seat was decided by the tie rule.
	Tie bool `json:"tie,omitempty"`
}

// AllianceSplit is how a surplus-vote agreement's seats went to its lists.
type AllianceSplit struct {
	Alliance string   `json:"alliance"`
	Members  []string `json:"members"`
	Seats    int      `json:"seats"`
	Split    *Stage   `json:"split,omitempty"`
}

// MMPLine is one list's mixed-member outcome.
type MMPLine struct {
	Name        string `json:"name"`
	Entitlement int    `json:"entitlement"`
	Electorates int    `json:"electorates"`
	ListSeats   int    `json:"list_seats"`
	Overhang    int    `json:"overhang"`
	Seats       int    `json:"seats"`
}

// Tie is one tie the allocation met and how it was resolved.
type Tie struct {
	// Stage is "qualification" (a place under MinQualified), "allocation",
	// or "alliance NAME" (the split of an agreement's seats).
	Stage string `json:"stage"`
	// Seat is the first seat number at stake in that stage; 0 for qualification.
	Seat int `json:"seat,omitempty"`
	// Places is how many seats (or places) the tied went for.
	Places int `json:"places"`
	// By is "remainder", "quotient", "votes" (qualification) or
	// "quota-excess" (a whole seat taken back).
	By      string   `json:"by"`
	Value   Number   `json:"value"`
	Between []string `json:"between"`
	Winners []string `json:"winners"`
	Rule    string   `json:"rule"` // "order", "lot" or "error"
}

func (t Tie) String() string {
	where := "a place among the qualifying lists"
	if t.Stage != "qualification" {
		where = "seat " + fmt.Sprint(t.Seat)
		if t.Places > 1 {
			where = fmt.Sprintf("seats %d-%d", t.Seat, t.Seat+t.Places-1)
		}
		if t.Stage != "allocation" {
			where += " of " + t.Stage
		}
	}
	s := fmt.Sprintf("tie for %s between %s (%s %s)", where, strings.Join(t.Between, ", "), t.By, t.Value)
	if t.Rule == TieError.String() {
		return s
	}
	return fmt.Sprintf("%s: %s by %s", s, strings.Join(t.Winners, ", "), t.Rule)
}

// UnresolvedTieError is the error for a tie under TieError; it wraps ErrTie.
type UnresolvedTieError struct{ Tie Tie }

func (e *UnresolvedTieError) Error() string {
	return e.Tie.String() + "; declare a tie-break rule (order or lot)"
}

func (e *UnresolvedTieError) Unwrap() error { return ErrTie }

// WriteText renders the trace for people, one step a line.
func (t Trace) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("method: %s\n", t.Title)
	if t.FirstDivisor != nil {
		ew.printf("first divisor: %s\n", t.FirstDivisor)
	}
	if t.DroopVariant != "" {
		ew.printf("droop variant: %s\n", t.DroopVariant)
	}
	ew.printf("house: %d seats", t.House)
	if t.Reserved > 0 {
		ew.printf(", %d reserved outside the vote", t.Reserved)
	}
	if t.KeptElectorates > 0 {
		ew.printf(", %d electorates kept by lists that did not qualify", t.KeptElectorates)
	}
	ew.printf("; %d shared by the vote\n", t.Shared)
	if th := t.Threshold; th != nil {
		cmp := "at least"
		if th.Strict {
			cmp = "more than"
		}
		ew.printf("threshold: %s of %s votes %d = %s votes (%s)", pctOf(th.Fraction), th.Base, th.BaseVotes, th.MinVotes, cmp)
		if th.Electorates > 0 {
			ew.printf(", or %d electorate(s)", th.Electorates)
		}
		ew.printf("\n")
	}
	tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
	for _, q := range t.Qualification {
		verdict := "out"
		if q.Qualified {
			verdict = "in"
		}
		fmt.Fprintf(tw, "  %s\t%d\t%.2f%%\t %s: %s\n", q.Name, q.Votes, q.SharePct, verdict, q.Reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if t.Allocation != nil {
		writeStage(ew, "allocation", t.Allocation)
	}
	for _, a := range t.Alliances {
		ew.printf("alliance %s (%s): %d seats\n", a.Alliance, strings.Join(a.Members, " + "), a.Seats)
		if a.Split != nil {
			writeStage(ew, "split", a.Split)
		}
	}
	if len(t.MMP) > 0 {
		ew.printf("mixed-member: seats are the larger of entitlement and electorates\n")
		tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "  list\tentitlement\telectorates\tlist seats\toverhang\tseats\n")
		for _, m := range t.MMP {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%d\n", m.Name, m.Entitlement, m.Electorates, m.ListSeats, m.Overhang, m.Seats)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		ew.printf("final house: %d seats\n", t.Final)
	}
	for _, tie := range t.Ties {
		ew.printf("%s\n", tie)
	}
	return ew.err
}

func writeStage(ew *errWriter, what string, s *Stage) {
	ew.printf("%s of %d seats among %d contenders (%d votes)\n", what, s.Seats, len(s.Contenders), s.Votes)
	if s.Quota != nil {
		for _, r := range s.QuotaRetries {
			ew.printf("  %s\n", r)
		}
		ew.printf("  quota: %s = %s\n", s.QuotaFormula, s.Quota)
		tw := tabwriter.NewWriter(ew, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "  contender\tvotes\tquotas\twhole\tremainder\n")
		for _, w := range s.Whole {
			fmt.Fprintf(tw, "  %s\t%d\t%s\t%d\t%s\n", w.Name, w.Votes, w.Quotas.Decimal, w.Whole, w.Remainder.Decimal)
		}
		ew.err = firstErr(ew.err, tw.Flush())
	}
	if len(s.Divisors) > 0 {
		ds := make([]string, len(s.Divisors))
		for i, d := range s.Divisors {
			ds[i] = d.String()
		}
		ew.printf("  divisors: %s, ...\n", strings.Join(ds, ", "))
	}
	for i := 0; i < len(s.Awards); {
		a := s.Awards[i]
		if a.By == "quota" {
			j := i
			for j+1 < len(s.Awards) && s.Awards[j+1].By == "quota" && s.Awards[j+1].Name == a.Name {
				j++
			}
			if j > i {
				ew.printf("  seats %d-%d: %s, whole quotas\n", a.Seat, s.Awards[j].Seat, a.Name)
			} else {
				ew.printf("  seat %d: %s, whole quota\n", a.Seat, a.Name)
			}
			i = j + 1
			continue
		}
		ew.printf("  seat %d: %s\n", a.Seat, awardWhy(a))
		i++
	}
	if s.Next != nil {
		ew.printf("  next in line: %s\n", awardWhy(*s.Next))
	}
	ts := make([]string, 0, len(s.Contenders))
	for _, c := range s.Contenders {
		ts = append(ts, fmt.Sprintf("%s %d", c.Name, c.Seats))
	}
	ew.printf("  result: %s\n", strings.Join(ts, ", "))
}

func awardWhy(a Award) string {
	s := a.Name
	switch a.By {
	case "remainder":
		s += fmt.Sprintf(", remainder %s votes", a.Value)
	case "quotient":
		s += fmt.Sprintf(", quotient %s", a.Value)
		if a.Divisor != nil {
			s += fmt.Sprintf(" (divisor %s)", a.Divisor)
		}
	}
	if a.Tie {
		s += ", after a tie"
	}
	return s
}

// pctOf renders a fraction of a base as a percent when that is exact to
// four places, else as the fraction.
func pctOf(n Number) string {
	r, ok := new(big.Rat).SetString(n.Exact)
	if !ok {
		return n.Exact
	}
	p := new(big.Rat).Mul(r, big.NewRat(100, 1))
	s := p.FloatString(decimals)
	if back, _ := new(big.Rat).SetString(s); back != nil && back.Cmp(p) == 0 {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		return s + "%"
	}
	return n.Exact
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
