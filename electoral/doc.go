// Package electoral shares seats among lists by the methods election laws
// use, decides who qualifies, and measures disproportionality. It is pure
// arithmetic: it knows elections' rules but nothing of files, sheets,
// Arrow or the command line, reads no environment and does no I/O (the
// trace is written to an io.Writer the caller hands in).
//
// Allocate is the entry point: entries (one per list or non-list row) and
// Options (the contest's rules) give a Result with each list's seats, every
// tie met, and a Trace that explains every seat.
//
// # Exactness
//
// Seats are decided in integer and rational arithmetic (math/big) only:
// quotas, remainders, quotients and thresholds are compared exactly, so
// 100000/7 and 20000/1.4 are equal, and such a tie is reported, not
// settled by rounding. Floats appear only where nothing is decided:
// PartyResult.Share, the indices, and the Decimal renderings in the trace.
//
// # Largest remainder
//
// With v the votes of the qualifying lists together and s the seats to
// share, each list first takes floor(votes/q) seats for the quota q, then
// the seats left go to the largest remainders, votes - whole×q:
//
//	hare                v/s
//	droop               floor(v/(s+1)) + 1            (DroopFloorPlusOne, the default)
//	                    v/(s+1) + 1, not rounded       (DroopExactPlusOne)
//	                    ceil(v/(s+1))                  (DroopCeil)
//	hagenbach-bischoff  v/(s+1)
//	imperiali-quota     v/(s+2)
//
// Laws and libraries give the name Droop to different formulas; the
// default is floor(v/(s+1))+1, and Options.DroopVariant (or
// ParseDroopVariant: "floor+1", "exact+1", "ceil") picks another.
//
// Quotas under v/s can hand out more whole seats than there are. When that
// happens the quota's divisor is lowered by one and the count starts over
// (s+2 to s+1 to s; the Hare quota always fits); the trace records each
// retry. When more seats are left than there are lists with votes (only
// with tiny vote totals under the larger quotas) the ranking of
// remainders is gone through again.
//
// # Divisor methods
//
// Seats go one at a time to the highest quotient votes/d(n), n being the
// seats the list already holds:
//
//	dhondt                 d(n) = n+1           1, 2, 3, ...
//	sainte-lague           d(n) = 2n+1          1, 3, 5, ...
//	modified-sainte-lague  d(0) = 1.4, then 2n+1 (Options.FirstDivisor; Norway 1.4, Sweden 1.2)
//	danish                 d(n) = 3n+1          1, 4, 7, ...
//	imperiali              d(n) = n+2           2, 3, 4, ...
//	huntington-hill        d(n) = sqrt(n(n+1))  0, 1.414, 2.449, ...
//	adams                  d(n) = n             0, 1, 2, ...
//
// Huntington-Hill is compared on squares, votes²/(n(n+1)), so it stays
// exact. A zero divisor (Adams's and Huntington-Hill's first seat) gives
// an infinite quotient; infinite quotients rank among themselves by
// votes, so with fewer seats than lists the largest lists take the first
// seats. Equal quotients that all fit in the seats left take them
// together; otherwise they are a tie.
//
// # Who takes part
//
// Only entries of KindList win seats. A list qualifies when it has votes
// and (Options.Threshold nil) always, or its votes reach Threshold × base
// ("at least"; ThresholdStrict asks for "more than"). The base is valid
// votes (BaseValid: Options.ValidVotes, or the sum of the lists) or ballots
// cast (BaseCast: Options.BallotsCast, or the sum of every entry, lists and
// non-list rows such as invalid, blank and against all). ParseThreshold
// reads "7" and "3.25" as percents and "1/150" as an exact fraction.
// ElectorateThreshold qualifies a list that won that many single-member
// seats whatever its vote. MinQualified admits, when fewer lists qualify,
// the others with the most votes until there are that many (Kazakhstan:
// 2). Quotas and quotients are then computed over the qualifying lists'
// votes only. A list with no votes never qualifies.
//
// # Surplus-vote agreements
//
// Qualifying lists that share an Entry.Alliance are pooled: the allocation
// sees one contender with their votes, and its seats are then shared among
// them by the same method. A list below the threshold leaves the
// agreement; an agreement left with one list is no agreement.
//
// # Mixed-member proportional
//
// With Options.MMP, electorates won by lists that do not qualify (and by
// independents: entries without votes) are kept by their winners and taken
// off the seats to share. Each qualifying list's entitlement comes from the
// method over the rest; its seats are the larger of its entitlement and its
// electorates, and the difference is overhang, added to the house
// (Result.House). Levelling seats are not added.
//
// # Reserved seats
//
// Options.Reserved seats of the house are filled outside the vote (by
// appointment or by another body); the allocation shares Seats-Reserved.
//
// # Ties
//
// A tie is two or more lists with equal claims (remainders, quotients, or
// votes for a MinQualified place) for fewer seats than there are of them.
// Every tie is recorded in Result.Ties and in the trace, whatever the rule:
//
//	TieError  Allocate fails with an *UnresolvedTieError (errors.Is ErrTie)
//	TieOrder  the list that comes first in the input wins
//	TieLot    one draw from Options.Seed ranks every list and alliance;
//	          each tie goes to the best ranked
//	TieMostVotes  the list with more votes wins (Norway's rule for equal
//	          quotients, Russia's for equal remainders), then input order
//
// The draw shuffles the names in sorted order, so it does not depend on
// the order of the input, and because one ranking settles every tie, a lot
// never makes a list lose a seat when the house grows.
//
// # Trace
//
// Result.Trace records who qualified and why, the threshold in votes, the
// quota and its formula or the divisors, whole seats and remainders, and
// for every seat who took it and by what remainder or quotient, with the
// best claim left unserved. It marshals to JSON as is; Trace.WriteText
// renders it for people.
//
// # Several districts
//
// Each district is one Allocate call with its own options. Summarize sums
// the results into national totals; Summary.Indices measures them.
//
// # Indices
//
// Gallagher (least squares), LoosemoreHanby, SainteLagueIndex and
// EffectiveParties (Laakso-Taagepera, by votes or by seats) take votes and
// seats per party; Result.Indices applies them to every list of a result,
// those below the threshold included.
//
// # Errors
//
// Allocate and the Parse functions wrap one of the sentinels ErrBadOptions,
// ErrUnknownMethod, ErrBadThreshold, ErrBadEntry, ErrNoVotes or ErrTie;
// messages name the entry (1-based) or option at fault. Bad input never
// panics, and never hangs: Options.Seats is at most MaxSeats.
package electoral
