package report

// Code is the stable, kebab-case name of a kind of finding. Codes are a
// public contract: users filter on them and accept them in ledgers, so they
// are never renamed.
type Code string

// Finding codes. Each line says what the code means.
const (
	// VotesSumMismatch: the options' votes of a unit do not add up to its valid ballots.
	VotesSumMismatch Code = "votes-sum-mismatch"
	// ValidInvalidMismatch: valid + invalid ballots differ from ballots cast.
	ValidInvalidMismatch Code = "valid-invalid-mismatch"
	// CastOverRegistered: more ballots cast than registered voters (turnout over 100%).
	CastOverRegistered Code = "cast-over-registered"
	// CastOverIssued: more ballots cast than ballots issued.
	CastOverIssued Code = "cast-over-issued"
	// IssuedOverRegistered: more ballots issued than registered voters.
	IssuedOverRegistered Code = "issued-over-registered"
	// ShareMismatch: a declared percentage differs from the one computed from the votes.
	ShareMismatch Code = "share-mismatch"
	// SharesSumMismatch: the declared percentages of a unit do not sum to 100.
	SharesSumMismatch Code = "shares-sum-mismatch"
	// SeatsMismatch: the seats computed for a list differ from the declared seats.
	SeatsMismatch Code = "seats-mismatch"
	// SeatsNotAllocated: the allocation could not be done (an unresolved tie, no votes); see the message.
	SeatsNotAllocated Code = "seats-not-allocated"
	// SeatsTie: the allocation met a tie; the message says how it was resolved.
	SeatsTie Code = "seats-tie"
	// UnknownOption: an option name matches no party, candidate or alias in the spec.
	UnknownOption Code = "unknown-option"
	// DuplicateUnit: the same unit appears twice in one contest.
	DuplicateUnit Code = "duplicate-unit"
	// DuplicateResult: the same unit and option appear twice in one contest.
	DuplicateResult Code = "duplicate-result"
	// NegativeVotes: a count is below zero.
	NegativeVotes Code = "negative-votes"
	// FractionalVotes: a count is not a whole number.
	FractionalVotes Code = "fractional-votes"
	// BadNumber: a cell that should hold a number could not be read as one; the row is rejected.
	BadNumber Code = "bad-number"
	// RowRejected: a row could not be used for another reason; see the rejects table.
	RowRejected Code = "row-rejected"
	// NoResults: a source produced no result rows at all.
	NoResults Code = "no-results"
	// ThresholdMismatch: a list's declared eligibility differs from the computed one.
	ThresholdMismatch Code = "threshold-mismatch"
)
