package electoral

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// Sentinel errors. Every error Allocate and the Parse functions return
// wraps exactly one of them, so callers can test with errors.Is.
var (
	// ErrBadOptions: an option is out of range or contradicts another.
	ErrBadOptions = errors.New("bad allocation options")
	// ErrUnknownMethod: ParseMethod (or Options.Method) names no method.
	ErrUnknownMethod = errors.New("unknown method")
	// ErrBadThreshold: ParseThreshold could not read its argument.
	ErrBadThreshold = errors.New("bad threshold")
	// ErrBadEntry: an entry has an empty or repeated name, negative votes,
	// or fields its kind cannot have.
	ErrBadEntry = errors.New("bad entry")
	// ErrNoVotes: seats are to be shared but no qualifying list has a vote.
	ErrNoVotes = errors.New("no qualifying list has any votes")
	// ErrTie: a tie decides a seat and Options.TieBreak is TieError. The
	// error is an *UnresolvedTieError naming the tied lists.
	ErrTie = errors.New("tie")
)

// Kind tells a list from the non-list rows of a result sheet.
type Kind int

const (
	KindList       Kind = iota // a party list or candidate list; the only kind that wins seats
	KindAgainstAll             // "against all" votes
	KindBlank                  // blank ballots
	KindInvalid                // invalid (spoilt) ballots
)

var kindNames = [...]string{"list", "against_all", "blank", "invalid"}

// String returns the kind's name as DESIGN.md spells it ("list", "against_all", "blank", "invalid").
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// ParseKind reads a kind name; it ignores case and surrounding space,
// accepts "-" or " " for "_", and reads "" as KindList.
func ParseKind(s string) (Kind, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	n = strings.NewReplacer("-", "_", " ", "_").Replace(n)
	if n == "" {
		return KindList, nil
	}
	for i, name := range kindNames {
		if n == name {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("%w: kind %q; known: %s", ErrBadEntry, s, strings.Join(kindNames[:], ", "))
}

// Base is what a threshold is a fraction of.
type Base int

const (
	BaseValid Base = iota // valid votes: Options.ValidVotes, or the sum of the list entries
	BaseCast              // ballots cast: Options.BallotsCast, or the sum of every entry
)

// String returns "valid" or "cast".
func (b Base) String() string {
	switch b {
	case BaseValid:
		return "valid"
	case BaseCast:
		return "cast"
	}
	return fmt.Sprintf("Base(%d)", int(b))
}

// ParseBase reads "valid" or "cast" (case ignored; "" is BaseValid).
func ParseBase(s string) (Base, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "valid":
		return BaseValid, nil
	case "cast":
		return BaseCast, nil
	}
	return 0, fmt.Errorf("%w: threshold base %q; known: valid, cast", ErrBadOptions, s)
}

// TieBreak is the declared rule for a tie that decides a seat (or, with
// Options.MinQualified, a place among the qualifying lists).
type TieBreak int

const (
	TieError TieBreak = iota // refuse: Allocate returns an *UnresolvedTieError
	TieOrder                 // the entry that comes first in the input wins
	TieLot                   // a draw, reproducible from Options.Seed
	// TieMostVotes gives the seat to the list with more votes (Norway's
	// rule for equal quotients, Russia's for equal remainders); among equal
	// votes the entry that comes first in the input wins.
	TieMostVotes
)

// String returns "error", "order", "lot" or "votes".
func (t TieBreak) String() string {
	switch t {
	case TieError:
		return "error"
	case TieOrder:
		return "order"
	case TieLot:
		return "lot"
	case TieMostVotes:
		return "votes"
	}
	return fmt.Sprintf("TieBreak(%d)", int(t))
}

// ParseTieBreak reads "error", "order", "lot" or "votes" (case ignored; ""
// is TieError).
func ParseTieBreak(s string) (TieBreak, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "error":
		return TieError, nil
	case "order":
		return TieOrder, nil
	case "lot":
		return TieLot, nil
	case "votes":
		return TieMostVotes, nil
	}
	return 0, fmt.Errorf("%w: tie-break %q; known: error, order, lot, votes", ErrBadOptions, s)
}

// Entry is one row of input: a list, or a non-list row such as invalid
// ballots or "against all".
type Entry struct {
	Name  string
	Votes int64
	Kind  Kind // KindList (the zero value) for a list
	// Alliance names a surplus-vote agreement: qualifying lists with the
	// same non-empty Alliance are pooled for the allocation, then share the
	// group's seats by the same method. Lists only.
	Alliance string
	// Electorates is the number of single-member seats the list won. It
	// qualifies the list under Options.ElectorateThreshold and, with
	// Options.MMP, is kept as overhang where it exceeds the entitlement.
	// Lists only.
	Electorates int
}

// Options describe one contest's rules. The zero value is not usable:
// Seats and Method must be set.
type Options struct {
	// Seats is the size of the house (or district magnitude) in law,
	// including any Reserved seats.
	Seats int
	// Reserved seats are filled outside the vote (appointed, or elected by
	// another body); the allocation shares Seats-Reserved.
	Reserved int
	Method   Method
	// FirstDivisor is modified Sainte-Laguë's first divisor; nil means 1.4.
	// It must lie strictly between 0 and 3 and is refused for other methods.
	FirstDivisor *big.Rat
	// DroopVariant picks the Droop quota's formula; the zero value is
	// DroopFloorPlusOne, floor(v/(s+1))+1. Refused for other methods.
	DroopVariant DroopVariant
	// Threshold is the fraction of the base a list needs (7/100 for 7%);
	// nil for none. See ParseThreshold.
	Threshold *big.Rat
	// ThresholdStrict asks for more than the threshold instead of at least it.
	ThresholdStrict bool
	ThresholdBase   Base
	// BallotsCast is the cast base; 0 derives it as the sum of every entry,
	// which needs at least one non-list entry when the base is BaseCast.
	BallotsCast int64
	// ValidVotes is the valid base; 0 derives it as the sum of the lists,
	// which is right only when the input holds every list.
	ValidVotes int64
	// MinQualified is the least number of lists that take part: when fewer
	// pass, the best-placed others are admitted in order of votes.
	MinQualified int
	// ElectorateThreshold, when above 0, also qualifies a list that won at
	// least that many electorates (New Zealand: 1).
	ElectorateThreshold int
	// MMP makes the allocation mixed-member proportional: each qualifying
	// list's seats are the larger of its entitlement and its electorates,
	// the difference being overhang added to the house; electorates won by
	// lists that do not qualify are kept and taken off the shared seats.
	MMP      bool
	TieBreak TieBreak
	// Seed makes TieLot reproducible.
	Seed int64
}

// ParseThreshold reads a threshold as a fraction of its base. A plain
// number is a percent ("7" is 7/100, "3.25" is 13/400, "5%" is 1/20); a
// fraction with a slash is taken as it is ("1/150": one full quota of a
// 150-seat house). The result lies in [0, 1].
func ParseThreshold(s string) (*big.Rat, error) {
	t := strings.TrimSpace(s)
	frac := strings.Contains(t, "/")
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	if t == "" || strings.ContainsAny(t, "eE") {
		return nil, fmt.Errorf("%w: %q is neither a percent nor a fraction", ErrBadThreshold, s)
	}
	r, ok := new(big.Rat).SetString(t)
	if !ok {
		return nil, fmt.Errorf("%w: %q is neither a percent nor a fraction", ErrBadThreshold, s)
	}
	if !frac {
		r.Quo(r, big.NewRat(100, 1))
	}
	if r.Sign() < 0 || r.Cmp(big.NewRat(1, 1)) > 0 {
		return nil, fmt.Errorf("%w: %q is outside 0%%..100%%", ErrBadThreshold, s)
	}
	return r, nil
}

// ParseFirstDivisor reads modified Sainte-Laguë's first divisor as a
// decimal or a fraction ("1.4", "7/5", "1.2"); it must lie strictly
// between 0 and 3.
func ParseFirstDivisor(s string) (*big.Rat, error) {
	t := strings.TrimSpace(s)
	r, ok := new(big.Rat).SetString(t)
	if t == "" || strings.ContainsAny(t, "eE") || !ok {
		return nil, fmt.Errorf("%w: first divisor %q is not a number", ErrBadOptions, s)
	}
	if err := checkFirstDivisor(r); err != nil {
		return nil, err
	}
	return r, nil
}

func checkFirstDivisor(r *big.Rat) error {
	if r.Sign() <= 0 || r.Cmp(big.NewRat(3, 1)) >= 0 {
		return fmt.Errorf("%w: first divisor %s must lie strictly between 0 and 3", ErrBadOptions, ratString(r))
	}
	return nil
}

// validate checks the options against each other and the entries.
func validate(entries []Entry, opt *Options) error {
	if opt.Seats < 1 || opt.Seats > MaxSeats {
		return fmt.Errorf("%w: seats %d; need 1 to %d", ErrBadOptions, opt.Seats, MaxSeats)
	}
	if opt.Reserved < 0 || opt.Reserved >= opt.Seats {
		return fmt.Errorf("%w: reserved seats %d; need 0 to %d", ErrBadOptions, opt.Reserved, opt.Seats-1)
	}
	if !opt.Method.valid() {
		return fmt.Errorf("%w: %w: Method(%d)", ErrBadOptions, ErrUnknownMethod, int(opt.Method))
	}
	if opt.FirstDivisor != nil {
		if opt.Method != ModifiedSainteLague {
			return fmt.Errorf("%w: a first divisor applies to modified-sainte-lague only, not %s", ErrBadOptions, opt.Method)
		}
		if err := checkFirstDivisor(opt.FirstDivisor); err != nil {
			return err
		}
	}
	if opt.DroopVariant != DroopFloorPlusOne {
		if opt.Method != Droop {
			return fmt.Errorf("%w: a Droop variant applies to droop only, not %s", ErrBadOptions, opt.Method)
		}
		if !opt.DroopVariant.valid() {
			return fmt.Errorf("%w: DroopVariant(%d)", ErrBadOptions, int(opt.DroopVariant))
		}
	}
	if t := opt.Threshold; t != nil && (t.Sign() < 0 || t.Cmp(big.NewRat(1, 1)) > 0) {
		return fmt.Errorf("%w: threshold %s is outside 0..1", ErrBadOptions, ratString(t))
	}
	if opt.ThresholdBase != BaseValid && opt.ThresholdBase != BaseCast {
		return fmt.Errorf("%w: threshold base %d", ErrBadOptions, int(opt.ThresholdBase))
	}
	if opt.TieBreak < TieError || opt.TieBreak > TieMostVotes {
		return fmt.Errorf("%w: tie-break %d", ErrBadOptions, int(opt.TieBreak))
	}
	if opt.BallotsCast < 0 || opt.ValidVotes < 0 {
		return fmt.Errorf("%w: ballots cast and valid votes must not be negative", ErrBadOptions)
	}
	if opt.MinQualified < 0 || opt.ElectorateThreshold < 0 {
		return fmt.Errorf("%w: min qualified and electorate threshold must not be negative", ErrBadOptions)
	}

	seen := make(map[string]int, len(entries))
	var lists, all int64
	var nonList, alliances int
	for i, e := range entries {
		row := i + 1
		if strings.TrimSpace(e.Name) == "" {
			return fmt.Errorf("%w: entry %d has no name", ErrBadEntry, row)
		}
		if j, dup := seen[e.Name]; dup {
			return fmt.Errorf("%w: entry %d repeats the name %q of entry %d", ErrBadEntry, row, e.Name, j)
		}
		seen[e.Name] = row
		if e.Votes < 0 {
			return fmt.Errorf("%w: entry %d (%s) has negative votes %d", ErrBadEntry, row, e.Name, e.Votes)
		}
		if e.Kind < KindList || e.Kind > KindInvalid {
			return fmt.Errorf("%w: entry %d (%s) has unknown kind %d", ErrBadEntry, row, e.Name, int(e.Kind))
		}
		if e.Electorates < 0 {
			return fmt.Errorf("%w: entry %d (%s) has negative electorates %d", ErrBadEntry, row, e.Name, e.Electorates)
		}
		if e.Kind != KindList {
			if e.Alliance != "" || e.Electorates != 0 {
				return fmt.Errorf("%w: entry %d (%s) is %s and cannot have an alliance or electorates", ErrBadEntry, row, e.Name, e.Kind)
			}
			nonList++
		} else {
			if e.Alliance != "" {
				alliances++
			}
			if lists > maxVotes-e.Votes {
				return fmt.Errorf("%w: votes add up to more than %d", ErrBadEntry, int64(maxVotes))
			}
			lists += e.Votes
		}
		if all > maxVotes-e.Votes {
			return fmt.Errorf("%w: votes add up to more than %d", ErrBadEntry, int64(maxVotes))
		}
		all += e.Votes
	}
	if opt.ValidVotes > 0 && opt.ValidVotes < lists {
		return fmt.Errorf("%w: valid votes %d are fewer than the lists' votes %d", ErrBadOptions, opt.ValidVotes, lists)
	}
	if opt.BallotsCast > 0 && opt.BallotsCast < all {
		return fmt.Errorf("%w: ballots cast %d are fewer than the entries' votes %d", ErrBadOptions, opt.BallotsCast, all)
	}
	if opt.Threshold != nil && opt.ThresholdBase == BaseCast && opt.BallotsCast == 0 && nonList == 0 {
		return fmt.Errorf("%w: a threshold of ballots cast needs the ballots cast or the non-list rows (invalid, blank, against all)", ErrBadOptions)
	}
	if opt.MMP && alliances > 0 {
		return fmt.Errorf("%w: surplus-vote alliances with MMP are not supported", ErrBadOptions)
	}
	return nil
}

// MaxSeats bounds Options.Seats, far above any assembly, so that a typo
// cannot make the seat-by-seat methods run for hours.
const MaxSeats = 100000

// maxVotes bounds the total of all entries so that sums stay exact in
// int64 with room to spare.
const maxVotes = 1 << 53
